"""The search's own fixture: a cache, as the app keeps one, closed after each test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from service.search import SearchCache
from tests.support.databases import BACKENDS, backend_url


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """These tests run on SQLite and on PostgreSQL (tests/support/databases.py)."""
    return backend_url(request, tmp_path)


@pytest.fixture
def cache() -> Iterator[SearchCache]:
    kept = SearchCache()
    yield kept
    kept.close()
