"""meetscout installs like a package: the wheel carries its bundle and runs from any folder.

The wheel is built from this checkout (pip's cache and the local index: no network),
installed without dependencies into a new virtual environment whose dependencies come from
this one's site-packages, and run from folders that are not the checkout.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import venv
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from service.settings import BUNDLE, PROJECT_ROOT

NOT_SOURCE = (".git", ".venv", "*_cache", "tests")

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="paths of a POSIX venv")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    # Built from a copy: the build leaves its build/ and egg-info folders where it runs.
    source = tmp_path_factory.mktemp("source") / "meetscout"
    shutil.copytree(PROJECT_ROOT, source, ignore=shutil.ignore_patterns(*NOT_SOURCE))
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(source)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    (built,) = out.glob("meetscout-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A new venv with only the wheel; this environment's packages appended for its deps."""
    home = tmp_path_factory.mktemp("venv")
    venv.create(home, with_pip=False)
    python = home / "bin" / "python"
    own = Path(
        subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    )
    # After the venv's own site-packages: the wheel's meetscout wins over this checkout's.
    (own / "zz_dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "--no-deps",
            "-q",
            str(wheel),
        ],
        check=True,
        capture_output=True,
        timeout=600,
    )
    yield home


def run(home: Path, folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("MEETSCOUT_") and key != "PYTHONPATH"
    }
    env["XDG_DATA_HOME"] = str(folder / "xdg-data")
    env["HOME"] = str(folder)
    return subprocess.run(
        [str(home / "bin" / "meetscout"), *args],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_wheel_carries_the_sources_and_the_recording(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    bundled = {
        "meetscout_bundle/" + path.relative_to(BUNDLE).as_posix()
        for path in (BUNDLE / "snapshot").rglob("*")
        if path.is_file()
    }
    assert bundled <= names
    assert {"meetscout_bundle/sources.toml", "meetscout_bundle/sources.example.toml"} <= names
    assert "service/store/migrations/env.py" in names
    assert "service/web/templates/search.html" in names


def test_installed_it_runs_from_another_folder(installed: Path, tmp_path: Path) -> None:
    helped = run(installed, tmp_path, "--help")
    assert helped.returncode == 0, helped.stderr
    assert "init" in helped.stdout
    located = subprocess.run(
        [
            str(installed / "bin" / "python"),
            "-c",
            "import service, service.settings as s; print(service.__file__); print(s.Settings())",
        ],
        cwd=tmp_path,
        env={
            "HOME": str(tmp_path),
            "XDG_DATA_HOME": str(tmp_path / "xdg-data"),
            "PATH": os.environ.get("PATH", ""),
        },
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert str(installed) in located.splitlines()[0]
    assert str(PROJECT_ROOT) not in located
    assert f"sqlite:///{tmp_path / 'xdg-data' / 'meetscout' / 'meetscout.db'}" in located
    assert "meetscout_bundle/sources.toml" in located


def test_init_writes_a_starter_that_the_folder_then_uses(installed: Path, tmp_path: Path) -> None:
    made = run(installed, tmp_path, "init")
    assert made.returncode == 0, made.stderr
    starter = tmp_path / "sources.toml"
    assert starter.read_bytes() == (BUNDLE / "sources.example.toml").read_bytes()
    again = run(installed, tmp_path, "init")
    assert again.returncode == 1
    assert "exists already" in again.stdout
    assert starter.read_bytes() == (BUNDLE / "sources.example.toml").read_bytes()
    health = run(installed, tmp_path, "sources")
    assert health.returncode == 0, health.stderr
    assert (tmp_path / "var" / "meetscout.db").is_file()
