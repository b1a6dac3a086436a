"""The R*Tree that radius search on SQLite used up to migration 0008.

Migrations 0004 and 0007 built and filled it (each located event's point
and its time from start to end, in days since 1970, keyed by
:func:`geo_key`); migration 0009 replaced it with grid cells in a btree
index (:mod:`service.places.cells`) and drops it, and its downgrade
builds it again. Nothing but those migrations uses this module.
"""

from __future__ import annotations

import hashlib
import logging

from sqlalchemy import Connection
from sqlalchemy.exc import OperationalError

from service.store.dialects import UNIX_EPOCH_JULIAN_DAY

log = logging.getLogger(__name__)

GEO_TABLE = "event_geo"
BACKFILL_CHUNK = 5000


def geo_key(event_id: str) -> int:
    """A positive 63-bit integer from an event id: the tree's key for that event."""
    digest = hashlib.blake2b(event_id.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big") >> 1


def create(connection: Connection) -> bool:
    """Create the R*Tree; False when this SQLite build lacks the module."""
    try:
        connection.exec_driver_sql(
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {GEO_TABLE} "
            "USING rtree(rid, min_lat, max_lat, min_lon, max_lon, min_day, max_day, +event_id)"
        )
    except OperationalError as exc:
        log.warning("no R*Tree in this SQLite (%s)", exc)
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
    """Whether the R*Tree exists in this database."""
    found = connection.exec_driver_sql(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (GEO_TABLE,)
    ).first()
    return found is not None
