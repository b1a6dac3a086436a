"""Alembic owns the schema: the migrations build exactly the declared tables."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from service.store import EventStore, migrate
from service.store.tables import metadata


def test_migrations_match_table_declarations(store: EventStore) -> None:
    with store.engine.connect() as conn:
        context = MigrationContext.configure(conn)
        diff = compare_metadata(context, metadata)
    assert diff == []


def test_migrate_twice_is_a_no_op(store: EventStore) -> None:
    migrate(store.engine)
    with store.engine.connect() as conn:
        heads = MigrationContext.configure(conn).get_current_heads()
    assert heads
