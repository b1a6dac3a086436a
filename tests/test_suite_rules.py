"""How the test suite itself is laid out, read from its source with ``ast``.

- No module under ``tests/`` imports a test module (``test_*.py``) or a
  ``conftest.py``: pytest loads those itself, and a test file is no library.
  What tests share lives in ``tests/factories.py`` and ``tests/support/``;
  fixtures live in ``conftest.py`` files and are injected, never imported.
- Only ``tests/factories.py`` constructs ``Event`` or ``Subscription``: every
  other test builds them through ``make_event()``, ``make_subscription()`` or a
  named sample there.
- A module that is neither a test, a conftest nor a package marker is the
  factory module or lives in ``tests/support/``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
FACTORIES = TESTS / "factories.py"
SUPPORT = TESTS / "support"
BUILT_ONLY_BY_FACTORIES = {"Event": "service.model", "Subscription": "service.model"}
"""Class name -> the module that defines it."""
GUARDED_MODULES = set(BUILT_ONLY_BY_FACTORIES.values())


def modules() -> list[Path]:
    return sorted(path for path in TESTS.rglob("*.py") if "node_modules" not in path.parts)


def is_test_or_conftest(module: str) -> bool:
    last = module.rsplit(".", 1)[-1]
    return last == "conftest" or last.startswith("test_")


def module_name(path: Path) -> str:
    """``tests.crawlers.test_runner`` for ``tests/crawlers/test_runner.py``.

    A package's ``__init__`` keeps its last part, so that ``from . import x`` in it
    resolves to the package's own ``x``.
    """
    return ".".join(path.relative_to(TESTS.parent).with_suffix("").parts)


def imported_modules(source: str, name: str) -> set[str]:
    """Every module the source of module ``name`` imports, relative imports resolved.

    ``from package import item`` counts ``package.item`` too: the item may be a module.
    """
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                anchor = name.split(".")[: -node.level]
                base = ".".join([*anchor, node.module] if node.module else anchor)
            else:
                base = node.module or ""
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def forbidden_imports(source: str, name: str) -> set[str]:
    return {
        module
        for module in imported_modules(source, name)
        if module.split(".")[0] == "tests" and is_test_or_conftest(module)
    }


def constructions(source: str) -> list[str]:
    """Calls that construct a class ``BUILT_ONLY_BY_FACTORIES`` names, as ``line: code``."""
    tree = ast.parse(source)
    classes: set[str] = set()  # names bound to a guarded class
    holders: dict[str, str] = {}  # names bound to a module holding one
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                bound = alias.asname or alias.name
                if BUILT_ONLY_BY_FACTORIES.get(alias.name) == node.module:
                    classes.add(bound)
                elif f"{node.module}.{alias.name}" in GUARDED_MODULES:
                    holders[bound] = f"{node.module}.{alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in GUARDED_MODULES:
                    holders[alias.asname or alias.name] = alias.name
    calls = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name) and func.id in classes:
            calls.append(f"{node.lineno}: {ast.unparse(node)[:80]}")
        elif isinstance(func, ast.Attribute):
            owner = ast.unparse(func.value)
            module = holders.get(owner, owner)
            if BUILT_ONLY_BY_FACTORIES.get(func.attr) == module:
                calls.append(f"{node.lineno}: {ast.unparse(node)[:80]}")
    return calls


def test_no_module_imports_a_test_module_or_a_conftest() -> None:
    offenders = {
        str(path.relative_to(TESTS.parent)): sorted(found)
        for path in modules()
        if (found := forbidden_imports(path.read_text(encoding="utf-8"), module_name(path)))
    }

    assert offenders == {}, (
        "move what is shared to tests/factories.py or tests/support/ and import it from there"
    )


def test_only_the_factory_module_constructs_events_and_subscriptions() -> None:
    offenders = {
        str(path.relative_to(TESTS.parent)): calls
        for path in modules()
        if path != FACTORIES and (calls := constructions(path.read_text(encoding="utf-8")))
    }

    assert offenders == {}, (
        "build them with make_event() or make_subscription() (tests/factories.py)"
    )


def test_shared_helpers_live_in_the_factory_module_or_support() -> None:
    strays = [
        str(path.relative_to(TESTS.parent))
        for path in modules()
        if path.name not in ("conftest.py", "__init__.py")
        and not path.name.startswith("test_")
        and path != FACTORIES
        and SUPPORT not in path.parents
    ]

    assert strays == []


# The rules can fail: each checker catches what it is there to catch.


@pytest.mark.parametrize(
    ("source", "name", "expected"),
    [
        ("from tests.conftest import NOW", "tests.x.test_a", {"tests.conftest"}),
        ("from tests.crawlers.test_runner import crawl", "tests.x.test_a", None),
        ("from tests.crawlers import test_runner", "tests.x.test_a", None),
        ("import tests.feeds.test_ical as ical", "tests.x.test_a", {"tests.feeds.test_ical"}),
        ("from .conftest import real_events", "tests.service.api.test_a", None),
        ("from . import test_store", "tests.service.store.test_a", None),
        ("from tests.factories import NOW", "tests.x.test_a", set()),
        ("from tests.support import crawling", "tests.x.test_a", set()),
        ("from service.test_data import x", "tests.x.test_a", set()),
    ],
)
def test_forbidden_imports_finds_test_and_conftest_modules(
    source: str, name: str, expected: set[str] | None
) -> None:
    found = forbidden_imports(source, name)

    if expected is None:
        assert len(found) == 1
    else:
        assert found == expected


@pytest.mark.parametrize(
    ("source", "count"),
    [
        ("from service.model import Event\nEvent(id='x')", 1),
        ("from service.model import Event as E\nE(id='x')", 1),
        ("from service import model\nmodel.Event(id='x')", 1),
        ("import service.model\nservice.model.Event(id='x')", 1),
        ("from service.model import Subscription\nSubscription(id=0)", 1),
        ("from service.model import Venue\nVenue(city='Berlin')", 0),
        ("from icalendar import Event\nEvent()", 0),
        ("from service.model import ListedEvent\nListedEvent('e1')", 0),
        ("from tests.factories import make_event\nmake_event(title='x')", 0),
    ],
)
def test_constructions_finds_events_built_by_hand(source: str, count: int) -> None:
    assert len(constructions(source)) == count
