"""The packages, the bundled recording (``data/``) among them as ``meetscout_bundle``.

Everything else about the build, the bundle's files too, is in ``pyproject.toml``; only a
package that lives in a folder of another name needs this file.
"""

from setuptools import find_packages, setup

setup(
    packages=[*find_packages(include=["service*", "crawlers*", "feeds*"]), "meetscout_bundle"],
    package_dir={"meetscout_bundle": "data"},
)
