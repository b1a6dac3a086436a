"""The store: upsert by id, history fields, batches, filters."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from service.model import Kind, Status
from service.store import EventQuery, EventStore
from tests.factories import NOW, python_meetup
from tests.support.databases import ONLY_SQLITE


def test_upsert_new_event_sets_history(store: EventStore) -> None:
    result = store.upsert_many([python_meetup()], now=NOW)
    assert (result.inserted, result.changed, result.unchanged) == (1, 0, 0)
    stored = store.get(event_id=python_meetup().id)
    assert stored is not None
    assert stored.first_seen == stored.last_seen == stored.updated == NOW
    assert stored.sequence == 0
    assert stored.venue == python_meetup().venue
    assert stored.start == python_meetup().start


def test_upsert_same_event_keeps_first_seen_and_updated(store: EventStore) -> None:
    store.upsert_many([python_meetup()], now=NOW)
    later = NOW + timedelta(days=1)
    result = store.upsert_many([python_meetup()], now=later)
    assert (result.inserted, result.changed, result.unchanged) == (0, 0, 1)
    stored = store.get(event_id=python_meetup().id)
    assert stored is not None
    assert stored.first_seen == NOW
    assert stored.last_seen == later
    assert stored.updated == NOW
    assert stored.sequence == 0


def test_upsert_changed_time_raises_sequence(store: EventStore) -> None:
    store.upsert_many([python_meetup()], now=NOW)
    later = NOW + timedelta(days=1)
    moved = python_meetup(start=NOW + timedelta(days=1, hours=1))
    result = store.upsert_many([moved], now=later)
    assert result.changed == 1
    stored = store.get(event_id=moved.id)
    assert stored is not None
    assert stored.sequence == 1
    assert stored.updated == later
    assert stored.first_seen == NOW


def test_upsert_changed_description_updates_without_sequence(store: EventStore) -> None:
    store.upsert_many([python_meetup()], now=NOW)
    later = NOW + timedelta(hours=1)
    store.upsert_many([python_meetup(description="Now with pizza")], now=later)
    stored = store.get(event_id=python_meetup().id)
    assert stored is not None
    assert stored.description == "Now with pizza"
    assert stored.updated == later
    assert stored.sequence == 0


def test_upsert_cancellation_raises_sequence(store: EventStore) -> None:
    store.upsert_many([python_meetup()], now=NOW)
    store.upsert_many([python_meetup(status=Status.CANCELLED)], now=NOW + timedelta(hours=1))
    stored = store.get(event_id=python_meetup().id)
    assert stored is not None
    assert stored.status is Status.CANCELLED
    assert stored.sequence == 1


def test_upsert_many_spans_batches(store: EventStore) -> None:
    events = [python_meetup(n) for n in range(1, 1203)]
    result = store.upsert_many(events, now=NOW)
    assert result.inserted == 1202
    assert store.count(query=EventQuery()) == 1202


@ONLY_SQLITE
def test_store_uses_wal_on_sqlite(store: EventStore) -> None:
    with store.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar_one() == "wal"


@ONLY_SQLITE
def test_sqlite_reads_through_a_bounded_page_cache_not_a_memory_map(store: EventStore) -> None:
    """A memory map would keep every page a worker read in its resident memory."""
    with store.engine.connect() as conn:
        assert conn.execute(text("PRAGMA mmap_size")).scalar_one() == 0
        cache_kib = -conn.execute(text("PRAGMA cache_size")).scalar_one()
    assert 0 < cache_kib <= 2 * 1024


def test_search_upcoming_overlapping_window(store: EventStore) -> None:
    past = python_meetup(1, start=NOW - timedelta(days=3), end=NOW - timedelta(days=2))
    ongoing = python_meetup(2, start=NOW - timedelta(hours=1), end=NOW + timedelta(hours=1))
    future = python_meetup(3)
    store.upsert_many([past, ongoing, future], now=NOW)
    found = store.search(query=EventQuery(start=NOW))
    assert [e.id for e in found] == [ongoing.id, future.id]


def test_search_filters_kind_and_text(store: EventStore) -> None:
    store.upsert_many(
        [python_meetup(1), python_meetup(2, kind=Kind.CONFERENCE, title="PyCon 100%_sure")],
        now=NOW,
    )
    assert [e.title for e in store.search(query=EventQuery(kinds=[Kind.CONFERENCE]))] == [
        "PyCon 100%_sure"
    ]
    assert len(store.search(query=EventQuery(q="pycon"))) == 1
    assert len(store.search(query=EventQuery(q="100%_"))) == 1
    assert store.search(query=EventQuery(q="%x_")) == []  # wildcards are literal
    assert len(store.search(query=EventQuery(q="london"))) == 2


def test_search_keyset_pages_are_complete_and_disjoint(store: EventStore) -> None:
    same_start = NOW + timedelta(days=5)
    events = [
        python_meetup(n, start=same_start, end=same_start + timedelta(hours=1)) for n in range(10)
    ]
    store.upsert_many(events, now=NOW)
    seen: list[str] = []
    after = None
    while True:
        page = store.search(query=EventQuery(limit=3, after=after))
        if not page:
            break
        seen.extend(e.id for e in page)
        after = (page[-1].start, page[-1].id)
    assert sorted(seen) == sorted(e.id for e in events)
    assert len(seen) == len(set(seen))


def test_naive_datetime_is_refused() -> None:
    import pytest

    with pytest.raises(ValueError, match="timezone-aware"):
        python_meetup(start=datetime(2026, 12, 1, 18, 0))  # noqa: DTZ001
    assert python_meetup(start=datetime(2026, 12, 1, 18, 0, tzinfo=UTC)).start.tzinfo is UTC


def test_upsert_cuts_a_value_longer_than_its_column(store: EventStore) -> None:
    """PostgreSQL would refuse the whole batch; both stores keep the event, the value cut."""
    long = python_meetup(1, currency="Plain words")
    store.upsert_many([long, python_meetup(2)], now=NOW)

    stored = store.get(event_id=long.id)
    assert stored is not None
    assert stored.currency == "Plain wo"
    assert store.get(event_id=python_meetup(2).id) is not None


def test_upsert_keeps_an_event_whose_text_holds_a_nul(store: EventStore) -> None:
    """PostgreSQL's text cannot hold NUL: it is dropped there, and the event is kept."""
    odd = python_meetup(1, title="Python\x00 Meetup")
    store.upsert_many([odd], now=NOW)

    stored = store.get(event_id=odd.id)
    assert stored is not None
    assert stored.title.replace("\x00", "") == "Python Meetup"
