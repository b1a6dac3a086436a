"""The store's marker of changes a reader can be shown: a crawl that finds nothing new moves
``data_version`` on SQLite, PostgreSQL's counter of every write (its events seen again, its
health), but not what kept answers follow. On both backends."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from sqlalchemy import event, text

from service.model import Status
from service.store import CurationStore, EventStore, GoingStore, HealthStore
from service.store.watch import StoreWatch
from tests.factories import NOW, clean_crawl_run, toronto_event
from tests.support.databases import ONLY_POSTGRESQL

EVENTS = [toronto_event(f"e{index}", days=2 + index) for index in range(3)]


@pytest.fixture
def watch(store: EventStore) -> Iterator[StoreWatch]:
    store.upsert_many(EVENTS, now=NOW)
    made = StoreWatch.for_engine(store.engine)
    yield made
    made.close()


def _health(store: EventStore) -> None:
    HealthStore(store.engine).record(
        run=clean_crawl_run(finished=NOW + timedelta(seconds=5), found=len(EVENTS))
    )


def _recorded(statements: list[str]) -> Callable[..., None]:
    def record(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        statements.append(statement)

    return record


def test_a_crawl_that_finds_nothing_new_moves_no_shown_change(
    store: EventStore, watch: StoreWatch
) -> None:
    generation, shown = watch.both()

    store.upsert_many(EVENTS, now=NOW + timedelta(hours=1))
    store.mark_missing(
        source="feed-test",
        seen_ids={event.id for event in EVENTS},
        start=NOW,
        end=NOW + timedelta(days=30),
        now=NOW + timedelta(hours=1),
    )
    _health(store)

    assert watch.generation() != generation
    assert watch.shown() == shown
    assert store.get(event_id=EVENTS[0].id).last_seen == NOW + timedelta(hours=1)


@pytest.mark.parametrize(
    "change",
    [
        "a new event",
        "a changed title",
        "a missed snapshot that cancels",
        "a hidden event",
        "a going mark",
        "a row deleted by hand",
        "a column added",
    ],
)
def test_every_change_a_reader_can_be_shown_moves_it(
    store: EventStore, watch: StoreWatch, change: str
) -> None:
    before = watch.shown()
    later = NOW + timedelta(hours=1)

    if change == "a new event":
        store.upsert_many([toronto_event("new", days=9)], now=later)
    elif change == "a changed title":
        store.upsert_many([toronto_event("e0", days=2, title="Renamed")], now=later)
    elif change == "a missed snapshot that cancels":
        for _ in range(2):
            store.mark_missing(
                source="feed-test",
                seen_ids=set(),
                start=NOW,
                end=NOW + timedelta(days=30),
                now=later,
            )
        assert store.get(event_id=EVENTS[0].id).status == Status.CANCELLED
    elif change == "a hidden event":
        assert CurationStore(store.engine).hide(event_id=EVENTS[1].id, now=later)
    elif change == "a going mark":
        going = GoingStore(store.engine)
        going.mark(going=going.create(now=later), event_id=EVENTS[2].id, now=later)
    elif change == "a row deleted by hand":
        with store.engine.begin() as conn:
            conn.execute(text("DELETE FROM events WHERE id = :id"), {"id": EVENTS[0].id})
    else:
        with store.engine.begin() as conn:
            conn.execute(text("ALTER TABLE events ADD COLUMN note TEXT"))
        try:
            assert watch.shown() != before
        finally:
            if store.engine.dialect.name == "postgresql":  # one database for the process
                with store.engine.begin() as conn:
                    conn.execute(text("ALTER TABLE events DROP COLUMN note"))
        return

    assert watch.shown() != before


def test_a_rolled_back_change_moves_nothing(store: EventStore, watch: StoreWatch) -> None:
    both = watch.both()
    with store.engine.connect() as conn:
        conn.execute(text("UPDATE events SET title = 'changed'"))
        conn.rollback()

    assert watch.both() == both


@ONLY_POSTGRESQL
def test_on_postgresql_every_write_still_moves_the_first_counter(
    store: EventStore, watch: StoreWatch
) -> None:
    """Whole events (and the kill campaigns) follow every write, crawl health among them;
    the shown count stays, and both are read in one statement."""
    before = watch.both()
    _health(store)
    statements: list[str] = []
    event.listen(store.engine, "before_cursor_execute", _recorded(statements))
    after = watch.both()

    assert after[0] != before[0]
    assert after[1] == before[1]
    assert len(statements) == 1


@ONLY_POSTGRESQL
def test_on_postgresql_an_upsert_that_changes_one_event_of_many_moves_it(
    store: EventStore, watch: StoreWatch
) -> None:
    """One statement of the batch with a shown change is enough, whichever it is."""
    before = watch.shown()
    renamed = [toronto_event("e2", days=4, title="Renamed")]

    store.upsert_many([*EVENTS[:2], *renamed], now=NOW + timedelta(hours=1))

    assert watch.shown() != before
