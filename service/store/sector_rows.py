"""On SQLite, each located event once per sector it has: a search for a sector seeks it.

A search near a place reads the box's rows of cells from the row and start
index (migration 0016) and tests each entry's sectors, so a search for
healthcare in a dense city reads every event of the box to keep the eighth
that are healthcare. ``event_sectors`` holds each located event once per
sector, keyed by sector, row of cells, start and id, with the columns ranking
reads, so such a search seeks the sector's rows to its window and reads only
its matches (a window of healthcare's events near London, at 1e5 events, in
about a fifth of the time).

Triggers on ``events`` keep it (every write to events goes through them,
whatever writes it), so nothing else in the store knows it exists; an update
that changes none of its columns (a crawl seeing an event again writes
``last_seen``) leaves it alone. Only searches with exactly one sector read it
(:func:`swap`): with two, an event of both would come twice. PostgreSQL has
no such table; its searches test the sectors as before. Migration 0019 makes
it and fills it.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, cast

from sqlalchemy import Column, Connection, Select, Table, func
from sqlalchemy.sql import visitors
from sqlalchemy.sql.util import find_tables

from service.store.prepared import KEPT_SHAPES
from service.store.tables import event_sectors, events

TABLE = event_sectors.name
MIRRORED = tuple(column.name for column in event_sectors.columns if column.name != "sector")
"""The columns of ``events`` it copies (all but the sector, which it reads from the list)."""
TRIGGER = "meetscout_sector_rows"


def install(connection: Connection) -> None:
    """Create the table (as declared in :mod:`service.store.tables`) and its triggers, and
    fill it from the events stored (SQLite only)."""
    event_sectors.create(connection, checkfirst=True)
    forget = f"DELETE FROM {TABLE} WHERE id = old.id;"
    changed = " OR ".join(f'old."{name}" IS NOT new."{name}"' for name in MIRRORED)
    for action, when, body in (
        ("insert", "", _copy("new")),
        ("delete", "", forget),
        ("update", f" WHEN {changed}", forget + " " + _copy("new")),
    ):
        connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {TRIGGER}_{action}")
        connection.exec_driver_sql(
            f"CREATE TRIGGER {TRIGGER}_{action} AFTER {action.upper()} ON events{when} "
            f"BEGIN {body} END"
        )
    connection.exec_driver_sql(f"DELETE FROM {TABLE}")
    connection.exec_driver_sql(_copy("events"))


def _copy(row: str) -> str:
    """Copy ``row`` once per sector: ``new`` in a trigger, or ``events`` for every one."""
    columns = ", ".join(f'"{name}"' for name in MIRRORED)
    values = ", ".join(f'{row}."{name}"' for name in MIRRORED)
    read = "events, " if row == "events" else ""
    return (
        f"INSERT OR REPLACE INTO {TABLE} (sector, {columns}) SELECT sector.value, {values} "
        f"FROM {read}json_each({row}.sectors) AS sector WHERE {row}.geo_row IS NOT NULL;"
    )


def uninstall(connection: Connection) -> None:
    for action in ("insert", "delete", "update"):
        connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {TRIGGER}_{action}")
    connection.exec_driver_sql(f"DROP TABLE IF EXISTS {TABLE}")


@lru_cache(maxsize=KEPT_SHAPES)
def swap(stmt: Select[Any]) -> Select[Any] | None:
    """``stmt`` over ``event_sectors`` instead of ``events``, or None where it reads a
    column the table does not copy (a search by words, by source): those read events."""
    missing: list[str] = []

    def replace(element: Any, **_: Any) -> Any:
        if element is events:
            return event_sectors
        if isinstance(element, Column) and element.table is events:
            if element.name in event_sectors.c:
                return event_sectors.c[element.name]
            missing.append(element.name)
        return None

    swapped = visitors.replacement_traverse(stmt, {}, replace)
    return None if missing else cast(Select[Any], swapped)


def table_read(stmt: Select[Any]) -> Table:
    """The table whose rows ``stmt`` reads: ``event_sectors`` once :func:`swap` made it so,
    else ``events`` (for conditions added after the swap, such as a search's least score)."""
    return event_sectors if event_sectors in find_tables(stmt) else events


def sector_of(pattern: Any) -> Any:
    """The slug a sector filter's bound pattern (``"healthcare"``, quoted) names, in SQL:
    a constant, so that SQLite seeks the table's key with it."""
    return func.trim(pattern, '"')
