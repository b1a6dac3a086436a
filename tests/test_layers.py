"""Imports run one way: crawlers -> service, feeds -> the model, the HTTP layer -> feeds.

Nothing imports ``crawlers`` but the crawl command, and the event model
imports neither our other modules nor any framework.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FRAMEWORKS = ("scrapy", "fastapi", "starlette", "sqlalchemy", "alembic", "pydantic", "jinja2")


def runtime_imports(path: Path) -> set[str]:
    """Modules ``path`` imports when it runs (``if TYPE_CHECKING:`` blocks excluded)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skipped.update(id(child) for body in node.body for child in ast.walk(body))
    names: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def modules(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


@pytest.mark.parametrize("path", modules("service"), ids=lambda p: str(p.relative_to(ROOT)))
def test_service_never_imports_crawlers_but_the_crawl_command(path: Path) -> None:
    if path.name == "main.py" and path.parent.name == "cli":
        return  # `meetscout crawl` runs the spiders
    assert not any(name.split(".")[0] == "crawlers" for name in runtime_imports(path))


@pytest.mark.parametrize("path", modules("feeds"), ids=lambda p: str(p.relative_to(ROOT)))
def test_feeds_import_only_the_model_of_service(path: Path) -> None:
    ours = {name for name in runtime_imports(path) if name.split(".")[0] == "service"}
    assert ours <= {"service.model"}, ours
    assert not any(name.split(".")[0] == "crawlers" for name in runtime_imports(path))


def test_model_imports_nothing_of_ours_and_no_framework() -> None:
    names = runtime_imports(ROOT / "service" / "model.py")
    assert not {name.split(".")[0] for name in names} & {"service", "crawlers", "feeds"}
    assert not {name.split(".")[0] for name in names} & set(FRAMEWORKS)
