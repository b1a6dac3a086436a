"""The two stores the core tests run on: a SQLite file, and a PostgreSQL database of their own.

Each test process creates one uniquely named PostgreSQL database, migrates it
once, and empties its tables before every test that uses it; the database is
dropped when the process ends. Where no server answers, the PostgreSQL half
is skipped with the reason, unless ``MEETSCOUT_TEST_POSTGRES_REQUIRED`` is set
(CI sets it), which makes a missing server a failure.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.engine import make_url

from service.store import make_engine, migrate
from service.store.prepared import Prepared

BACKENDS = ("sqlite", "postgresql")
SERVER_VARIABLE = "MEETSCOUT_TEST_POSTGRES"
REQUIRED_VARIABLE = "MEETSCOUT_TEST_POSTGRES_REQUIRED"
DEFAULT_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
KEPT_TABLES = ("alembic_version", "store_generation")
"""Not emptied between tests: the schema's version, and the change counter (it only grows)."""


def server_url() -> str:
    return os.environ.get(SERVER_VARIABLE, DEFAULT_SERVER)


def unavailable(reason: str) -> None:
    """Skip the test, or fail it where a PostgreSQL server must answer."""
    if os.environ.get(REQUIRED_VARIABLE):
        pytest.fail(f"{reason} (and {REQUIRED_VARIABLE} says one must)", pytrace=False)
    pytest.skip(reason)


@contextmanager
def postgres_database(*, migrated: bool = True) -> Iterator[str]:
    """A new database on the server, migrated unless told; dropped on the way out."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        unavailable("psycopg is not installed (pip install meetscout[postgres])")
    server = server_url()
    admin = create_engine(server, isolation_level="AUTOCOMMIT", pool_pre_ping=True)
    name = f"meetscout_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # no server, refused, no such role: the reason says which
        admin.dispose()
        unavailable(f"no PostgreSQL server answers at {make_url(server)!r}: {exc}")
    url = make_url(server).set(database=name).render_as_string(hide_password=False)
    try:
        if migrated:
            engine = make_engine(url)
            migrate(engine)
            engine.dispose()
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def empty(url: str) -> None:
    """Every row gone from every table but :data:`KEPT_TABLES`, ids counting from 1 again.

    Only the tables that hold rows, or whose ids moved, are truncated: a TRUNCATE makes
    each table's files anew, and most tests write to one or two tables of the store."""
    engine: Engine = create_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(text("SET LOCAL lock_timeout = '20s'"))
            tables = [
                name
                for name in connection.execute(
                    text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
                ).scalars()
                if name not in KEPT_TABLES
            ]
            holding = " UNION ".join(
                f"SELECT '{name}' WHERE EXISTS (SELECT 1 FROM \"{name}\")" for name in tables
            )
            used = connection.execute(text(f"{holding} UNION {USED_SEQUENCES}")).scalars()
            emptied = [name for name in used if name in tables]
            if emptied:
                quoted = ", ".join(f'"{name}"' for name in emptied)
                connection.execute(text(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE"))
    finally:
        engine.dispose()


USED_SEQUENCES = (
    "SELECT owner.relname FROM pg_sequences used "
    "JOIN pg_class sequence ON sequence.relname = used.sequencename "
    "AND sequence.relnamespace = current_schema()::regnamespace "
    "JOIN pg_depend owned ON owned.objid = sequence.oid AND owned.deptype IN ('a', 'i') "
    "JOIN pg_class owner ON owner.oid = owned.refobjid "
    "WHERE used.schemaname = current_schema() AND used.last_value IS NOT NULL"
)
"""The tables whose id sequences have given an id since they last started again."""


def backend_url(request: pytest.FixtureRequest, folder: os.PathLike[str]) -> str:
    """The store of a test parametrised over :data:`BACKENDS`: a new SQLite file, or this
    process's PostgreSQL database emptied."""
    if request.param == "sqlite":
        return f"sqlite:///{os.path.join(folder, 'meetscout.db')}"
    url: str = request.getfixturevalue("postgres_url")
    empty(url)
    return url


ONLY_SQLITE = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
"""For a test of what only SQLite has (a pragma, its query plans, its file)."""
ONLY_POSTGRESQL = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
"""For a test of what only PostgreSQL has."""


def postgres_integrity(url: str) -> tuple[list[str], list[str]]:
    """(what was checked, what is wrong) for a PostgreSQL store; nothing wrong is an empty list.

    PostgreSQL has no ``PRAGMA integrity_check``; this is what SQL can see of the
    database's own tables:

    - with ``amcheck`` (PostgreSQL's contrib, created in the database when the server
      has it): every B-tree index against its table (``bt_index_check`` with
      ``heapallindexed``) and every table's pages and TOAST (``verify_heapam``);
    - every row of every table read whole (its text form, out of TOAST), by a
      sequential scan;
    - no two rows alike in the columns of any primary key or unique index (read from
      the table, not through the index that should forbid them);
    - every constraint validated, every index valid and ready.
    """
    checked: list[str] = []
    wrong: list[str] = []
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            quote = connection.dialect.identifier_preparer.quote
            for setting in ("enable_indexscan", "enable_indexonlyscan", "enable_bitmapscan"):
                connection.execute(text(f"SET {setting} = off"))
            tables = list(
                connection.execute(
                    text(
                        "SELECT c.oid, c.relname FROM pg_class c "
                        "WHERE c.relnamespace = current_schema()::regnamespace "
                        "AND c.relkind = 'r' ORDER BY c.relname"
                    )
                )
            )
            indexes = list(
                connection.execute(
                    text(
                        "SELECT i.indexrelid, c.relname, t.relname, i.indisunique, "
                        "i.indisvalid AND i.indisready, i.indexprs IS NULL, "
                        "pg_get_expr(i.indpred, i.indrelid), am.amname, "
                        "ARRAY(SELECT a.attname FROM unnest(i.indkey) WITH ORDINALITY k(n, o) "
                        "      JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.n "
                        "      ORDER BY k.o) "
                        "FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                        "JOIN pg_class t ON t.oid = i.indrelid JOIN pg_am am ON am.oid = c.relam "
                        "WHERE t.relnamespace = current_schema()::regnamespace ORDER BY c.relname"
                    )
                )
            )
            available = connection.execute(
                text("SELECT count(*) FROM pg_available_extensions WHERE name = 'amcheck'")
            ).scalar_one()
            if available:
                connection.execute(text("CREATE EXTENSION IF NOT EXISTS amcheck"))
                btrees = [row for row in indexes if row[7] == "btree" and row[4]]
                for oid, name, *_ in btrees:
                    try:
                        connection.execute(text("SELECT bt_index_check(:oid, true)"), {"oid": oid})
                    except Exception as exc:  # amcheck raises on what it finds
                        wrong.append(f"index {name}: {exc}")
                for oid, name in tables:
                    for found in connection.execute(
                        text(
                            "SELECT blkno, offnum, msg "
                            "FROM verify_heapam(:oid, check_toast => true)"
                        ),
                        {"oid": oid},
                    ):
                        wrong.append(f"table {name}, page {found[0]}, item {found[1]}: {found[2]}")
                checked.append(
                    f"amcheck: {len(btrees)} B-tree indexes against their tables, "
                    f"the pages of {len(tables)} tables"
                )
            else:
                checked.append("amcheck: not available on this server, not run")
            rows = 0
            for _, name in tables:
                try:
                    rows += connection.execute(
                        text(f"SELECT count(length(t::text)) FROM {quote(name)} t")
                    ).scalar_one()
                except Exception as exc:
                    wrong.append(f"table {name} unreadable: {exc}")
            checked.append(f"{rows} rows of {len(tables)} tables read whole")
            keys = 0
            for _, name, table, unique, ready, plain, predicate, _, columns in indexes:
                if not ready:
                    wrong.append(f"index {name} on {table} is not valid")
                if not (unique and plain):
                    continue
                keys += 1
                listed = ", ".join(quote(column) for column in columns)
                where = " AND ".join(
                    [f"{quote(column)} IS NOT NULL" for column in columns]
                    + ([f"({predicate})"] if predicate else [])
                )
                twice = connection.execute(
                    text(
                        f"SELECT count(*) FROM (SELECT 1 FROM {quote(table)} WHERE {where} "
                        f"GROUP BY {listed} HAVING count(*) > 1) d"
                    )
                ).scalar_one()
                if twice:
                    wrong.append(
                        f"{table} ({', '.join(columns)}): {twice} key(s) stored more than once"
                    )
            checked.append(f"no duplicate under {keys} unique keys")
            for table, name in connection.execute(
                text(
                    "SELECT conrelid::regclass::text, conname FROM pg_constraint "
                    "WHERE connamespace = current_schema()::regnamespace AND NOT convalidated"
                )
            ):
                wrong.append(f"constraint {name} of {table} not validated")
            checked.append("every constraint validated, every index valid")
    finally:
        engine.dispose()
    return checked, wrong


def literal_sql(conn: Connection, prepared: Prepared) -> str:
    """The statement with its values written in, for EXPLAIN QUERY PLAN."""
    bound = prepared.statement.params(prepared.params)
    return str(bound.compile(conn, compile_kwargs={"literal_binds": True}))


def query_plan(conn: Connection, prepared: Prepared) -> list[str]:
    """SQLite's EXPLAIN QUERY PLAN of the prepared statement: one line per step."""
    sql = literal_sql(conn, prepared)
    return [row[-1] for row in conn.execute(text(f"EXPLAIN QUERY PLAN {sql}"))]
