"""The store's change counter: one row, bumped in the writing transaction itself.

PostgreSQL has no ``PRAGMA data_version``. Instead, a statement trigger on
every table of the store (migration 0013) adds one to
``store_generation.generation`` in the writing transaction itself, so the
new value becomes visible exactly when the write does: a reader that finds
the counter where it was knows that nothing committed since. A statement
trigger fires once per statement, not per row, so a batch of 500 upserts
costs one extra update.

SQLite tells every change by ``PRAGMA data_version``; there the counter
counts only the changes a reader can be shown (migration 0017). A crawl
that finds its events unchanged still writes each one (``last_seen``, the
snapshot count) and its health, and would otherwise empty every kept
search total and feed plan at each commit, several times a minute while
crawls run. Row triggers bump the counter on every insert and delete, and
on an update of ``events`` only when a column other than
:data:`UNSHOWN_EVENT_COLUMNS` changed. A migration that adds a table, or a
column to ``events``, calls :func:`track` for it.
"""

from __future__ import annotations

from sqlalchemy import Connection

COUNTER_TABLE = "store_generation"
UNTRACKED = frozenset({COUNTER_TABLE, "rate_limits", "crawl_schedule", "alembic_version"})
"""Tables whose writes change nothing a reader keeps: the counter itself, rate limits, the
crawl scheduler's leases."""
FUNCTION = "meetscout_bump_generation"
TRIGGER = "meetscout_generation"
UNSHOWN_TABLES = frozenset({"crawl_runs"})
"""Tables that kept answers never read (a source's crawl health is read afresh): on SQLite
their writes leave the counter alone."""
UNSHOWN_EVENT_COLUMNS = frozenset({"last_seen", "missing_snapshots"})
"""What a crawl writes of an event it finds unchanged (``service.store.events``). The event
itself shows ``last_seen``, so whole events are kept by ``data_version``, not the counter."""
READ = f"SELECT generation FROM {COUNTER_TABLE} WHERE id = 1"
BUMP = f"UPDATE {COUNTER_TABLE} SET generation = generation + 1 WHERE id = 1;"


def install(connection: Connection) -> None:
    """PostgreSQL: create the trigger function and track every table but :data:`UNTRACKED`."""
    connection.exec_driver_sql(
        f"CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN UPDATE {COUNTER_TABLE} SET generation = generation + 1 WHERE id = 1; "
        "RETURN NULL; END $$"
    )
    for table in _tables(connection):
        track(connection, table)


def track(connection: Connection, table: str) -> None:
    """Bump the counter after every INSERT, UPDATE, DELETE and TRUNCATE of ``table``
    (PostgreSQL), or after every change of it a reader can be shown (SQLite)."""
    if connection.dialect.name == "sqlite":
        _track_sqlite(connection, table)
        return
    connection.exec_driver_sql(
        f'CREATE TRIGGER {TRIGGER} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "{table}" '
        f"FOR EACH STATEMENT EXECUTE FUNCTION {FUNCTION}()"
    )


def uninstall(connection: Connection) -> None:
    for table in _tables(connection):
        connection.exec_driver_sql(f'DROP TRIGGER IF EXISTS {TRIGGER} ON "{table}"')
    connection.exec_driver_sql(f"DROP FUNCTION IF EXISTS {FUNCTION}()")


def install_sqlite(connection: Connection) -> None:
    """SQLite: track every table but :data:`UNTRACKED`, :data:`UNSHOWN_TABLES` and the
    virtual tables' own (full text, the R*Tree), which their triggers on ``events`` fill."""
    rows = connection.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'table' ORDER BY name"
    ).all()
    virtual = [name for name, sql in rows if str(sql).upper().startswith("CREATE VIRTUAL")]
    for name, _ in rows:
        if (
            name in UNTRACKED
            or name in UNSHOWN_TABLES
            or name.startswith("sqlite_")
            or any(name == table or name.startswith(f"{table}_") for table in virtual)
        ):
            continue
        _track_sqlite(connection, name)


def uninstall_sqlite(connection: Connection) -> None:
    names = connection.exec_driver_sql(
        "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE ?",
        (f"{TRIGGER}%",),
    ).scalars()
    for name in list(names):
        connection.exec_driver_sql(f'DROP TRIGGER IF EXISTS "{name}"')


def _track_sqlite(connection: Connection, table: str) -> None:
    """Row triggers on ``table``: every insert and delete, and an update that changes a
    column a reader can be shown. Made again from the table's columns as they are now."""
    columns = [str(row[1]) for row in connection.exec_driver_sql(f'PRAGMA table_info("{table}")')]
    if table == "events":
        columns = [column for column in columns if column not in UNSHOWN_EVENT_COLUMNS]
    changed = " OR ".join(f'old."{column}" IS NOT new."{column}"' for column in columns)
    for action in ("insert", "delete", "update"):
        name = f"{TRIGGER}_{table}_{action}"
        when = f" WHEN {changed}" if action == "update" else ""
        connection.exec_driver_sql(f'DROP TRIGGER IF EXISTS "{name}"')
        connection.exec_driver_sql(
            f'CREATE TRIGGER "{name}" AFTER {action.upper()} ON "{table}"{when} BEGIN {BUMP} END'
        )


def _tables(connection: Connection) -> list[str]:
    names = connection.exec_driver_sql(
        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename"
    ).scalars()
    return [name for name in names if name not in UNTRACKED]
