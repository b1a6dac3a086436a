"""A read that names its rows by key (ids, series keys) finds them through the key's index,
whatever else it checks: SQLite, planning without statistics, would rather walk a kind's or
a date's index in order than sort a few dozen rows."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Select, event, select

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


@pytest.mark.parametrize("key", ["ids", "series_keys"])
def test_keys_are_one_bound_list_whatever_their_number(store: EventStore, key: str) -> None:
    """A page's keys are bound as one value, so the statement SQLite prepares is the same for
    3 keys and for 300 (an expanding IN would be a new statement for each length), and the
    keys still find exactly their events, with keys that name none among them."""
    weekly = python_meetup(8, title="Python meetup 1")  # a week after the first: its series
    meetups = [*(python_meetup(n) for n in range(1, 8)), weekly]
    store.upsert_many(meetups, now=NOW)
    with store.engine.connect() as conn:
        keyed: dict[str, str] = dict(conn.execute(select(events.c.id, events.c.series_key)).all())
    series_keys = list(keyed.values())
    keys = list(keyed) if key == "ids" else sorted(set(series_keys))
    statements: list[str] = []

    def seen(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append(statement)

    event.listen(store.engine, "before_cursor_execute", seen)
    try:
        few = store.search(query=EventQuery(**{key: keys[:3]}))  # type: ignore[arg-type]
        many = store.search(
            query=EventQuery(**{key: [*keys, *(f"missing-{n}" for n in range(300))]})  # type: ignore[arg-type]
        )
        repeated = store.repeated_series([*set(series_keys), "missing"])
    finally:
        event.remove(store.engine, "before_cursor_execute", seen)

    assert len(statements) == 3 and statements[0] == statements[1]
    named = set(keys[:3])
    assert {found.id for found in few} == {
        event_id
        for event_id, series in keyed.items()
        if (event_id if key == "ids" else series) in named
    }
    assert {found.id for found in many} == set(keyed)
    assert repeated == {keyed[weekly.id]} == {keyed[meetups[0].id]}
