"""Each located event once per sector on SQLite (migration 0019), kept by triggers on events,
and what a search for one sector near a place reads from it."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any

import pytest
from alembic import command
from sqlalchemy import Engine, Select, inspect, select, text

from service.model import Venue
from service.places.distance import Box, bounding_boxes
from service.store import CurationStore, EventQuery, EventStore, dialects
from service.store.engine import alembic_config
from service.store.statements import prepare
from service.store.tables import events
from tests.factories import NOW, python_meetup
from tests.support.databases import ONLY_SQLITE, query_plan
from tests.support.saved import located_events

COPIED = ("id", "geo_row", "start", "end", "kind", "attendance", "is_free", "status", "lat", "lon")


def _ids() -> Select[tuple[str]]:
    return select(events.c.id)


def mirrored(engine: Engine) -> list[tuple[Any, ...]]:
    with engine.connect() as conn:
        columns = ", ".join(f'"{name}"' for name in COPIED)
        return sorted(conn.execute(text(f"SELECT sector, {columns} FROM event_sectors")).all())


def expected(engine: Engine) -> list[tuple[Any, ...]]:
    """What the mirror should hold: every located event once per sector, read from events."""
    columns = ", ".join(f'events."{name}"' for name in COPIED)
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                f"SELECT sector.value, {columns} FROM events, json_each(events.sectors) AS sector "
                "WHERE geo_row IS NOT NULL"
            )
        ).all()
    return sorted(rows)


@ONLY_SQLITE
def test_each_located_event_is_kept_once_per_sector(store: EventStore) -> None:
    both = python_meetup(1, sectors=["technology", "healthcare"])
    online = python_meetup(2, venue=Venue(), sectors=["technology"])
    none = python_meetup(3, sectors=[])
    store.upsert_many([both, online, none], now=NOW)

    rows = mirrored(store.engine)
    assert Counter((row[0], row[1]) for row in rows) == {
        ("technology", both.id): 1,
        ("healthcare", both.id): 1,
    }
    assert rows == expected(store.engine)


@ONLY_SQLITE
def test_the_mirror_follows_every_change_and_removal(store: EventStore) -> None:
    store.upsert_many([python_meetup(n, sectors=["technology"]) for n in range(1, 4)], now=NOW)
    store.upsert_many(
        [
            python_meetup(1, sectors=["legal"]),
            python_meetup(2, venue=Venue(name="Hall", city="Leeds", lat=53.8, lon=-1.55)),
            python_meetup(3, venue=Venue()),
        ],
        now=NOW + timedelta(hours=1),
    )
    assert CurationStore(store.engine).hide(event_id=python_meetup(1).id, now=NOW)

    rows = mirrored(store.engine)
    assert [(row[0], row[1], row[2]) for row in rows] == [
        ("technology", python_meetup(2).id, 1438)  # Leeds' row of cells, not London's
    ]
    assert rows == expected(store.engine)


@ONLY_SQLITE
def test_a_crawl_that_finds_events_unchanged_leaves_the_mirror_alone(store: EventStore) -> None:
    store.upsert_many(located_events(), now=NOW)
    with store.engine.connect() as conn:
        before = conn.execute(text("SELECT count(*) FROM event_sectors")).scalar_one()
    store.upsert_many(located_events(), now=NOW + timedelta(days=1))
    assert mirrored(store.engine) == expected(store.engine)
    with store.engine.connect() as conn:
        after = conn.execute(text("SELECT count(*) FROM event_sectors")).scalar_one()
        # Seen again: last_seen changes on every event, which the mirror does not copy.
        changes = conn.execute(
            text("SELECT count(*) FROM events WHERE last_seen > first_seen")
        ).scalar_one()
    assert after == before > 0 and changes > 0


@ONLY_SQLITE
@pytest.mark.parametrize("by_start", [True, False])
def test_a_search_for_one_sector_seeks_that_sectors_rows(store: EventStore, by_start: bool) -> None:
    (box,) = bounding_boxes(51.5, -0.12, 25)
    window = {"starts_from": NOW, "end": NOW + timedelta(days=1)} if by_start else {}
    one = EventQuery(start=NOW, sectors=("healthcare",), **window)
    with store.engine.connect() as conn:
        read = dialects.within_box(store.engine, prepare(_ids, one), events, box, by_start=by_start)
        plan = " ".join(query_plan(conn, read))
        others = [
            " ".join(
                query_plan(
                    conn,
                    dialects.within_box(
                        store.engine, prepare(_ids, q), events, box, by_start=by_start
                    ),
                )
            )
            for q in (
                EventQuery(start=NOW, sectors=("healthcare", "legal"), **window),
                EventQuery(start=NOW, sectors=("healthcare",), q="nurse", **window),
                EventQuery(start=NOW, sectors=("healthcare",), sources=("a",), **window),
            )
        ]
    sought = "event_sectors USING PRIMARY KEY (sector=? AND geo_row=?"
    assert sought + (" AND start>? AND start<?)" if by_start else ")") in plan
    assert all("event_sectors" not in other for other in others), others


BOXES = {
    "Europe": (Box(40.0, 55.0, -5.0, 20.0), ("technology", "engineering-and-manufacturing")),
    "London": (Box(51.0, 51.6, -0.5, 0.3), ("technology", "design-and-arts")),
    "the world": (Box(-90.0, 90.0, -180.0, 180.0), ("technology", "energy-and-environment")),
}


@pytest.mark.parametrize("where", BOXES)
@pytest.mark.parametrize("by_start", [True, False])
def test_a_read_of_one_sector_finds_exactly_its_events_inside_the_box(
    store: EventStore, where: str, by_start: bool
) -> None:
    """On both backends (PostgreSQL tests the sectors of every event, as before)."""
    box, sectors = BOXES[where]
    located = located_events()
    store.upsert_many(located, now=NOW)
    starts = sorted(e.start for e in located)
    window = {"starts_from": starts[len(starts) // 4], "end": starts[-1]} if by_start else {}
    engine = store.engine
    for sector in sectors:
        query = EventQuery(sectors=(sector,), **window)
        read = dialects.within_box(engine, prepare(_ids, query), events, box, by_start=by_start)
        found = [row[0] for row in read.rows(engine)]
        inside = {
            e.id
            for e in located
            if e.venue.lat is not None
            and box.contains(e.venue.lat, e.venue.lon)  # type: ignore[arg-type]
            and sector in e.sectors
            and (not window or window["starts_from"] <= e.start <= window["end"])
        }
        assert inside, sector
        assert sorted(found) == sorted(inside)


@ONLY_SQLITE
def test_the_migration_fills_the_mirror_from_the_events_stored(store: EventStore) -> None:
    store.upsert_many(located_events(), now=NOW)
    config = alembic_config(store.engine)
    with store.engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0018")
        assert "event_sectors" not in inspect(conn).get_table_names()
        command.upgrade(config, "0019")
    assert len(mirrored(store.engine)) > 10
    assert mirrored(store.engine) == expected(store.engine)
