"""The import contracts of pyproject.toml hold, and catch an import that runs the wrong way.

``make lint`` runs ``lint-imports`` on the tree; these tests show that the
contracts are not kept in name only: a copy of the tree with one upward
import (a plain one, and one under ``if TYPE_CHECKING:``) fails them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def lint_imports(tree: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A copy of the packages and of the contracts, to break on purpose."""
    for package in ("service", "crawlers", "feeds"):
        shutil.copytree(
            ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def add_line(path: Path, line: str) -> None:
    text = path.read_text(encoding="utf-8")
    path.write_text(f"{text}\n{line}\n", encoding="utf-8")


def test_the_tree_keeps_every_import_contract(tree: Path) -> None:
    result = lint_imports(tree)
    assert result.returncode == 0, result.stdout + result.stderr
    assert " 0 broken" in result.stdout or "broken" not in result.stdout


@pytest.mark.parametrize(
    ("module", "line", "contract"),
    [
        (
            "service/store/events.py",
            "from service.api import present  # noqa: E402",
            "service.store is not allowed to import service.api",
        ),
        (
            "service/web/view.py",
            "import service.api.schemas  # noqa: E402",
            "service.web is not allowed to import service.api",
        ),
        (
            "service/model.py",
            "import sqlalchemy  # noqa: E402",
            "service.model is not allowed to import sqlalchemy",
        ),
        (
            "feeds/digest.py",
            "from typing import TYPE_CHECKING\n"
            "if TYPE_CHECKING:\n"
            "    from service.digest import build",
            "feeds is not allowed to import service.digest",
        ),
        (
            "service/search/plan.py",
            "from crawlers import report  # noqa: E402",
            "service is not allowed to import crawlers",
        ),
    ],
    ids=["store-up-to-api", "web-to-api", "model-to-framework", "feeds-type-checking", "crawlers"],
)
def test_an_upward_import_breaks_a_contract(
    tree: Path, module: str, line: str, contract: str
) -> None:
    add_line(tree / module, line)
    result = lint_imports(tree)
    assert result.returncode != 0, result.stdout
    assert contract in result.stdout
