"""Reads built once per shape and events kept while the store is unchanged: never stale."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Select, select

from service.model import Event, Kind
from service.search import Point, SearchCache, SearchRequest, search
from service.search.facts import StoreFacts
from service.search.kept_events import KeptEvents
from service.store import EventQuery, EventStore, make_engine, migrate
from service.store.statements import prepare
from service.store.tables import events as table
from service.store.watch import StoreWatch
from tests.factories import NOW, berlin_meetup, python_meetup


def _ids() -> Select[Any]:
    return select(table.c.id)


@contextmanager
def reads(store: EventStore, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[EventQuery]]:
    """The whole-event reads the store answers inside the block."""
    seen: list[EventQuery] = []
    search = store.search

    def counted(*, query: EventQuery) -> list[Event]:
        seen.append(query)
        return search(query=query)

    monkeypatch.setattr(store, "search", counted)
    yield seen
    monkeypatch.undo()


def test_one_statement_per_shape_whatever_the_values() -> None:
    first = prepare(_ids, EventQuery(start=NOW, kinds=(Kind.MEETUP,), q="python"))
    second = prepare(
        _ids, EventQuery(start=NOW + timedelta(days=3), kinds=(Kind.MEETUP, Kind.WORKSHOP), q="go")
    )
    other = prepare(_ids, EventQuery(start=NOW, q="two words"))

    assert first.statement is second.statement
    assert first.params != second.params
    assert other.statement is not first.statement


def test_no_like_pattern_is_bound_whole() -> None:
    """SQLite prepares a statement again each time a LIKE pattern bound as a whole changes
    (its LIKE optimisation plans by it): the wildcards are joined to the value in SQL."""
    query = EventQuery(start=NOW, sectors=("healthcare", "technology"), q="python 50%")
    sql = str(prepare(_ids, query).statement.compile(dialect=make_engine("sqlite://").dialect))

    assert sql.count("LIKE '%' || ") == 2
    assert "LIKE ?" not in sql and "LIKE lower(?)" not in sql
    assert "events_fts MATCH ?" in sql


def test_a_kept_statement_runs_with_each_query_values(store: EventStore) -> None:
    store.upsert_many([python_meetup(n) for n in range(1, 6)], now=NOW)

    for days in range(1, 6):
        found = store.search(query=EventQuery(start=NOW + timedelta(days=days, hours=3)))
        assert [e.title for e in found] == [f"Python meetup {n}" for n in range(days + 1, 6)]
    assert store.count(query=EventQuery(ids=[python_meetup(2).id, python_meetup(4).id])) == 2
    assert store.count(query=EventQuery(ids=[python_meetup(3).id])) == 1


def test_text_search_reads_wildcards_literally(store: EventStore) -> None:
    store.upsert_many(
        [python_meetup(1, title="50% off tickets"), python_meetup(2, title="500 people")], now=NOW
    )

    found = store.search(query=EventQuery(q="50%"))

    assert [e.title for e in found] == ["50% off tickets"]


def test_events_are_read_once_while_the_store_is_unchanged(
    store: EventStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.upsert_many([python_meetup(1), python_meetup(2)], now=NOW)
    kept = KeptEvents(StoreFacts())
    ids = [python_meetup(1).id, python_meetup(2).id]

    first = kept.by_id(store, ids)
    with reads(store, monkeypatch) as seen:
        again = kept.by_id(store, ids)

    assert seen == []
    assert again == first
    assert again[ids[0]] is first[ids[0]]


def test_a_write_brings_the_fresh_event(store: EventStore) -> None:
    store.upsert_many([python_meetup(1)], now=NOW)
    kept = KeptEvents(StoreFacts())
    event_id = python_meetup(1).id
    before = kept.by_id(store, [event_id])[event_id]
    shown_before = kept.derived(before, "title", lambda e: e.title.upper())

    store.upsert_many([python_meetup(1, title="Renamed meetup")], now=NOW + timedelta(hours=1))
    after = kept.by_id(store, [event_id])[event_id]

    assert after.title == "Renamed meetup"
    assert kept.derived(after, "title", lambda e: e.title.upper()) == "RENAMED MEETUP"
    assert shown_before == "PYTHON MEETUP 1"


def test_a_crawl_that_finds_nothing_new_keeps_totals_not_stale_events(
    store: EventStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Seen again, an event shows its new ``last_seen``; what a search counts is unchanged,
    so its total is not counted again."""
    meetups = [python_meetup(n) for n in range(1, 4)]
    store.upsert_many(meetups, now=NOW)
    cache = SearchCache()
    counted: list[EventQuery] = []
    count_until = store.count_until

    def counting(*, query: EventQuery, series: bool = False) -> tuple[int, Any]:
        counted.append(query)
        return count_until(query=query, series=series)

    monkeypatch.setattr(store, "count_until", counting)
    first = search(store, SearchRequest(limit=2), now=NOW, cache=cache)
    store.upsert_many(meetups, now=NOW + timedelta(hours=1))
    again = search(store, SearchRequest(limit=2), now=NOW, cache=cache)
    store.upsert_many([python_meetup(4)], now=NOW + timedelta(hours=2))
    more = search(store, SearchRequest(limit=2), now=NOW, cache=cache)

    assert (first.total, again.total, more.total) == (3, 3, 4)
    assert len(counted) == 2
    assert {item.event.last_seen for item in first.items} == {NOW}
    assert {item.event.last_seen for item in again.items} == {NOW + timedelta(hours=1)}


def test_derived_values_are_kept_only_with_the_kept_event(store: EventStore) -> None:
    store.upsert_many([python_meetup(1)], now=NOW)
    kept = KeptEvents(StoreFacts())
    event_id = python_meetup(1).id
    calls: list[str] = []

    def shown(e: Event) -> str:
        calls.append(e.id)
        return e.title

    stored = kept.by_id(store, [event_id])[event_id]
    kept.derived(stored, "shown", shown)
    kept.derived(stored, "shown", shown)
    lookalike = python_meetup(1, title="Not from the store")
    assert kept.derived(lookalike, "shown", shown) == "Not from the store"

    assert calls == [event_id, event_id]


def test_a_store_that_cannot_tell_changes_is_read_every_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    engine = make_engine("sqlite://")
    migrate(engine)
    store = EventStore(engine)
    store.upsert_many([python_meetup(1)], now=NOW)
    kept = KeptEvents(StoreFacts())
    event_id = python_meetup(1).id

    kept.by_id(store, [event_id])
    with reads(store, monkeypatch) as seen:
        kept.by_id(store, [event_id])

    assert len(seen) == 1


@pytest.mark.parametrize(
    "request_",
    [
        SearchRequest(),
        SearchRequest(sort="date"),
        SearchRequest(near=Point(52.52, 13.405, "Berlin"), radius_km=50),
    ],
    ids=["score", "date", "near"],
)
def test_a_search_asks_once_whether_the_store_changed(
    store: EventStore, cache: SearchCache, monkeypatch: pytest.MonkeyPatch, request_: SearchRequest
) -> None:
    """Each ask is a round trip on PostgreSQL: one per search, however many facts it reads."""
    store.upsert_many([berlin_meetup(number) for number in range(5)], now=NOW)
    search(store, request_, now=NOW, cache=cache)
    asks: list[str] = []
    watch = type(cache.facts._watches[next(iter(cache.facts._watches))])
    inside: list[str] = []

    def counted(name: str) -> Callable[[StoreWatch], Any]:
        """An ask is a call of either from outside the watch (both() reads generation() on
        SQLite; on PostgreSQL it reads both counters in one statement)."""
        real = getattr(watch, name)

        def ask(self: StoreWatch) -> Any:
            if not inside:
                asks.append(name)
            inside.append(name)
            try:
                return real(self)
            finally:
                inside.pop()

        return ask

    for name in ("generation", "both"):
        monkeypatch.setattr(watch, name, counted(name))
    page = search(store, request_, now=NOW, cache=cache)

    assert page.items
    assert len(asks) == 1
