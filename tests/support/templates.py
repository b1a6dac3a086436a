"""SQLite stores built once per test process and copied into each test's own store.

Migrating a new SQLite file and seeding it with the saved real events costs
about a quarter of a second; hundreds of tests ask for the same migrated (or
seeded) store. The first ask builds it, by :func:`migrate` and the same
``upsert_many`` a test would run, into a file of this process's; every ask
copies that file's pages into the test's store with SQLite's backup API,
which writes through the test's own open connection. A PostgreSQL store is
migrated once per process already (``tests/support/databases.py``) and
emptied before each test; the first seeding's rows are copied into a schema
of that database and put back from there after each emptying.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable, Iterable
from contextlib import closing
from pathlib import Path

from sqlalchemy import Engine, text

from service.model import Event
from service.store import EventStore, make_engine, migrate
from tests.factories import NOW
from tests.support.databases import KEPT_TABLES

Fill = Callable[[EventStore], object]
OWNED_SEQUENCES = (
    "SELECT s.relname, t.relname, a.attname FROM pg_class s "
    "JOIN pg_depend d ON d.objid = s.oid AND d.deptype IN ('a', 'i') "
    "JOIN pg_class t ON t.oid = d.refobjid "
    "JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid "
    "WHERE s.relkind = 'S' AND s.relnamespace = current_schema()::regnamespace"
)


class Templates:
    """Built stores by name, in one folder of this test process."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._built: dict[str, Path] = {}
        self._copied: dict[tuple[str, str], list[tuple[str, str]]] = {}

    def restore(self, engine: Engine, name: str, fill: Fill | None = None) -> None:
        """Make the SQLite store behind ``engine`` a copy of the store ``name``: migrated,
        then filled by ``fill`` (the same name must always come with the same fill)."""
        template = self._built.get(name) or self._build(name, fill)
        with closing(sqlite3.connect(template)) as source:
            raw = engine.raw_connection()
            try:
                source.backup(raw.driver_connection)  # type: ignore[arg-type]
            finally:
                raw.close()

    def seed(self, store: EventStore, name: str, events: Callable[[], Iterable[Event]]) -> None:
        """``store.upsert_many(events(), now=NOW)`` into an empty store, or its copy: on SQLite
        the pages of a store built so, on PostgreSQL the rows the first seeding wrote."""
        engine = store.engine
        if engine.dialect.name == "sqlite":
            self.restore(engine, name, lambda built: built.upsert_many(events(), now=NOW))
            return
        key = (engine.url.render_as_string(hide_password=False), name)
        schema = "seed_" + re.sub(r"\W", "_", name)
        copied = self._copied.get(key)
        if copied is None:
            store.upsert_many(events(), now=NOW)
            self._copied[key] = _keep_rows(engine, schema)
        else:
            _put_rows_back(engine, schema, copied)

    def _build(self, name: str, fill: Fill | None) -> Path:
        path = self.folder / f"{name}.db"
        engine = make_engine(f"sqlite:///{path}")
        try:
            migrate(engine)
            if fill is not None:
                fill(EventStore(engine))
        finally:
            engine.dispose()
        self._built[name] = path
        return path


def _keep_rows(engine: Engine, schema: str) -> list[tuple[str, str]]:
    """PostgreSQL: copy every table's rows into ``schema``; (table, its columns but the
    generated ones) of the tables that have rows, those without a foreign key first (one
    level of reference is all the schema has)."""
    with engine.begin() as connection:
        tables = connection.execute(
            text(
                "SELECT c.relname, string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum), "
                "(SELECT count(*) FROM pg_constraint f "
                " WHERE f.conrelid = c.oid AND f.contype = 'f') "
                "FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid "
                "WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'r' "
                "AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = '' "
                "GROUP BY c.oid, c.relname ORDER BY 3, 1"
            )
        ).all()
        connection.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        connection.execute(text(f"CREATE SCHEMA {schema}"))
        kept = []
        for table, columns, _ in tables:
            empty = not connection.execute(text(f"SELECT EXISTS (SELECT 1 FROM {table})")).scalar()
            if empty or table in KEPT_TABLES:
                continue
            connection.execute(
                text(f"CREATE TABLE {schema}.{table} AS SELECT {columns} FROM {table}")
            )
            kept.append((table, columns))
    return kept


def _put_rows_back(engine: Engine, schema: str, kept: list[tuple[str, str]]) -> None:
    """PostgreSQL: the emptied store's rows as :func:`_keep_rows` copied them, and each
    table's id sequence past its largest id."""
    with engine.begin() as connection:
        for table, columns in kept:
            connection.execute(
                text(
                    f"INSERT INTO {table} ({columns}) OVERRIDING SYSTEM VALUE "
                    f"SELECT {columns} FROM {schema}.{table}"
                )
            )
        for sequence, table, column in connection.execute(text(OWNED_SEQUENCES)).all():
            connection.execute(
                text(
                    f"SELECT setval('{sequence}', "
                    f"coalesce((SELECT max({column}) FROM {table}), 0) + 1, false)"
                )
            )
