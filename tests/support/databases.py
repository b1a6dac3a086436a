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
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from service.store import make_engine, migrate

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
def postgres_database() -> Iterator[str]:
    """A new, migrated database on the server; dropped on the way out."""
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
        engine = make_engine(url)
        migrate(engine)
        engine.dispose()
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def empty(url: str) -> None:
    """Every row gone from every table but :data:`KEPT_TABLES`, ids counting from 1 again."""
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
            quoted = ", ".join(f'"{name}"' for name in tables)
            connection.execute(text(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE"))
    finally:
        engine.dispose()


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
