"""The spatial index: grid cells in a covering btree index (migration 0009), kept by upserts."""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import timedelta
from itertools import pairwise
from typing import Any

import pytest
from alembic import command
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Result, Select, inspect, select, text

from service.model import Attendance, Kind
from service.places.cells import LON_STEPS, cell_of, cell_ranges, row_ranges
from service.places.distance import Box, bounding_boxes
from service.settings import Settings
from service.store import EventQuery, EventStore, dialects, make_engine, migrate, nearby
from service.store.engine import alembic_config
from service.store.geo_rtree import GEO_TABLE, geo_key
from service.store.statements import prepare
from service.store.tables import events
from tests.factories import NOW
from tests.support.databases import ONLY_POSTGRESQL, ONLY_SQLITE, literal_sql, query_plan
from tests.support.saved import located_events

latitudes = st.floats(min_value=-90, max_value=90, allow_nan=False)
longitudes = st.floats(min_value=-180, max_value=180, allow_nan=False)


def _ids() -> Select[tuple[str]]:
    return select(events.c.id)


def stored_cells(store: EventStore) -> dict[str, int | None]:
    with store.engine.connect() as conn:
        return dict(conn.execute(text("SELECT id, geo_cell FROM events")).all())  # type: ignore[arg-type]


@given(lat=latitudes, lon=longitudes, radius=st.floats(min_value=0.001, max_value=500))
def test_every_point_of_a_search_box_lies_in_its_cell_ranges(
    lat: float, lon: float, radius: float
) -> None:
    boxes = bounding_boxes(lat, lon, radius)
    ranges = cell_ranges(boxes)
    for box in boxes:
        for point_lat in (box.min_lat, (box.min_lat + box.max_lat) / 2, box.max_lat):
            for point_lon in (box.min_lon, (box.min_lon + box.max_lon) / 2, box.max_lon):
                cell = cell_of(point_lat, point_lon)
                assert any(low <= cell <= high for low, high in ranges)  # type: ignore[operator]
    assert all(low <= high < following for (low, high), (following, _) in pairwise(ranges))


@given(lat=latitudes, lon=longitudes, radius=st.floats(min_value=0.001, max_value=500))
def test_a_box_by_rows_holds_the_cells_of_its_ranges_row_by_row(
    lat: float, lon: float, radius: float
) -> None:
    """The row and start read (migration 0016) covers the same cells as the cell read."""
    for box in bounding_boxes(lat, lon, radius):
        by_rows = row_ranges([box])
        assert [row for row, _, _ in by_rows] == sorted({row for row, _, _ in by_rows})
        for row, first, last in by_rows:
            assert row * LON_STEPS <= first <= last < (row + 1) * LON_STEPS
        for low, high in cell_ranges([box]):
            for cell in (low, (low + high) // 2, high):
                assert any(
                    row == cell // LON_STEPS and first <= cell <= last
                    for row, first, last in by_rows
                )


@ONLY_SQLITE
def test_a_window_of_start_time_near_a_place_seeks_the_row_and_start_index(
    store: EventStore,
) -> None:
    query = EventQuery(start=NOW, starts_from=NOW, end=NOW + timedelta(days=1))
    (box,) = bounding_boxes(43.65, -79.38, 25)
    prepared = dialects.within_box(store.engine, prepare(_ids, query), events, box, by_start=True)
    with store.engine.connect() as conn:
        plan = " ".join(query_plan(conn, prepared))
    assert "ix_events_geo_row_start (geo_row=? AND start>? AND start<?)" in plan


@ONLY_POSTGRESQL
def test_postgresql_seeks_a_window_of_start_time_row_by_row(store: EventStore) -> None:
    """As on SQLite, each row of cells is sought to the window in the row and start index,
    its cells checked there too, instead of every cell of the box read at every time."""
    store.upsert_many(located_events(), now=NOW)
    query = EventQuery(start=NOW, starts_from=NOW, end=NOW + timedelta(days=1))
    (box,) = bounding_boxes(43.65, -79.38, 25)
    with store.engine.connect() as conn:
        conn.exec_driver_sql("ANALYZE events")
        conn.exec_driver_sql("SET enable_seqscan = off")
        prepared = dialects.within_box(
            store.engine,
            prepare(nearby._slim("postgresql"), query),
            events,
            box,
            by_start=True,
        )
        sql = literal_sql(conn, prepared)
        plan = [row[0] for row in conn.execute(text(f"EXPLAIN {sql}"))]

    assert any("Function Scan on row_of_cells" in line for line in plan)
    assert any("ix_events_geo_row_start" in line for line in plan)
    (condition,) = [line for line in plan if "Index Cond:" in line]
    assert "(geo_row = row_of_cells.value)" in condition
    assert "(start >= " in condition and "(start <= " in condition
    assert "(geo_cell >= row_of_cells.low)" in condition


@given(lat=latitudes, lon=longitudes)
def test_neighbours_in_a_row_have_neighbouring_cells(lat: float, lon: float) -> None:
    cell = cell_of(lat, lon)
    assert cell is not None and 0 <= cell < 1801 * LON_STEPS
    east = cell_of(lat, min(180.0, lon + 0.001))
    assert east is not None and cell <= east <= cell + math.ceil(0.001 / 360 * LON_STEPS) + 1


def test_a_small_search_reads_a_row_or_two_the_largest_under_a_hundred() -> None:
    assert len(cell_ranges(bounding_boxes(43.65, -79.38, 2))) <= 2
    assert len(cell_ranges(bounding_boxes(43.65, -79.38, 50))) <= 11
    assert len(cell_ranges(bounding_boxes(43.65, -79.38, 500))) <= 93
    # Near the pole a box spans every longitude: whole rows, merged into one range.
    assert len(cell_ranges(bounding_boxes(89.0, 0.0, 200))) == 1


@ONLY_SQLITE
def test_migration_0009_fills_cells_and_takes_them_back(settings: Settings) -> None:
    engine = make_engine(settings.database_url)
    migrate(engine)
    store = EventStore(engine)
    located = located_events()
    store.upsert_many(located, now=NOW)
    expected = {e.id: cell_of(e.venue.lat, e.venue.lon) for e in located}
    assert stored_cells(store) == expected
    config = alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0008")
    with engine.connect() as conn:
        columns = {column["name"] for column in inspect(conn).get_columns("events")}
        keys = dict(conn.execute(text("SELECT id, geo_key FROM events")).all())
        tree = {row[0] for row in conn.execute(text(f"SELECT event_id FROM {GEO_TABLE}"))}
    assert "geo_cell" not in columns
    assert keys == {e.id: geo_key(e.id) for e in located}
    assert tree == {event_id for event_id, cell in expected.items() if cell is not None}

    migrate(engine)

    assert stored_cells(store) == expected
    with engine.connect() as conn:
        assert not conn.execute(
            text(f"SELECT name FROM sqlite_master WHERE name = '{GEO_TABLE}'")
        ).all()
        assert "geo_key" not in {c["name"] for c in inspect(conn).get_columns("events")}
    engine.dispose()


def test_upsert_keeps_the_cells_in_step(store: EventStore) -> None:
    located = [e for e in located_events() if e.venue.lat is not None][:20]
    store.upsert_many(located, now=NOW)
    moved, unlocated = located[0], located[1]
    moved.venue.lat, moved.venue.lon = 10.0, 20.0
    unlocated.venue.lat = unlocated.venue.lon = None

    store.upsert_many([moved, unlocated], now=NOW)

    cells = stored_cells(store)
    assert cells[moved.id] == cell_of(10.0, 20.0)
    assert cells[unlocated.id] is None
    assert all(cells[e.id] == cell_of(e.venue.lat, e.venue.lon) for e in located[2:])


QUERIES = [
    EventQuery(start=NOW),
    EventQuery(
        start=NOW,
        end=NOW + timedelta(days=30),
        starts_from=NOW - timedelta(days=2),
        kinds=(Kind.MEETUP,),
        sectors=("technology", "finance"),
        attendance=(Attendance.IN_PERSON,),
        free=True,
    ),
]


@ONLY_SQLITE
@pytest.mark.parametrize(
    "query",
    [
        EventQuery(start=NOW),
        EventQuery(
            start=NOW,
            end=NOW + timedelta(days=30),
            starts_from=NOW - timedelta(days=2),
            kinds=(Kind.MEETUP,),
            sectors=("technology", "finance"),
            attendance=(Attendance.IN_PERSON,),
            free=True,
        ),
    ],
)
def test_ranking_near_a_place_reads_cell_ranges_from_the_index_alone(
    store: EventStore, query: EventQuery
) -> None:
    """Every column a candidate row needs, and every filter but words, is in the index; the
    planner seeks range after range even when a start window tempts it to the start index."""
    store.upsert_many(located_events(), now=NOW)
    with store.engine.connect() as conn:
        conn.exec_driver_sql("ANALYZE")
        prepared = dialects.within_box(
            store.engine, prepare(nearby._slim("sqlite"), query), events, Box(40, 60, -10, 20)
        )
        plan = query_plan(conn, prepared)

    assert plan[0].startswith("SCAN cell_range VIRTUAL TABLE")
    assert "USING COVERING INDEX ix_events_geo_cell_rank (geo_cell>? AND geo_cell<?)" in plan[1]


@ONLY_POSTGRESQL
@pytest.mark.parametrize("query", QUERIES)
def test_postgresql_reads_each_cell_range_from_the_cell_index(
    store: EventStore, query: EventQuery
) -> None:
    """Each range of the unnested arrays is a range scan of the cell index. (A few hundred
    rows would be read whole, so sequential scans are off.)"""
    store.upsert_many(located_events(), now=NOW)
    with store.engine.connect() as conn:
        conn.exec_driver_sql("ANALYZE events")
        conn.exec_driver_sql("SET enable_seqscan = off")
        prepared = dialects.within_box(
            store.engine, prepare(nearby._slim("postgresql"), query), events, Box(40, 60, -10, 20)
        )
        sql = literal_sql(conn, prepared)
        plan = "\n".join(row[0] for row in conn.execute(text(f"EXPLAIN {sql}")))

    assert "Function Scan on cell_range" in plan
    assert "on ix_events_geo_cell_rank" in plan or "using ix_events_geo_cell_rank" in plan
    assert "Index Cond: ((geo_cell >= cell_range.low) AND (geo_cell <= cell_range.high))" in plan


def test_a_box_finds_exactly_the_events_inside_it(store: EventStore) -> None:
    store.upsert_many(located_events(), now=NOW)
    box = Box(min_lat=40.0, max_lat=55.0, min_lon=-5.0, max_lon=20.0)
    engine = store.engine
    found = {
        row[0]
        for row in dialects.within_box(engine, prepare(_ids, EventQuery()), events, box).rows(
            engine
        )
    }
    inside = {
        e.id
        for e in located_events()
        if e.venue.lat is not None and box.contains(e.venue.lat, e.venue.lon)  # type: ignore[arg-type]
    }
    assert inside and found == inside


@pytest.mark.parametrize(
    "box",
    [Box(40.0, 55.0, -5.0, 20.0), Box(51.0, 51.05, -0.2, 0.1), Box(-90.0, 90.0, -180.0, 180.0)],
)
def test_a_box_read_by_start_finds_exactly_the_events_inside_it_in_the_window(
    store: EventStore, box: Box
) -> None:
    located = located_events()
    store.upsert_many(located, now=NOW)
    starts = sorted(e.start for e in located)
    low, high = starts[len(starts) // 4], starts[3 * len(starts) // 4]
    query = EventQuery(starts_from=low, end=high)
    engine = store.engine
    read = dialects.within_box(engine, prepare(_ids, query), events, box, by_start=True)
    found = [row[0] for row in read.rows(engine)]
    inside = {
        e.id
        for e in located
        if e.venue.lat is not None
        and box.contains(e.venue.lat, e.venue.lon)  # type: ignore[arg-type]
        and low <= e.start <= high
    }
    assert sorted(found) == sorted(inside)


@ONLY_SQLITE
def test_a_window_read_by_start_reads_no_json_per_index_entry(store: EventStore) -> None:
    """Each row of cells is sought by a plain number; the box's bounds, not a range read out
    of JSON for every entry, keep what the row holds outside the box."""
    query = EventQuery(start=NOW, starts_from=NOW, end=NOW + timedelta(days=1))
    (box,) = bounding_boxes(43.65, -79.38, 25)
    prepared = dialects.within_box(store.engine, prepare(_ids, query), events, box, by_start=True)
    with store.engine.connect() as conn:
        sql = literal_sql(conn, prepared)
    assert "json_extract" not in sql


def test_candidates_are_fetched_at_once_not_row_by_row(
    store: EventStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A ranked search reads thousands of candidates: one fetch of them all, each row as the
    driver gives it (a tuple), not a step and a copy per row."""
    located = located_events()
    store.upsert_many(located, now=NOW)

    def row_by_row(_result: Result[Any]) -> Iterator[Any]:
        raise AssertionError("read row by row")

    monkeypatch.setattr(Result, "__iter__", row_by_row)
    found = nearby.candidates(
        store, query=EventQuery(), boxes=[Box(-90.0, 90.0, -180.0, 180.0)], by_start=False
    )

    event_id, lat, lon, *_ = found.located[0]
    assert len(found.located) == sum(1 for e in located if e.venue.lat is not None)
    assert (lat, lon) == next((e.venue.lat, e.venue.lon) for e in located if e.id == event_id)
