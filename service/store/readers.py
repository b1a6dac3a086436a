"""SQLite driver connections kept for the small reads of a search.

A search near a place runs one or more indexed reads that SQLite answers in
a few microseconds, and checking a connection out of SQLAlchemy's pool and
back costs more than that (about 9 us with its reset, against 0.3 us here).
So the reads of :meth:`~service.store.prepared.Prepared.rows` borrow a driver
connection from this short list instead: each was opened once through the
engine's pool (so it has the engine's pragmas) and detached from it. Reads
only, never a transaction: a statement is its own snapshot, fetched whole, so
a kept connection holds no lock between reads. A connection a read failed on
is closed, not kept. Disposing the engine closes the idle ones and starts
a new list (a connection lent out meanwhile goes back to the old one, and
closes with it). Idle ones are kept up to :data:`KEPT_IDLE`, as the pool
keeps its size: never more than the reads that ran at once.
"""

from __future__ import annotations

import threading
import weakref
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import AssertionPool, SingletonThreadPool, StaticPool

KEPT_IDLE = 8
"""Idle connections kept per engine; one more given back is closed."""


class Readers:
    """Idle driver connections to one engine's database.

    Only where the pool's connections are interchangeable (a file): an
    in-memory database lives in its one connection, so there each read
    checks it out of the pool and back.
    """

    def __init__(self, engine: Engine) -> None:
        self._engine = weakref.ref(engine)
        self._idle: list[Any] = []
        self.kept = not isinstance(engine.pool, SingletonThreadPool | StaticPool | AssertionPool)

    def take(self) -> Any:
        """A connection to run a read on (list operations are atomic: no lock)."""
        if self.kept:
            try:
                return self._idle.pop()
            except IndexError:
                pass
        engine = self._engine()
        if engine is None:  # pragma: no cover - callers hold the engine
            raise RuntimeError("the engine is gone")
        driver = engine.dialect.loaded_dbapi
        try:
            fairy = engine.raw_connection()
        except driver.Error as error:  # as SQLAlchemy's own connect would raise it
            raise DBAPIError.instance(None, None, error, driver.Error) from error
        if not self.kept:
            return fairy
        connection = fairy.driver_connection
        fairy.detach()
        return connection

    def give(self, connection: Any) -> None:
        """Take back ``connection``, which ran its read to the end."""
        if self.kept and len(self._idle) < KEPT_IDLE:
            self._idle.append(connection)
        else:
            connection.close()

    def drop(self, connection: Any) -> None:
        """Take back ``connection``, which a read failed on: closed, not kept."""
        connection.close()

    def close(self) -> None:
        """Close the idle connections."""
        while self._idle:
            try:
                self._idle.pop().close()
            except IndexError:  # pragma: no cover - another thread took the last one
                break


_readers: weakref.WeakKeyDictionary[Engine, Readers] = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def readers(engine: Engine) -> Readers:
    """The kept connections of ``engine`` (one list per engine, closed on dispose)."""
    found = _readers.get(engine)
    if found is not None:
        return found
    with _lock:
        found = _readers.get(engine)
        if found is None:
            found = _readers[engine] = Readers(engine)
            if not event.contains(engine, "engine_disposed", _close_on_dispose):
                event.listen(engine, "engine_disposed", _close_on_dispose)
    return found


def _close_on_dispose(engine: Engine) -> None:
    with _lock:
        found = _readers.pop(engine, None)
    if found is not None:
        found.close()
