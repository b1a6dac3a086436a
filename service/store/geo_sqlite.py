"""Radius search on SQLite: an R*Tree over event coordinates and time.

The R*Tree virtual table holds one box per located event: its point, and
its time from start to end (in days since 1970), so that a search reads
only the events near a place that run in the weeks it looks at, keyed by
``events.geo_key``, an integer derived from the event id (R*Tree keys must
be integers, and the events table's own rowid may change on VACUUM); the
event id rides along as an auxiliary column for inspection and rebuilds.
Queries join on the integer key: reading an auxiliary column costs a
lookup per row, and joining on the string id two. The tree is kept in step
with the events table on every upsert, in the same transaction. Only
:mod:`service.store.dialects` and migrations 0004 and 0007 call this module.
"""

from __future__ import annotations

import logging
import weakref
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    Column,
    Connection,
    Engine,
    Float,
    Integer,
    MetaData,
    Select,
    String,
    Table,
    bindparam,
)
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.selectable import Join

from service.geo import Box
from service.store.prepared import KEPT_SHAPES, Prepared
from service.store.tables import geo_key

log = logging.getLogger(__name__)

GEO_TABLE = "event_geo"
SHADOW_TABLES = frozenset(f"{GEO_TABLE}{suffix}" for suffix in ("_node", "_parent", "_rowid"))
BACKFILL_CHUNK = 5000
SLACK_DAYS = 0.01
"""Widens the tree's time prefilter: more than the rounding of a 32-bit day number (about
0.002 days in this century), so an event is never lost at a window's edge."""

geo = Table(
    GEO_TABLE,
    MetaData(),
    Column("rid", Integer, primary_key=True),
    Column("min_lat", Float),
    Column("max_lat", Float),
    Column("min_lon", Float),
    Column("max_lon", Float),
    Column("min_day", Float),
    Column("max_day", Float),
    Column("event_id", String),
)
"""For building queries only: migrations 0004 and 0007 create the table, never the metadata."""

DAY_SECONDS = 86_400.0
UNIX_EPOCH_JULIAN_DAY = 2440587.5


def day_number(moment: datetime) -> float:
    """Days since 1970-01-01 UTC: the R*Tree's time axis (stored as 32-bit floats, so to
    within about three minutes, rounded outwards; exact bounds are checked on the events)."""
    return moment.timestamp() / DAY_SECONDS


@dataclass(frozen=True, slots=True)
class Days:
    """Which event times a query wants, as days since 1970; None leaves a side open."""

    start_from: float | None = None
    start_to: float | None = None
    end_from: float | None = None


class TreeFirst(Join):
    """A join that SQLite runs from the R*Tree outwards (``CROSS JOIN`` fixes the order).

    Given a start window as well as a box, SQLite's planner may walk the
    events' start index and probe the tree for every event of every place
    in that window: a hundred times slower than reading the few points the
    tree holds in the box.
    """

    inherit_cache = True


@compiles(TreeFirst)
def _cross_join(join: TreeFirst, compiler: SQLCompiler, **kw: Any) -> str:
    text = compiler.visit_join(join, **kw)
    return text.replace(" JOIN ", " CROSS JOIN ", 1)


_present: weakref.WeakKeyDictionary[Engine, bool] = weakref.WeakKeyDictionary()


def owns(name: str) -> bool:
    """Tables that belong to the R*Tree (the virtual table and its shadow tables)."""
    return name == GEO_TABLE or name in SHADOW_TABLES


def create(connection: Connection) -> bool:
    """Create the R*Tree; False when this SQLite build lacks the module."""
    try:
        connection.exec_driver_sql(
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {GEO_TABLE} "
            "USING rtree(rid, min_lat, max_lat, min_lon, max_lon, min_day, max_day, +event_id)"
        )
    except OperationalError as exc:
        log.warning("no R*Tree in this SQLite (%s): radius search uses the lat/lon index", exc)
        return False
    return True


def drop(connection: Connection) -> None:
    connection.exec_driver_sql(f"DROP TABLE IF EXISTS {GEO_TABLE}")


def backfill(connection: Connection) -> int:
    """Index every located event already stored; returns how many."""
    rows = connection.exec_driver_sql(
        f"SELECT id, lat, lon, julianday(start) - {UNIX_EPOCH_JULIAN_DAY}, "
        f'julianday("end") - {UNIX_EPOCH_JULIAN_DAY} '
        "FROM events WHERE lat IS NOT NULL AND lon IS NOT NULL"
    )
    total = 0
    while chunk := rows.fetchmany(BACKFILL_CHUNK):
        connection.exec_driver_sql(
            f"INSERT OR REPLACE INTO {GEO_TABLE} VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (geo_key(i), lat, lat, lon, lon, first, max(first, last), i)
                for i, lat, lon, first, last in chunk
            ],
        )
        total += len(chunk)
    return total


def available(connection: Connection) -> bool:
    """Whether the R*Tree exists in this database (remembered once seen)."""
    engine = connection.engine
    if _present.get(engine):
        return True
    found = connection.exec_driver_sql(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (GEO_TABLE,)
    ).first()
    if found is not None:
        _present[engine] = True
    return found is not None


def sync(connection: Connection, rows: Iterable[Mapping[str, Any]]) -> None:
    """Mirror the coordinates and times of upserted event rows into the R*Tree."""
    if not available(connection):
        return
    located, unlocated = [], []
    for row in rows:
        lat, lon = row.get("lat"), row.get("lon")
        if lat is None or lon is None:
            unlocated.append((geo_key(row["id"]),))
        else:
            first, last = day_number(row["start"]), day_number(row["end"])
            key = geo_key(row["id"])
            located.append((key, lat, lat, lon, lon, first, max(first, last), row["id"]))
    if located:
        connection.exec_driver_sql(
            f"INSERT OR REPLACE INTO {GEO_TABLE} VALUES (?, ?, ?, ?, ?, ?, ?, ?)", located
        )
    if unlocated:
        connection.exec_driver_sql(f"DELETE FROM {GEO_TABLE} WHERE rid = ?", unlocated)


def box_params(box: Box) -> dict[str, float]:
    """The values of a box, for the bound parameters of a spatial prefilter."""
    return {
        "box_min_lat": box.min_lat,
        "box_max_lat": box.max_lat,
        "box_min_lon": box.min_lon,
        "box_max_lon": box.max_lon,
    }


def within(prepared: Prepared, events: Table, box: Box, days: Days | None = None) -> Prepared:
    """``prepared`` over events whose point is in ``box`` (and time in ``days``), from the R*Tree.

    The tree's time bounds are only a prefilter (a day is kept to within
    minutes, rounded outwards); the statement keeps its exact conditions on the events.
    """
    params = prepared.params | box_params(box)
    if days is not None:
        for name in ("start_from", "start_to", "end_from"):
            value = getattr(days, name)
            if value is not None:
                slack = SLACK_DAYS if name == "start_to" else -SLACK_DAYS
                params[f"day_{name}"] = value + slack
    shape = frozenset(name for name in params if name.startswith("day_"))
    return Prepared(_within(prepared.statement, events, shape), params)


@lru_cache(maxsize=KEPT_SHAPES)
def _within(stmt: Select[Any], events: Table, days: frozenset[str]) -> Select[Any]:
    conditions = [
        geo.c.max_lat >= bindparam("box_min_lat"),
        geo.c.min_lat <= bindparam("box_max_lat"),
        geo.c.max_lon >= bindparam("box_min_lon"),
        geo.c.min_lon <= bindparam("box_max_lon"),
    ]
    if "day_start_from" in days:
        conditions.append(geo.c.min_day >= bindparam("day_start_from"))
    if "day_start_to" in days:
        conditions.append(geo.c.min_day <= bindparam("day_start_to"))
    if "day_end_from" in days:
        conditions.append(geo.c.max_day >= bindparam("day_end_from"))
    joined = TreeFirst(geo, events, events.c.geo_key == geo.c.rid)
    return stmt.select_from(joined).where(*conditions)
