"""The search's own fixture: a cache, as the app keeps one, closed after each test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from service.search import SearchCache


@pytest.fixture
def cache() -> Iterator[SearchCache]:
    kept = SearchCache()
    yield kept
    kept.close()
