"""Everything the store says that only one database understands.

The rest of the store speaks portable SQLAlchemy Core; what differs between
SQLite and PostgreSQL (connection pragmas, the upsert statement) lives here.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, Table, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.dml import Insert


def configure(engine: Engine) -> None:
    """Per-connection settings: WAL and a busy timeout for SQLite."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()


def upsert(engine: Engine, table: Table, *, keep: set[str]) -> Insert:
    """An INSERT that updates every column but ``keep`` when the key exists.

    Executed with a list of rows (executemany), so one compiled statement
    serves every batch.
    """
    if engine.dialect.name == "sqlite":
        stmt = sqlite.insert(table)
    elif engine.dialect.name == "postgresql":
        stmt = postgresql.insert(table)
    else:  # pragma: no cover - only the two supported databases reach here
        raise NotImplementedError(f"no upsert for {engine.dialect.name}")
    key = [column.name for column in table.primary_key.columns]
    updates = {
        column.name: stmt.excluded[column.name]
        for column in table.columns
        if column.name not in keep and column.name not in key
    }
    return stmt.on_conflict_do_update(index_elements=key, set_=updates)
