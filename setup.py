"""The packages, the bundled recording (``data/``) among them as ``meetscout_bundle``.

Everything else about the build, the bundle's files too, is in ``pyproject.toml``; only a
package that lives in a folder of another name needs this file.
"""

from setuptools import find_namespace_packages, setup

setup(
    # Namespace packages too: Alembic's migrations folder has no __init__.py.
    packages=[
        *find_namespace_packages(
            include=["service*", "crawlers*", "feeds*"],
            exclude=["*.__pycache__", "service.web.assets*"],
        ),
        "meetscout_bundle",
    ],
    package_dir={"meetscout_bundle": "data"},
)
