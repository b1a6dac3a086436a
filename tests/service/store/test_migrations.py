"""Alembic owns the schema: the migrations build exactly the declared tables, once.

SQLite here, but for the tests that say PostgreSQL: they use this process's
own PostgreSQL database (tests/support/databases.py).
"""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, event, inspect, text

from service.store import (
    EventQuery,
    EventStore,
    HealthStore,
    SubscriptionStore,
    changes,
    fulltext,
    is_current,
    make_engine,
    migrate,
)
from service.store.engine import alembic_config, script_heads
from service.store.fulltext import is_declared
from service.store.tables import metadata
from service.store.watch import StoreWatch
from tests.factories import NOW, clean_crawl_run, make_subscription, python_meetup
from tests.support.databases import empty


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'meetscout.db'}"


def test_migrations_match_table_declarations(store: EventStore) -> None:
    with store.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_object": is_declared})
        diff = compare_metadata(context, metadata)
    assert diff == []


RANKED_INDEXES = ("ix_events_geo_cell_rank", "ix_events_geo_row_start")
"""Indexes that carry what ranking reads, ``sectors`` among it on SQLite only."""


SQLITE_ONLY_TABLES = ("event_sectors",)
"""Tables only SQLite's migrations make (each event once per sector, kept by triggers)."""


def _not_a_ranked_index(obj: Any, name: str | None, kind: str, *rest: Any) -> bool:
    if kind == "table" and name in SQLITE_ONLY_TABLES:
        return False
    return not (kind == "index" and name in RANKED_INDEXES) and is_declared(obj, name, kind, *rest)


def test_migrations_match_table_declarations_on_postgresql(postgres_url: str) -> None:
    """The same tables but SQLite's own; the ranked indexes leave out ``sectors`` (JSON has
    no btree order)."""
    engine = make_engine(postgres_url)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_object": _not_a_ranked_index})
        diff = compare_metadata(context, metadata)
        built = {index["name"]: index for index in inspect(conn).get_indexes("events")}
    engine.dispose()
    declared = {index.name: index for index in metadata.tables["events"].indexes}

    assert diff == []
    for name in RANKED_INDEXES:
        assert built[name]["column_names"] == [
            column.name for column in declared[name].columns if column.name != "sectors"
        ]


def _triggers(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        return set(
            conn.execute(
                text(
                    "SELECT event_object_table FROM information_schema.triggers "
                    "WHERE trigger_name = :name"
                ),
                {"name": changes.TRIGGER},
            ).scalars()
        )


def test_postgresql_change_counter_goes_down_and_up_with_its_migration(postgres_url: str) -> None:
    engine = make_engine(postgres_url)
    tracked = _triggers(engine)
    config = alembic_config(engine)
    with engine.connect() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0012_crawl_schedule")
        conn.commit()
    after_downgrade = _triggers(engine)
    migrate(engine)

    assert "events" in tracked
    assert "digest_deliveries" in tracked
    assert tracked.isdisjoint(changes.UNTRACKED)
    assert after_downgrade == set()
    assert _triggers(engine) == tracked
    engine.dispose()


def _shown_triggers(engine: Engine) -> set[tuple[str, str]]:
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT tgrelid::regclass::text, tgname FROM pg_trigger WHERE tgname LIKE :name"),
            {"name": f"{changes.SHOWN_TRIGGER}_%"},
        )
        return {(str(table), str(name)) for table, name in rows}


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_the_count_of_shown_changes_goes_down_and_up_with_its_migration(
    backend: str, database_url: str, request: pytest.FixtureRequest
) -> None:
    """0018 (PostgreSQL's second counter): down, every write is a shown change again; up,
    crawl health is not one. SQLite's own count (0017) is left as it is either way."""
    url = database_url
    if backend == "postgresql":
        url = request.getfixturevalue("postgres_url")
        empty(url)
    store = EventStore(make_engine(url))
    migrate(store.engine)
    store.upsert_many([python_meetup(1)], now=NOW)
    postgres = store.engine.dialect.name == "postgresql"
    triggers = _shown_triggers(store.engine) if postgres else set()
    watch = StoreWatch.for_engine(store.engine)
    try:
        _migrate_to(store.engine, "0017", down=True)
        if postgres:
            assert _shown_triggers(store.engine) == set()
        before = watch.both()
        _record_health(store)
        after_downgrade = watch.both()
        migrate(store.engine)
        before_health = watch.both()
        _record_health(store)
        after = watch.both()
    finally:
        watch.close()

    assert after_downgrade[0] != before[0]
    assert (after_downgrade[1] == after_downgrade[0]) is postgres
    assert after[0] != before_health[0]
    assert after[1] == before_health[1]
    if postgres:
        assert {table for table, _ in triggers} == {
            table for table in _triggers(store.engine) if table not in changes.UNSHOWN_TABLES
        }
        assert {name for _, name in triggers} == {
            f"{changes.SHOWN_TRIGGER}_{action}" for action in changes.SHOWN_ACTIONS
        }
        assert _shown_triggers(store.engine) == triggers
    store.engine.dispose()


def test_on_postgresql_an_update_of_any_shown_column_of_events_is_compared(
    postgres_url: str,
) -> None:
    """The function that compares an updated event is made from its columns: a migration
    that adds one and forgets :func:`changes.track` fails here."""
    engine = make_engine(postgres_url)
    with engine.connect() as conn:
        source = conn.execute(
            text("SELECT prosrc FROM pg_proc WHERE proname = :name"),
            {"name": f"{changes.SHOWN_FUNCTION}_events"},
        ).scalar_one()
        columns = {column["name"] for column in inspect(conn).get_columns("events")}
    engine.dispose()
    compared = {column for column in columns if f'NEW."{column}"' in source}

    assert compared == columns - changes.UNSHOWN_EVENT_COLUMNS - {fulltext.PG_COLUMN}


def _record_health(store: EventStore) -> None:
    HealthStore(store.engine).record(run=clean_crawl_run())


def everything_a_migration_could_change(engine: Engine) -> dict[str, Any]:
    """SQLite's schema as it reports it, Alembic's revisions, and every row of every table."""
    with engine.connect() as conn:
        schema = conn.execute(
            text("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name")
        ).all()
        tables = [name for kind, name, _, _ in schema if kind == "table"]
        return {
            "schema": schema,
            "schema_version": conn.execute(text("PRAGMA schema_version")).scalar_one(),
            "revisions": set(MigrationContext.configure(conn).get_current_heads()),
            "rows": {
                table: sorted(map(repr, conn.execute(text(f'SELECT * FROM "{table}"')).all()))
                for table in tables
            },
        }


def test_migrate_twice_is_a_no_op(store: EventStore) -> None:
    store.upsert_many([python_meetup(1), python_meetup(2)], now=NOW)
    SubscriptionStore(store.engine).create(subscription=make_subscription(), confirm_code="c")
    newest = set(ScriptDirectory.from_config(alembic_config(store.engine)).get_heads())
    before = everything_a_migration_could_change(store.engine)

    migrate(store.engine)

    after = everything_a_migration_could_change(store.engine)
    assert before["revisions"] == newest
    assert len(before["rows"]["events"]) == 2
    assert len(before["rows"]["subscriptions"]) == 1
    assert after == before


FAIL_AT = "CREATE TABLE subscriptions"
"""A statement of a later revision (0005): the earlier ones have run when it comes."""


def _tables(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return list(
            conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'table'")).scalars()
        )


def _newest(engine: Engine) -> set[str]:
    return set(ScriptDirectory.from_config(alembic_config(engine)).get_heads())


def test_a_migration_failing_part_way_leaves_the_store_as_it_was(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'meetscout.db'}")

    def fail(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.strip().startswith(FAIL_AT):
            raise RuntimeError("the disk is full")

    event.listen(engine, "before_cursor_execute", fail)
    with pytest.raises(RuntimeError, match="the disk is full"):
        migrate(engine)
    event.remove(engine, "before_cursor_execute", fail)

    assert _tables(engine) == []
    migrate(engine)
    assert everything_a_migration_could_change(engine)["revisions"] == _newest(engine)
    engine.dispose()


KILLED_MID_MIGRATION = f"""
import os, signal, sys
from sqlalchemy import event
from service.store import make_engine, migrate

engine = make_engine(sys.argv[1])

@event.listens_for(engine, "before_cursor_execute")
def _die(conn, cursor, statement, *args):
    if statement.strip().startswith({FAIL_AT!r}):
        os.kill(os.getpid(), signal.SIGKILL)

migrate(engine)
"""


def test_kill_9_during_the_first_migration_leaves_a_store_the_next_run_migrates(
    tmp_path: Path,
) -> None:
    """A first crawl killed while it creates the schema: the next one must not find
    half a schema ("table events already exists")."""
    url = f"sqlite:///{tmp_path / 'meetscout.db'}"
    killed = subprocess.run(
        [sys.executable, "-c", KILLED_MID_MIGRATION, url], check=False, capture_output=True
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr.decode()

    engine = make_engine(url)
    assert _tables(engine) == []
    migrate(engine)
    store = EventStore(engine)
    store.upsert_many([python_meetup(1)], now=NOW)
    assert everything_a_migration_could_change(engine)["revisions"] == _newest(engine)
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA integrity_check")).scalar_one() == "ok"
    engine.dispose()


def _migrate_to(engine: Engine, revision: str, *, down: bool = False) -> None:
    config = alembic_config(engine)
    with engine.connect() as conn:
        config.attributes["connection"] = conn
        (command.downgrade if down else command.upgrade)(config, revision)
        conn.commit()


def _full_text_objects(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return list(
            conn.execute(
                text("SELECT name FROM sqlite_master WHERE name LIKE 'events_fts%' ORDER BY name")
            ).scalars()
        )


def test_full_text_migration_indexes_the_events_already_stored(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'meetscout.db'}")
    migrate(engine)
    store = EventStore(engine)
    store.upsert_many([python_meetup(1, title="Nursing careers"), python_meetup(2)], now=NOW)
    _migrate_to(engine, "0013", down=True)

    migrate(engine)

    found = store.search(query=EventQuery(q="nurses"))
    assert [event.title for event in found] == ["Nursing careers"]
    engine.dispose()


def test_full_text_migration_goes_down_and_up(store: EventStore) -> None:
    store.upsert_many(
        [python_meetup(1, title="Nursing careers"), python_meetup(2, title="Nursing fair")],
        now=NOW,
    )
    created = _full_text_objects(store.engine)

    _migrate_to(store.engine, "0013", down=True)
    after_downgrade = _full_text_objects(store.engine)
    migrate(store.engine)

    assert "events_fts" in created and "events_fts_update" in created
    assert after_downgrade == []
    assert _full_text_objects(store.engine) == created
    found = store.search(query=EventQuery(q="nurse"))
    assert sorted(event.title for event in found) == ["Nursing careers", "Nursing fair"]


def test_full_text_migration_on_postgresql_indexes_the_events_already_stored(
    postgres_url: str,
) -> None:
    empty(postgres_url)
    engine = make_engine(postgres_url)
    migrate(engine)
    store = EventStore(engine)
    store.upsert_many([python_meetup(1, title="Nursing careers"), python_meetup(2)], now=NOW)
    _migrate_to(engine, "0013", down=True)
    try:
        with engine.connect() as conn:
            columns = {column["name"] for column in inspect(conn).get_columns("events")}
        assert fulltext.PG_COLUMN not in columns
    finally:
        migrate(engine)

    found = store.search(query=EventQuery(q="nurses"))
    assert [event.title for event in found] == ["Nursing careers"]
    assert [event.title for event in store.search(query=EventQuery(q="CAREERS"))] == [
        "Nursing careers"
    ]
    empty(postgres_url)
    engine.dispose()


def test_series_keys_of_stored_events_are_written_by_their_migration(store: EventStore) -> None:
    """Events stored before 0015 get the key an upsert would have written (0014 -> 0015)."""
    weekly = [python_meetup(1), python_meetup(8, title="Python meetup 1"), python_meetup(2)]
    store.upsert_many(weekly, now=NOW)
    written = _series_keys(store.engine)
    config = alembic_config(store.engine)
    with store.engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0014")
        assert "series_key" not in {c["name"] for c in inspect(conn).get_columns("events")}
        command.upgrade(config, "0015")

    assert _series_keys(store.engine) == written
    assert len(set(written.values())) == 2, "two dates of one meetup, and another meetup"


def _series_keys(engine: Engine) -> dict[str, str]:
    with engine.connect() as conn:
        return dict(conn.execute(text("SELECT id, series_key FROM events")).all())  # type: ignore[arg-type]


def test_the_newest_revisions_read_from_the_files_are_alembics(store: EventStore) -> None:
    assert script_heads() == _newest(store.engine)


STARTS_A_SERVER = """
import sys
from service.app import create_app
from service.settings import Settings
create_app(Settings(database_url=sys.argv[1]))
print("alembic" in sys.modules)
"""


@pytest.mark.parametrize(("migrated", "loads_alembic"), [(True, False), (False, True)])
def test_alembic_is_loaded_only_by_a_server_that_migrates(
    tmp_path: Path, migrated: bool, loads_alembic: bool
) -> None:
    url = f"sqlite:///{tmp_path / 'meetscout.db'}"
    engine = make_engine(url)
    if migrated:
        migrate(engine)
    assert is_current(engine) is migrated
    engine.dispose()

    started = subprocess.run(
        [sys.executable, "-c", STARTS_A_SERVER, url], capture_output=True, text=True, check=True
    )

    assert started.stdout.split() == [str(loads_alembic)]
    assert is_current(make_engine(url))
