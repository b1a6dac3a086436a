"""Shared test fixtures: a frozen clock, settings in a temporary folder, a fresh store.

Fixtures only: what tests import (factories, helpers) lives in ``tests/factories.py``
and ``tests/support/``.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from service.settings import Settings
from service.store import EventStore, make_engine, migrate
from tests.factories import NOW
from tests.support.databases import postgres_database
from tests.support.templates import Templates

SLOWEST_FIRST = (
    "tests/faults/test_kills_crawl.py",
    "tests/service/api/test_feed_bundled.py",
    "tests/faults/test_kills_digest.py",
    "tests/faults/test_crawl_faults.py",
    "tests/service/test_bundled_recording.py",
    "tests/crawlers/test_runner.py",
    "tests/service/api/test_api_fuzz.py",
    "tests/crawlers/test_spread.py",
    "tests/hostile/test_stateful.py",
    "tests/crawlers/discover/test_discovery_measure.py",
)
"""The files that take longest, most first: pytest-xdist hands files to its workers in the
order collected, and a long file handed out last keeps one worker busy while the other
idles."""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    rank = {path: place for place, path in enumerate(SLOWEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.nodeid.partition("::")[0], len(rank)))


@pytest.fixture
def now() -> datetime:
    return NOW


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """This test process's own PostgreSQL database, migrated (tests/support/databases.py)."""
    with postgres_database() as url:
        yield url


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    """SQLite; the store, search, API, feed and digest tests also ask for PostgreSQL
    (their folders' conftest.py parametrise this fixture with ``backend_url``)."""
    return f"sqlite:///{tmp_path / 'meetscout.db'}"


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return Settings(
        database_url=database_url,
        sources=tmp_path / "sources.toml",
        base_url="http://testserver",
    )


@pytest.fixture(scope="session")
def templates(tmp_path_factory: pytest.TempPathFactory) -> Templates:
    """Built SQLite stores, copied into tests' stores (tests/support/templates.py)."""
    return Templates(tmp_path_factory.mktemp("templates"))


@pytest.fixture
def store(settings: Settings, templates: Templates) -> Iterator[EventStore]:
    engine = make_engine(settings.database_url)
    if engine.dialect.name == "sqlite":
        templates.restore(engine, "migrated")
    else:
        migrate(engine)
    yield EventStore(engine)
    engine.dispose()
