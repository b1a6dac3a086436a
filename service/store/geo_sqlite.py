"""Radius search on SQLite: an R*Tree over event coordinates.

The R*Tree virtual table holds one point per located event, keyed by
``events.geo_key``, an integer derived from the event id (R*Tree keys must
be integers, and the events table's own rowid may change on VACUUM); the
event id rides along as an auxiliary column for inspection and rebuilds.
Queries join on the integer key: reading an auxiliary column costs a
lookup per row, and joining on the string id two. The tree is kept in step
with the events table on every upsert, in the same transaction. Only
:mod:`service.store.dialects` and migration 0004 call this module.
"""

from __future__ import annotations

import logging
import weakref
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import Column, Connection, Engine, Float, Integer, MetaData, Select, String, Table
from sqlalchemy.exc import OperationalError

from service.geo import Box
from service.store.tables import geo_key

log = logging.getLogger(__name__)

GEO_TABLE = "event_geo"
SHADOW_TABLES = frozenset(f"{GEO_TABLE}{suffix}" for suffix in ("_node", "_parent", "_rowid"))
BACKFILL_CHUNK = 5000

geo = Table(
    GEO_TABLE,
    MetaData(),
    Column("rid", Integer, primary_key=True),
    Column("min_lat", Float),
    Column("max_lat", Float),
    Column("min_lon", Float),
    Column("max_lon", Float),
    Column("event_id", String),
)
"""For building queries only: the table is created by migration 0004, never by metadata."""

_present: weakref.WeakKeyDictionary[Engine, bool] = weakref.WeakKeyDictionary()


def owns(name: str) -> bool:
    """Tables that belong to the R*Tree (the virtual table and its shadow tables)."""
    return name == GEO_TABLE or name in SHADOW_TABLES


def create(connection: Connection) -> bool:
    """Create the R*Tree; False when this SQLite build lacks the module."""
    try:
        connection.exec_driver_sql(
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {GEO_TABLE} "
            "USING rtree(rid, min_lat, max_lat, min_lon, max_lon, +event_id)"
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
        "SELECT id, lat, lon FROM events WHERE lat IS NOT NULL AND lon IS NOT NULL"
    )
    total = 0
    while chunk := rows.fetchmany(BACKFILL_CHUNK):
        connection.exec_driver_sql(
            f"INSERT OR REPLACE INTO {GEO_TABLE} VALUES (?, ?, ?, ?, ?, ?)",
            [(geo_key(i), lat, lat, lon, lon, i) for i, lat, lon in chunk],
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
    """Mirror the coordinates of upserted event rows into the R*Tree."""
    if not available(connection):
        return
    located, unlocated = [], []
    for row in rows:
        lat, lon = row.get("lat"), row.get("lon")
        if lat is None or lon is None:
            unlocated.append((geo_key(row["id"]),))
        else:
            located.append((geo_key(row["id"]), lat, lat, lon, lon, row["id"]))
    if located:
        connection.exec_driver_sql(
            f"INSERT OR REPLACE INTO {GEO_TABLE} VALUES (?, ?, ?, ?, ?, ?)", located
        )
    if unlocated:
        connection.exec_driver_sql(f"DELETE FROM {GEO_TABLE} WHERE rid = ?", unlocated)


def within(stmt: Select[Any], events: Table, box: Box) -> Select[Any]:
    """``stmt`` over events whose point lies in ``box``, driven by the R*Tree."""
    return stmt.select_from(geo.join(events, events.c.geo_key == geo.c.rid)).where(
        geo.c.max_lat >= box.min_lat,
        geo.c.min_lat <= box.max_lat,
        geo.c.max_lon >= box.min_lon,
        geo.c.min_lon <= box.max_lon,
    )
