"""Kept driver connections for small reads: reused, never shared at once, closed when due."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event, select
from sqlalchemy.exc import DatabaseError

from service.store import EventQuery, EventStore, make_engine, migrate
from service.store.readers import KEPT_IDLE, readers
from service.store.statements import prepare
from service.store.tables import events as table
from tests.conftest import NOW
from tests.service.store.test_store import make_event


def _ids() -> Any:
    return select(table.c.id).order_by(table.c.id)


def checkouts(engine: Engine) -> list[object]:
    """Every connection the engine's pool hands out from now on."""
    seen: list[object] = []
    event.listen(engine, "checkout", lambda dbapi, record, proxy: seen.append(dbapi))
    return seen


def test_reads_reuse_one_kept_connection(store: EventStore) -> None:
    store.upsert_many([make_event(n) for n in range(1, 4)], now=NOW)
    expected = sorted(make_event(n).id for n in range(1, 4))
    prepared = prepare(_ids, EventQuery())
    prepared.rows(store.engine)
    seen = checkouts(store.engine)

    for _ in range(20):
        assert [row[0] for row in prepared.rows(store.engine)] == expected

    assert seen == []


def test_a_read_sees_writes_committed_since_the_last(store: EventStore) -> None:
    """A kept connection holds no transaction between reads: no stale snapshot."""
    prepared = prepare(_ids, EventQuery())
    assert prepared.rows(store.engine) == []

    store.upsert_many([make_event(1)], now=NOW)

    assert prepared.rows(store.engine) == [(make_event(1).id,)]


def test_reads_at_once_use_connections_of_their_own(store: EventStore) -> None:
    store.upsert_many([make_event(n) for n in range(1, 6)], now=NOW)
    prepared = prepare(_ids, EventQuery())
    expected = prepared.rows(store.engine)
    kept = readers(store.engine)
    first, second = kept.take(), kept.take()
    try:
        assert first is not second
    finally:
        kept.give(first)
        kept.give(second)
    results: list[list[tuple[Any, ...]]] = []
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def read() -> None:
        start.wait()
        try:
            for _ in range(50):
                results.append(prepared.rows(store.engine))
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=read) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert len(results) == 200
    assert all(rows == expected for rows in results)


def test_a_connection_a_read_failed_on_is_not_kept(store: EventStore) -> None:
    prepared = prepare(_ids, EventQuery())
    prepared.rows(store.engine)
    kept = readers(store.engine)
    failing = kept.take()
    kept.give(failing)
    failing.set_authorizer(lambda *_: sqlite3.SQLITE_DENY)  # the next read fails on it

    with pytest.raises(DatabaseError, match="not authorized"):
        prepared.rows(store.engine)

    with pytest.raises(sqlite3.ProgrammingError, match="closed"):
        failing.execute("SELECT 1")
    assert prepared.rows(store.engine) == []


def test_disposing_the_engine_closes_its_idle_connections(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'store.db'}")
    migrate(engine)
    prepared = prepare(_ids, EventQuery())
    prepared.rows(engine)
    idle = readers(engine).take()
    readers(engine).give(idle)

    engine.dispose()

    with pytest.raises(sqlite3.ProgrammingError, match="closed"):
        idle.execute("SELECT 1")
    assert prepared.rows(engine) == []
    engine.dispose()


def test_an_in_memory_store_reads_its_one_database() -> None:
    """In memory, the database is the connection: reads check it out of the pool each time."""
    engine = make_engine("sqlite://")
    migrate(engine)
    store = EventStore(engine)
    store.upsert_many([make_event(1)], now=NOW)
    prepared = prepare(_ids, EventQuery())

    for _ in range(3):
        assert prepared.rows(engine) == [(make_event(1).id,)]

    assert readers(engine).kept is False
    engine.dispose()


def test_idle_connections_are_kept_up_to_a_bound(store: EventStore) -> None:
    """After a burst of reads at once, no more than KEPT_IDLE connections stay open."""
    kept = readers(store.engine)
    burst = [kept.take() for _ in range(KEPT_IDLE + 3)]
    for connection in burst:
        kept.give(connection)

    closed = 0
    for connection in burst:
        try:
            connection.execute("SELECT 1")
        except sqlite3.ProgrammingError:
            closed += 1
    assert closed == 3
    assert len({id(kept.take()) for _ in range(KEPT_IDLE)}) == KEPT_IDLE
