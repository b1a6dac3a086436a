"""Connections for reading: on PostgreSQL, without a transaction around each read.

A read on a connection from the pool is, on PostgreSQL, three round trips
to the server: ``BEGIN``, the query, and the ``ROLLBACK`` that returns the
connection clean. Under PostgreSQL's default isolation (read committed)
every statement sees its own snapshot anyway, so the transaction adds
nothing to a read but the two extra trips; autocommit drops them. SQLite
opens no transaction for a read, so there the engine is used as it is.
Writes keep using the engine itself (``engine.begin()``).
"""

from __future__ import annotations

import weakref

from sqlalchemy import Engine

_readers: weakref.WeakKeyDictionary[Engine, Engine] = weakref.WeakKeyDictionary()


def reading(engine: Engine) -> Engine:
    """``engine`` for reads: the same pool, in autocommit on PostgreSQL."""
    if engine.dialect.name != "postgresql":
        return engine
    reader = _readers.get(engine)
    if reader is None:
        reader = _readers[engine] = engine.execution_options(isolation_level="AUTOCOMMIT")
    return reader
