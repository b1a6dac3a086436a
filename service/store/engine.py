"""Engines and migrations: the schema is Alembic's, applied on start."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, create_engine
from sqlalchemy.engine import make_url

from service.store import dialects

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def make_engine(url: str) -> Engine:
    """An engine for ``url``; a SQLite file's folder is created if missing."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, future=True)
    dialects.configure(engine)
    return engine


def alembic_config(engine: Engine) -> Config:
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
    config = alembic_config(engine)
    with engine.connect() as connection, _transactional_ddl(connection):
        config.attributes["connection"] = connection
        command.upgrade(config, "heads")
        connection.commit()


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
