"""Alembic owns the schema: the migrations build exactly the declared tables, once."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, text

from service.store import EventStore, SubscriptionStore, migrate
from service.store.engine import alembic_config
from service.store.tables import metadata
from tests.factories import NOW, make_subscription, python_meetup


def test_migrations_match_table_declarations(store: EventStore) -> None:
    with store.engine.connect() as conn:
        context = MigrationContext.configure(conn)
        diff = compare_metadata(context, metadata)
    assert diff == []


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
