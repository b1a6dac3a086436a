"""The spatial index: migration 0004 builds and backfills it, upserts keep it in step."""

from __future__ import annotations

from datetime import timedelta

from alembic import command
from sqlalchemy import Connection, Select, select, text

from service.geo import Box
from service.model import Attendance, Kind
from service.settings import Settings
from service.store import EventQuery, EventStore, dialects, make_engine, migrate, nearby
from service.store.engine import alembic_config
from service.store.geo_sqlite import GEO_TABLE
from service.store.prepared import Prepared
from service.store.statements import prepare
from service.store.tables import events, geo_key
from tests.conftest import NOW
from tests.service.located import located_events


def _ids() -> Select[tuple[str]]:
    return select(events.c.id)


def _literal_sql(conn: Connection, prepared: Prepared) -> str:
    """The statement with its values written in, for EXPLAIN QUERY PLAN."""
    bound = prepared.statement.params(prepared.params)
    return str(bound.compile(conn, compile_kwargs={"literal_binds": True}))


def geo_rows(store: EventStore) -> dict[str, tuple[float, float]]:
    with store.engine.connect() as conn:
        rows = conn.execute(text(f"SELECT rid, event_id, min_lat, min_lon FROM {GEO_TABLE}"))
        found = {}
        for rid, event_id, lat, lon in rows:
            assert rid == geo_key(event_id)
            found[event_id] = (lat, lon)
        return found


def test_migration_0004_backfills_located_events(settings: Settings) -> None:
    engine = make_engine(settings.database_url)
    migrate(engine)
    store = EventStore(engine)
    events = located_events()
    store.upsert_many(events, now=NOW)
    config = alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0003")
    with engine.connect() as conn:
        assert not conn.execute(
            text(f"SELECT name FROM sqlite_master WHERE name = '{GEO_TABLE}'")
        ).all()

    migrate(engine)

    located = {e.id for e in events if e.venue.lat is not None and e.venue.lon is not None}
    assert set(geo_rows(store)) == located
    with engine.connect() as conn:
        keys = dict(conn.execute(text("SELECT id, geo_key FROM events")).all())
    assert keys == {e.id: geo_key(e.id) for e in events}
    engine.dispose()


def test_upsert_keeps_the_index_in_step(store: EventStore) -> None:
    events = located_events()[:20]
    store.upsert_many(events, now=NOW)
    moved, unlocated = events[0], events[1]
    moved.venue.lat, moved.venue.lon = 10.0, 20.0
    unlocated.venue.lat = unlocated.venue.lon = None

    store.upsert_many([moved, unlocated], now=NOW)

    rows = geo_rows(store)
    assert rows[moved.id] == (10.0, 20.0)
    assert unlocated.id not in rows
    assert len(rows) == sum(e.venue.lat is not None for e in events)


def test_geo_key_is_a_stable_positive_63_bit_integer() -> None:
    key = geo_key("62e0c24f13a7f85c4362d74a")

    assert key == geo_key("62e0c24f13a7f85c4362d74a")
    assert 0 < key < 2**63
    assert key != geo_key("62e0c24f13a7f85c4362d74b")


def test_radius_query_is_driven_by_the_rtree(store: EventStore) -> None:
    with store.engine.connect() as conn:
        prepared = dialects.within_box(
            conn, prepare(_ids, EventQuery(start=NOW)), events, Box(1, 2, 3, 4)
        )
        sql = _literal_sql(conn, prepared)
        plan = conn.execute(text(f"EXPLAIN QUERY PLAN {sql}")).all()

    details = [row[-1] for row in plan]
    assert details[0].startswith(f"SCAN {GEO_TABLE} VIRTUAL TABLE")
    assert "ix_events_geo_key_rank (geo_key=?" in details[1]


def test_ranking_near_a_place_reads_the_index_not_the_rows(store: EventStore) -> None:
    """Every column a candidate row needs, and every filter but words, is in the index."""
    query = EventQuery(
        start=NOW,
        end=NOW + timedelta(days=30),
        starts_from=NOW - timedelta(days=2),
        kinds=(Kind.MEETUP,),
        sectors=("technology", "finance"),
        attendance=(Attendance.IN_PERSON,),
        free=True,
    )
    with store.engine.connect() as conn:
        prepared = dialects.within_box(
            conn, prepare(nearby._slim("sqlite"), query), events, Box(1, 2, 3, 4)
        )
        plan = [
            row[-1]
            for row in conn.execute(text(f"EXPLAIN QUERY PLAN {_literal_sql(conn, prepared)}"))
        ]

    assert plan[0].startswith(f"SCAN {GEO_TABLE} VIRTUAL TABLE")
    assert "USING COVERING INDEX ix_events_geo_key_rank (geo_key=?" in plan[1]


def test_the_tree_holds_each_event_from_start_to_end_in_days(store: EventStore) -> None:
    events = [e for e in located_events() if e.venue.lat is not None][:10]
    store.upsert_many(events, now=NOW)
    with store.engine.connect() as conn:
        rows = dict(
            (event_id, (first, last))
            for event_id, first, last in conn.execute(
                text(f"SELECT event_id, min_day, max_day FROM {GEO_TABLE}")
            )
        )
    for event in events:
        first, last = rows[event.id]
        assert abs(first - event.start.timestamp() / 86400) < 0.01
        assert abs(last - event.effective_end.timestamp() / 86400) < 0.01


def test_a_window_near_a_place_is_read_from_the_tree_first(store: EventStore) -> None:
    """With a start window the planner would rather walk the start index; the tree must lead."""
    store.upsert_many(located_events(), now=NOW)
    with store.engine.connect() as conn:
        conn.exec_driver_sql("ANALYZE")
        window = EventQuery(start=NOW, starts_from=NOW, end=NOW + timedelta(days=30))
        days = dialects.Days(
            start_from=dialects.day_number(NOW),
            start_to=dialects.day_number(NOW + timedelta(days=30)),
            end_from=dialects.day_number(NOW),
        )
        prepared = dialects.within_box(
            conn, prepare(_ids, window), events, Box(40, 60, -10, 20), days
        )
        sql = _literal_sql(conn, prepared)
        plan = [row[-1] for row in conn.execute(text(f"EXPLAIN QUERY PLAN {sql}"))]

    assert plan[0].startswith(f"SCAN {GEO_TABLE} VIRTUAL TABLE")
    assert any("ix_events_geo_key" in line for line in plan[1:])


def test_migration_0007_adds_time_to_the_tree_and_takes_it_back(settings: Settings) -> None:
    engine = make_engine(settings.database_url)
    migrate(engine)
    store = EventStore(engine)
    store.upsert_many(located_events(), now=NOW)
    located = set(geo_rows(store))
    config = alembic_config(engine)

    def columns() -> list[str]:
        with engine.connect() as conn:
            return [row[1] for row in conn.execute(text(f"PRAGMA table_info({GEO_TABLE})"))]

    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0006")
    assert "min_day" not in columns()
    assert set(geo_rows(store)) == located

    migrate(engine)
    assert columns()[-3:] == ["min_day", "max_day", "event_id"]
    assert set(geo_rows(store)) == located
    engine.dispose()
