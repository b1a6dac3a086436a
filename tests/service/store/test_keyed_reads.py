"""A read that names its rows by key (ids, series keys) finds them through the key's index,
whatever else it checks: SQLite, planning without statistics, would rather walk a kind's or
a date's index in order than sort a few dozen rows."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Select, select

from service.model import Attendance, Kind, Status
from service.store import EventQuery, EventStore
from service.store.statements import prepare
from service.store.tables import events
from tests.factories import NOW, python_meetup
from tests.support.databases import ONLY_SQLITE, query_plan


def _dates() -> Select[Any]:
    return select(events.c.series_key, events.c.id, events.c.start)


CHECKS = [
    {"kinds": (Kind.MEETUP,)},
    {"statuses": (Status.SCHEDULED,)},
    {"attendance": (Attendance.IN_PERSON,)},
    {"sources": ("test",)},
    {"end": NOW + timedelta(days=30)},
    {"seen_since": NOW - timedelta(days=1)},
]


@ONLY_SQLITE
@pytest.mark.parametrize("checks", CHECKS, ids=lambda checks: next(iter(checks)))
@pytest.mark.parametrize("key", ["series_keys", "ids"])
def test_a_keyed_read_goes_through_the_key_index(
    store: EventStore, key: str, checks: dict[str, Any]
) -> None:
    store.upsert_many([python_meetup(n) for n in range(1, 6)], now=NOW)
    query = EventQuery(start=NOW, **{key: ("a", "b")}, **checks)  # type: ignore[arg-type]

    with store.engine.connect() as conn:
        plan = " ".join(query_plan(conn, prepare(_dates, query, in_order=True)))

    index = "ix_events_series_key_start" if key == "series_keys" else "sqlite_autoindex_events_1"
    assert index in plan, plan


@pytest.mark.parametrize("checks", CHECKS, ids=lambda checks: next(iter(checks)))
def test_a_keyed_read_still_applies_every_check(store: EventStore, checks: dict[str, Any]) -> None:
    """On both stores: the checks still filter; only the way in changed."""
    meetups = [python_meetup(n) for n in range(1, 4)]
    store.upsert_many(meetups, now=NOW)
    ids = tuple(event.id for event in meetups)
    failing = {
        "kinds": (Kind.CONFERENCE,),
        "statuses": (Status.CANCELLED,),
        "attendance": (Attendance.ONLINE,),
        "sources": ("elsewhere",),
        "end": NOW - timedelta(days=1),
        "seen_since": NOW + timedelta(days=1),
    }
    name = next(iter(checks))

    kept = store.search(query=EventQuery(start=NOW, ids=ids, **checks))  # type: ignore[arg-type]
    dropped = store.search(query=EventQuery(start=NOW, ids=ids, **{name: failing[name]}))  # type: ignore[arg-type]

    assert sorted(event.id for event in kept) == sorted(ids)
    assert dropped == []
