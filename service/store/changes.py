"""The store's change counters, bumped in the writing transaction itself.

``store_generation`` row 1 counts every write on PostgreSQL; row 2 (there)
and row 1 (on SQLite) count only the changes a reader can be shown.

PostgreSQL has no ``PRAGMA data_version``. Instead, a statement trigger on
every table of the store (migration 0013) adds one to row 1 in the writing
transaction itself, so the new value becomes visible exactly when the write
does: a reader that finds the counter where it was knows that nothing
committed since. Whole events follow it. (An upsert of a batch is executed
as one statement per row, so it bumps row 1 once per row and trigger.)

A crawl that finds its events unchanged still writes each one (``last_seen``,
the snapshot count) and its health, and would otherwise empty every kept
search total and feed plan at each commit, several times a minute while
crawls run. So a second count moves only on changes a reader can be shown:
any insert, delete or truncate of a table but :data:`UNSHOWN_TABLES`, an
update of ``events`` that changed a column other than
:data:`UNSHOWN_EVENT_COLUMNS`, an update of another table that changed its
row. On SQLite (migration 0017) row triggers bump row 1 so; on PostgreSQL
(migration 0018) row triggers bump row 2, once per transaction. A migration
that adds a table, or a column to ``events``, calls :func:`track` for it.
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
"""Tables that kept answers never read (a source's crawl health is read afresh): their
writes leave the count of shown changes alone."""
UNSHOWN_EVENT_COLUMNS = frozenset({"last_seen", "missing_snapshots"})
"""What a crawl writes of an event it finds unchanged (``service.store.events``). The event
itself shows ``last_seen``, so whole events are kept by ``data_version``, not the counter."""
READ = f"SELECT generation FROM {COUNTER_TABLE} WHERE id = 1"
BUMP = f"UPDATE {COUNTER_TABLE} SET generation = generation + 1 WHERE id = 1;"
SHOWN = 2
"""PostgreSQL: the row of ``store_generation`` that counts shown changes (row 1 counts every
write there, as the kill campaigns and whole events expect)."""
SHOWN_FUNCTION = "meetscout_bump_shown"
SHOWN_TRIGGER = "meetscout_shown"
SHOWN_ACTIONS = ("insert", "update", "delete", "truncate")
SHOWN_SETTING = "meetscout.shown_bumped"
"""Set for the transaction once it bumped the count of shown changes."""
READ_BOTH = (
    f"SELECT (SELECT generation FROM {COUNTER_TABLE} WHERE id = 1), "
    f"(SELECT generation FROM {COUNTER_TABLE} WHERE id = {SHOWN}), "
    "count(*), sum(xmin::text::bigint) FROM pg_class "
    "WHERE relnamespace = current_schema()::regnamespace"
)
"""PostgreSQL, in one round trip: both counters, and the schema's tables (their number and
the sum of their catalog rows' transaction ids: a table created, dropped, altered or
truncated changes it; VACUUM and ANALYZE update those rows in place and leave it)."""


def install(connection: Connection) -> None:
    """PostgreSQL: create the trigger function and track every table but :data:`UNTRACKED`."""
    connection.exec_driver_sql(
        f"CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN UPDATE {COUNTER_TABLE} SET generation = generation + 1 WHERE id = 1; "
        "RETURN NULL; END $$"
    )
    for table in _tables(connection):
        _track_every_write(connection, table)


def track(connection: Connection, table: str) -> None:
    """Count the changes of ``table`` a reader can be shown (both backends) and, on
    PostgreSQL, every INSERT, UPDATE, DELETE and TRUNCATE of it. Made again if there."""
    if connection.dialect.name == "sqlite":
        _track_sqlite(connection, table)
        return
    connection.exec_driver_sql(f'DROP TRIGGER IF EXISTS {TRIGGER} ON "{table}"')
    _track_every_write(connection, table)
    _track_shown(connection, table)


def _track_every_write(connection: Connection, table: str) -> None:
    connection.exec_driver_sql(
        f'CREATE TRIGGER {TRIGGER} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "{table}" '
        f"FOR EACH STATEMENT EXECUTE FUNCTION {FUNCTION}()"
    )


def install_shown(connection: Connection) -> None:
    """PostgreSQL: the row that counts shown changes, its trigger function, and its
    triggers on every table but :data:`UNTRACKED` and :data:`UNSHOWN_TABLES`."""
    connection.exec_driver_sql(
        f"INSERT INTO {COUNTER_TABLE} (id, generation) VALUES ({SHOWN}, 0) "
        "ON CONFLICT (id) DO NOTHING"
    )
    _shown_function(connection, SHOWN_FUNCTION, "OLD::text = NEW::text")
    for table in _tables(connection):
        _track_shown(connection, table)


def _shown_function(connection: Connection, name: str, unchanged: str) -> None:
    """A trigger function that bumps the count of shown changes, but not for an update
    where ``unchanged`` holds, and once per transaction: a local setting says it bumped
    already (a rolled-back savepoint takes the setting back with the bump)."""
    connection.exec_driver_sql(
        f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN IF current_setting('{SHOWN_SETTING}', true) = 'on' THEN RETURN NULL; END IF; "
        f"IF TG_OP = 'UPDATE' THEN IF {unchanged} THEN RETURN NULL; END IF; END IF; "
        f"UPDATE {COUNTER_TABLE} SET generation = generation + 1 WHERE id = {SHOWN}; "
        f"PERFORM set_config('{SHOWN_SETTING}', 'on', true); "
        "RETURN NULL; END $$"
    )


def _track_shown(connection: Connection, table: str) -> None:
    """Row triggers on ``table`` (a statement trigger for TRUNCATE); an update counts
    when the row changed, beyond :data:`UNSHOWN_EVENT_COLUMNS` for ``events``.

    Not statement triggers with transition tables: the store upserts a batch
    by executemany, one statement per row, and capturing each statement's
    rows and querying them cost 1.4x a recrawl's upserts; a WHEN clause is
    compiled again for each statement (1.2x), comparing rows as ``jsonb``
    too. Here an event seen again costs one call and a comparison of its
    columns, and the counter is bumped once per transaction however many
    rows change. ``events`` has a function of its own, made from its columns
    as they are now (as on SQLite): a migration that adds a column to it
    calls :func:`track` again.
    """
    if table in UNSHOWN_TABLES:
        return
    function = SHOWN_FUNCTION
    if table == "events":
        function = f"{SHOWN_FUNCTION}_events"
        # json has no equality: compared as its text. The generated full-text column
        # follows the others.
        columns = [
            f'"{name}"::text' if kind == "json" else f'"{name}"'
            for name, kind in connection.exec_driver_sql(
                "SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute "
                "WHERE attrelid = 'events'::regclass AND attnum > 0 AND NOT attisdropped "
                "AND attgenerated = '' ORDER BY attnum"
            )
            if name not in UNSHOWN_EVENT_COLUMNS
        ]
        old = ", ".join(f"OLD.{column}" for column in columns)
        new = ", ".join(f"NEW.{column}" for column in columns)
        _shown_function(connection, function, f"({old}) IS NOT DISTINCT FROM ({new})")
    for action in SHOWN_ACTIONS:
        level = "STATEMENT" if action == "truncate" else "ROW"
        connection.exec_driver_sql(
            f"CREATE OR REPLACE TRIGGER {SHOWN_TRIGGER}_{action} "
            f'AFTER {action.upper()} ON "{table}" FOR EACH {level} EXECUTE FUNCTION {function}()'
        )


def uninstall_shown(connection: Connection) -> None:
    for table in _tables(connection):
        for action in SHOWN_ACTIONS:
            connection.exec_driver_sql(
                f'DROP TRIGGER IF EXISTS {SHOWN_TRIGGER}_{action} ON "{table}"'
            )
    connection.exec_driver_sql(f"DROP FUNCTION IF EXISTS {SHOWN_FUNCTION}_events()")
    connection.exec_driver_sql(f"DROP FUNCTION IF EXISTS {SHOWN_FUNCTION}()")
    connection.exec_driver_sql(f"DELETE FROM {COUNTER_TABLE} WHERE id = {SHOWN}")


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
