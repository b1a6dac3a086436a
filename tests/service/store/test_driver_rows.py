"""Candidates read by the database driver: the same rows and values a ranking reads through
SQLAlchemy, on SQLite and on PostgreSQL."""

from __future__ import annotations

import json
from datetime import UTC

import pytest
from sqlalchemy import Column, MetaData, String, Table, bindparam, select
from sqlalchemy.exc import DBAPIError

from service.places.distance import Box
from service.search.rank import FREE_VALUE, end_seconds
from service.store import EventQuery, EventStore, nearby
from service.store.prepared import Prepared
from service.store.tables import events
from tests.factories import NOW
from tests.support.saved import located_events


def _through_sqlalchemy(_prepared: Prepared, _engine: object) -> list[tuple[object, ...]]:
    raise AssertionError("read through SQLAlchemy's rows")


def test_a_window_of_candidates_holds_each_events_own_values(
    store: EventStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The window's bounds are events' own starts, so a bound sent in another format than
    the stored one would drop or add the events at the edges."""
    monkeypatch.setattr(Prepared, "rows", _through_sqlalchemy)
    located = [e for e in located_events() if e.venue.lat is not None]
    store.upsert_many(located, now=NOW)
    starts = sorted(e.start.astimezone(UTC) for e in located if "technology" in e.sectors)
    low, high = starts[len(starts) // 4], starts[3 * len(starts) // 4]
    query = EventQuery(starts_from=low, end=high, sectors=("technology",))

    found = nearby.candidates(
        store, query=query, boxes=[Box(-90.0, 90.0, -180.0, 180.0)], by_start=True
    )

    by_id = {e.id: e for e in located}
    expected = {e.id for e in located if low <= e.start <= high and "technology" in e.sectors}
    assert expected and {row[0] for row in found.located} == expected
    for event_id, lat, lon, start, kind, mode, is_free, status, sectors, end, _ in found.located:
        event = by_id[event_id]
        assert (lat, lon) == (event.venue.lat, event.venue.lon)
        assert type(start) is float and start == pytest.approx(event.start.timestamp())
        assert (kind, mode, status) == (
            event.kind.value,
            event.attendance.value,
            event.status.value,
        )
        assert is_free == event.is_free and FREE_VALUE[is_free] == FREE_VALUE[event.is_free]
        assert json.loads(sectors) == list(event.sectors)
        assert end_seconds(end) == pytest.approx(event.effective_end.timestamp())


def test_a_count_near_a_place_is_read_by_the_driver(
    store: EventStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    located = [e for e in located_events() if e.venue.lat is not None]
    store.upsert_many(located, now=NOW)
    monkeypatch.setattr(Prepared, "rows", _through_sqlalchemy)

    counted = nearby.count_within(
        store, query=EventQuery(), boxes=[Box(-90.0, 90.0, -180.0, 180.0)], at_most=5
    )

    assert counted == 6
    assert nearby.count_within(
        store, query=EventQuery(), boxes=[Box(-90.0, 90.0, -180.0, 180.0)]
    ) == len(located)


def test_a_list_sqlalchemy_expands_per_run_is_read_as_sqlalchemy_reads_it(
    store: EventStore,
) -> None:
    located = located_events()
    store.upsert_many(located, now=NOW)
    some = sorted(e.id for e in located)[:3]
    statement = select(events.c.id).where(events.c.id.in_(bindparam("ids", expanding=True)))

    read = Prepared(statement, {"ids": some}).driver_rows(store.engine)

    assert sorted(row[0] for row in read) == some


def test_a_database_error_reads_as_sqlalchemys(store: EventStore) -> None:
    missing = Table("no_such_table", MetaData(), Column("id", String))
    statement = select(missing.c.id).where(missing.c.id == bindparam("id"))

    with pytest.raises(DBAPIError, match="no_such_table"):
        Prepared(statement, {"id": "x"}).driver_rows(store.engine)
