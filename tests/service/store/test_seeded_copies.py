"""Tests seed their stores from copies (tests/support/templates.py): a copy holds what seeding
the store itself would have written, row for row, and the store goes on as a seeded one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, MetaData, select

from service.store import EventStore, make_engine, migrate
from tests.factories import NOW, make_event
from tests.support.databases import KEPT_TABLES, empty
from tests.support.saved import real_events
from tests.support.templates import Templates


def rows(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table the tests empty, in a stable order."""
    metadata = MetaData()
    metadata.reflect(engine)
    with engine.connect() as connection:
        return {
            name: sorted(connection.execute(select(table)).all(), key=repr)
            for name, table in metadata.tables.items()
            if name not in KEPT_TABLES
        }


def seeded_directly(folder: Path) -> dict[str, list[tuple[Any, ...]]]:
    engine = make_engine(f"sqlite:///{folder / 'direct.db'}")
    try:
        migrate(engine)
        EventStore(engine).upsert_many(real_events(), now=NOW)
        return rows(engine)
    finally:
        engine.dispose()


def test_a_copied_store_holds_what_seeding_writes(
    store: EventStore, database_url: str, tmp_path: Path
) -> None:
    templates = Templates(tmp_path)  # its own, so that on PostgreSQL the first seeding is here
    templates.seed(store, "checked", real_events)  # SQLite: built by seeding, then copied
    if database_url.startswith("sqlite"):
        expected = seeded_directly(tmp_path)
    else:  # seeded, and its rows kept
        expected = rows(store.engine)
        empty(database_url)
        templates.seed(store, "checked", real_events)  # copied from the kept rows

    assert len(expected["events"]) == len(real_events())
    assert rows(store.engine) == expected


def test_a_copied_store_takes_writes_as_a_seeded_one(store: EventStore, tmp_path: Path) -> None:
    templates = Templates(tmp_path)
    templates.seed(store, "checked", real_events)
    if store.engine.dialect.name != "sqlite":
        empty(store.engine.url.render_as_string(hide_password=False))
        templates.seed(store, "checked", real_events)
    first = real_events()[0]

    result = store.upsert_many([first, make_event(90_001, source="copied")], now=NOW)

    assert (result.inserted, result.changed, result.unchanged) == (1, 0, 1)
    assert store.get(event_id=first.id) is not None
