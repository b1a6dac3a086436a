"""Has the store changed since I last looked? Answered in microseconds on SQLite, one
round trip on PostgreSQL.

A feed that nothing changed must answer its conditional GET about as fast
as a health check, without reading its 1,000 rows again. SQLite's
``PRAGMA data_version`` moves whenever another connection commits to the
file (a crawl, a migration, any write of this process's own pool), so one
read-only connection that never writes sees every change. PostgreSQL keeps
a counter that every writing transaction bumps (:mod:`service.store.changes`),
read on one autocommit connection. Anything else answers None ("cannot
tell"), and callers then read the store as usual.

:meth:`StoreWatch.shown` answers a narrower question: has anything a
reader can be shown changed? A crawl that finds its events unchanged
commits (each event seen again, its health), which moves ``data_version``
but not the count of shown changes (SQLite's counter; on PostgreSQL the
second row of ``store_generation``, read with the first in one round trip),
so search totals and feed plans outlive it.
"""

from __future__ import annotations

import sqlite3
import threading
from contextlib import suppress
from pathlib import Path
from typing import Any

from sqlalchemy import URL, Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from service.store.changes import READ, READ_BOTH


class StoreWatch:
    """A change counter over one SQLite file; None from :meth:`generation` means "ask the store"."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._connection: sqlite3.Connection | None = None
        self._epoch = 0
        self._lock = threading.Lock()
        self._shown: tuple[tuple[int, int], tuple[int, int, int] | None] | None = None
        """(:meth:`generation`, the counter) when last read: the counter is read again only
        once something committed."""

    @classmethod
    def for_engine(cls, engine: Engine) -> StoreWatch:
        if engine.dialect.name == "postgresql":
            return PostgresWatch(engine)
        return cls.for_url(engine.url)

    @classmethod
    def for_url(cls, url: URL) -> StoreWatch:
        """A watch over the SQLite file ``url`` names; one that cannot tell for anything else."""
        database = url.database
        if url.get_backend_name() != "sqlite" or database in (None, "", ":memory:"):
            return cls(None)
        if str(database).startswith("file:") or url.query.get("mode") == "memory":
            return cls(None)
        return cls(Path(str(database)).expanduser().resolve())

    def generation(self) -> tuple[int, int] | None:
        """A value that changes whenever the file's content may have; None when unknown.

        ``data_version`` is only comparable on one connection, so the value
        carries which connection read it.
        """
        if self.path is None:
            return None
        with self._lock:
            try:
                if self._connection is None:
                    self._epoch += 1
                    self._connection = sqlite3.connect(
                        f"{self.path.as_uri()}?mode=ro", uri=True, check_same_thread=False
                    )
                    # Fail (and so fall back to the store) when the file is no database.
                    self._connection.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchall()
                row = self._connection.execute("PRAGMA data_version").fetchone()
            except sqlite3.Error:
                self._close()
                return None
            return self._epoch, int(row[0])

    def shown(self) -> tuple[int, ...] | None:
        """A value that changes whenever something a reader can be shown may have (not on
        a crawl that found every event unchanged); None when unknown."""
        return self.both()[1]

    def both(self) -> tuple[tuple[int, int] | None, tuple[int, ...] | None]:
        """:meth:`generation` and :meth:`shown`, read together."""
        version = self.generation()
        if version is None:
            return None, None
        with self._lock:
            if self._shown is None or self._shown[0] != version:
                self._shown = (version, self._counter())
            counter = self._shown[1]
        # A store from before the counter (or without its row) tells by data_version alone.
        return version, version if counter is None else counter

    def _counter(self) -> tuple[int, int, int] | None:
        """The schema's version (a table dropped or altered changes what can be read) and
        the counter: both the same on every connection."""
        if self._connection is None:  # closed meanwhile, on an error
            return None
        try:
            schema = self._connection.execute("PRAGMA schema_version").fetchone()
            row = self._connection.execute(READ).fetchone()
        except sqlite3.Error:
            return None
        # Three parts: never equal to a data_version of two.
        return None if row is None else (0, int(schema[0]), int(row[0]))

    def close(self) -> None:
        with self._lock:
            self._close()

    def _close(self) -> None:
        self._shown = None
        if self._connection is not None:
            self._connection.close()
            self._connection = None


class PostgresWatch(StoreWatch):
    """The change counter of a PostgreSQL store, read on a connection of its own."""

    def __init__(self, engine: Engine) -> None:
        super().__init__(None)
        self.engine = engine
        self._reader: Connection | None = None

    def generation(self) -> tuple[int, int] | None:
        row = self._read(READ)
        # The counter is one row of the store, the same on every connection.
        return None if row is None or row[0] is None else (0, int(row[0]))

    def both(self) -> tuple[tuple[int, int] | None, tuple[int, ...] | None]:
        """Every write's counter, and the count of shown changes with the schema's tables,
        in one SELECT; a store from before the second count tells by the first alone."""
        row = self._read(READ_BOTH)
        if row is None or row[0] is None:
            return None, None
        version = (0, int(row[0]))
        if row[1] is None:
            return version, version
        # Four parts: never equal to a generation of two.
        return version, (0, int(row[2]), int(row[3] or 0), int(row[1]))

    def _read(self, sql: str) -> tuple[Any, ...] | None:
        with self._lock:
            try:
                if self._reader is None:
                    self._reader = self.engine.connect().execution_options(
                        isolation_level="AUTOCOMMIT"
                    )
                row = self._reader.exec_driver_sql(sql).first()
                return None if row is None else tuple(row)
            except SQLAlchemyError:
                self._close()
                return None

    def _close(self) -> None:
        if self._reader is not None:
            reader, self._reader = self._reader, None
            with suppress(SQLAlchemyError):
                reader.close()
