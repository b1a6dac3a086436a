"""Engines and migrations: the schema is Alembic's, applied on start.

Alembic is loaded only to migrate: a server's worker starting over a store
whose schema is current reads the newest revisions from the migration files
themselves (:func:`script_heads`), and leaves the 11 MB that importing
Alembic holds unspent.
"""

from __future__ import annotations

import ast
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from filelock import FileLock
from sqlalchemy import Connection, Engine, create_engine, inspect, text
from sqlalchemy.engine import make_url

from service.store import dialects

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
MIGRATION_LOCK_KEY = 0x6D656574_73636F75 & 0x7FFF_FFFF_FFFF_FFFF
"""PostgreSQL's advisory lock for migrations: one key for every meetscout process."""


def make_engine(url: str) -> Engine:
    """An engine for ``url``; a SQLite file's folder is created if missing."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, future=True)
    dialects.configure(engine)
    return engine


def alembic_config(engine: Engine) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    return config


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest revisions (a no-op when it is there), all or nothing.

    ``heads``: parts of the schema may branch from a common revision. Every
    revision runs in one transaction, so a process killed mid-way leaves the
    schema as it was, never tables without their version stamp.
    """
    from alembic import command

    config = alembic_config(engine)
    with (
        _migration_lock(engine),
        engine.connect() as connection,
        _transactional_ddl(connection),
    ):
        config.attributes["connection"] = connection
        command.upgrade(config, "heads")
        connection.commit()


def is_current(engine: Engine) -> bool:
    """Whether the schema is at the newest revisions already (nothing for :func:`migrate`)."""
    with engine.connect() as connection:
        if not inspect(connection).has_table(VERSION_TABLE):
            return False
        applied = set(
            connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars()
        )
    return applied == script_heads()


VERSION_TABLE = "alembic_version"
"""Where Alembic records the revisions a store's schema is at."""


@cache
def script_heads() -> frozenset[str]:
    """The newest revisions: those no other revision of the migration files revises.

    Read from each file's ``revision`` and ``down_revision`` as written,
    without loading Alembic.
    """
    revisions: set[str] = set()
    revised: set[str] = set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        names = _constants(ast.parse(path.read_text(encoding="utf-8")))
        revisions.add(str(names["revision"]))
        down = names.get("down_revision")
        if isinstance(down, str):
            revised.add(down)
        elif isinstance(down, tuple | list):
            revised.update(str(parent) for parent in down)
    return frozenset(revisions - revised)


def _constants(module: ast.Module) -> dict[str, object]:
    """The names a module assigns a literal to at its top level (``name: T = literal`` too)."""
    found: dict[str, object] = {}
    for node in module.body:
        if isinstance(node, ast.AnnAssign) and node.value is not None:
            targets: list[ast.expr] = [node.target]
            value = node.value
        elif isinstance(node, ast.Assign):
            targets, value = list(node.targets), node.value
        else:
            continue
        for target in targets:
            if isinstance(target, ast.Name):
                try:
                    found[target.id] = ast.literal_eval(value)
                except ValueError:
                    continue
    return found


def migrate_once(engine: Engine) -> None:
    """What every worker of a server runs on start: the first migrates, the others find it done.

    Checking first costs one read; the lock of :func:`migrate` makes the
    others wait for the one migrating rather than run the same revisions.
    """
    if not is_current(engine):
        migrate(engine)


@contextmanager
def _migration_lock(engine: Engine) -> Iterator[None]:
    """One process migrates at a time: a lock file beside a SQLite file, an advisory lock on
    PostgreSQL (held by its own connection, released when it closes)."""
    url = engine.url
    if url.get_backend_name() == "postgresql":
        with engine.connect() as holder:
            holder.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
            try:
                yield
            finally:
                holder.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK_KEY})
        return
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        lock_path = (
            Path(url.database).expanduser().with_name(Path(url.database).name + ".migrate.lock")
        )
        with FileLock(lock_path):
            yield
        return
    yield  # an in-memory database belongs to one process


@contextmanager
def _transactional_ddl(connection: Connection) -> Iterator[None]:
    """SQLite: let the transaction hold the DDL too.

    Python's sqlite3 opens a transaction only before INSERT, UPDATE and
    DELETE, so CREATE TABLE commits on its own. With the driver's own
    transaction handling off, an explicit ``BEGIN IMMEDIATE`` holds every
    statement of the migration and the write lock (two processes starting at
    once migrate one after the other). The connection's own handling is back
    before it returns to the pool.
    """
    if connection.dialect.name != "sqlite":
        yield
        return
    driver = connection.connection.driver_connection
    assert isinstance(driver, sqlite3.Connection)
    level = driver.isolation_level
    driver.isolation_level = None
    try:
        connection.exec_driver_sql("BEGIN IMMEDIATE")
        yield
    finally:
        if driver.in_transaction:
            driver.rollback()
        driver.isolation_level = level
