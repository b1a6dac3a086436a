"""The workers benchmark's PostgreSQL store: the same events as its SQLite store."""

from __future__ import annotations

from pathlib import Path

from benchmarks.search import NOW, build, cities
from benchmarks.workers import postgres_store
from service.search import Point, SearchRequest, search
from service.store import EventStore, make_engine
from tests.support.databases import postgres_database

SIZE = 400


def pages(url: str) -> list[tuple[int, list[str]]]:
    """What a few searches find in the store at ``url``: each total and page of ids."""
    store = EventStore(make_engine(url))
    asked = [
        SearchRequest(near=Point(51.5072, -0.1276), radius_km=50, limit=20),
        SearchRequest(near=Point(43.6532, -79.3832), radius_km=50, sort="date", limit=20),
        SearchRequest(sectors=("technology",), sort="date", limit=20),
        SearchRequest(q="meetup", sort="date", limit=20),
    ]
    try:
        found = []
        for request in asked:
            page = search(store, request, now=NOW)
            found.append((page.total, [item.event.id for item in page.items]))
        return found
    finally:
        store.engine.dispose()


def test_postgres_store_copies_the_events_the_sqlite_store_is_built_from(
    tmp_path: Path,
) -> None:
    database = tmp_path / "events.db"
    build(database, SIZE, cities())
    with postgres_database(migrated=False) as url:
        postgres_store(url, SIZE)

        copied = pages(url)

    built = pages(f"sqlite:///{database}")
    assert copied == built
    assert all(total > 0 and ids for total, ids in built)
