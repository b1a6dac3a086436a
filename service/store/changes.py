"""The change counter of a PostgreSQL store: one row, bumped by every transaction that writes.

PostgreSQL has no ``PRAGMA data_version``. Instead, a statement trigger on
every table of the store (migration 0013) adds one to
``store_generation.generation`` in the writing transaction itself, so the
new value becomes visible exactly when the write does: a reader that finds
the counter where it was knows that nothing committed since. A statement
trigger fires once per statement, not per row, so a batch of 500 upserts
costs one extra update. A migration that adds a table calls :func:`track`.
"""

from __future__ import annotations

from sqlalchemy import Connection

COUNTER_TABLE = "store_generation"
UNTRACKED = frozenset({COUNTER_TABLE, "rate_limits", "crawl_schedule", "alembic_version"})
"""Tables whose writes change nothing a reader keeps: the counter itself, rate limits, the
crawl scheduler's leases."""
FUNCTION = "meetscout_bump_generation"
TRIGGER = "meetscout_generation"
READ = f"SELECT generation FROM {COUNTER_TABLE} WHERE id = 1"


def install(connection: Connection) -> None:
    """Create the trigger function and track every table of the store but :data:`UNTRACKED`."""
    connection.exec_driver_sql(
        f"CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN UPDATE {COUNTER_TABLE} SET generation = generation + 1 WHERE id = 1; "
        "RETURN NULL; END $$"
    )
    for table in _tables(connection):
        track(connection, table)


def track(connection: Connection, table: str) -> None:
    """Bump the counter after every INSERT, UPDATE, DELETE and TRUNCATE of ``table``."""
    connection.exec_driver_sql(
        f'CREATE TRIGGER {TRIGGER} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "{table}" '
        f"FOR EACH STATEMENT EXECUTE FUNCTION {FUNCTION}()"
    )


def uninstall(connection: Connection) -> None:
    for table in _tables(connection):
        connection.exec_driver_sql(f'DROP TRIGGER IF EXISTS {TRIGGER} ON "{table}"')
    connection.exec_driver_sql(f"DROP FUNCTION IF EXISTS {FUNCTION}()")


def _tables(connection: Connection) -> list[str]:
    names = connection.exec_driver_sql(
        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename"
    ).scalars()
    return [name for name in names if name not in UNTRACKED]
