"""The operator's corrections as the upsert applies them: read once per batch, kept apart.

A crawl rewrites an event's row from what the source says; the operator's
word lives in ``corrections`` and is laid over each row before it is
written, so that a recrawl cannot undo it. Held events are kept as JSON
records in ``held_events`` until the operator approves them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, select

from service.store.tables import corrections


@dataclass(frozen=True)
class Correction:
    """What the operator decided about one event; None fields leave the crawl's answer."""

    event_id: str
    source: str
    title: str
    updated: datetime
    kind: str | None = None
    sectors: tuple[str, ...] | None = None
    hidden: bool = False
    approved: bool = False
    description: str | None = None


def correction_from_row(row: Any) -> Correction:
    m = row._mapping
    sectors = m["sectors"]
    return Correction(
        event_id=m["event_id"],
        source=m["source"],
        title=m["title"],
        updated=m["updated"],
        kind=m["kind"],
        sectors=None if sectors is None else tuple(sectors),
        hidden=bool(m["hidden"]),
        approved=bool(m["approved"]),
        description=m["description"],
    )


def read_corrections(conn: Connection, ids: Sequence[str]) -> dict[str, Correction]:
    """The corrections of ``ids`` (usually none: one indexed query per batch)."""
    if not ids:
        return {}
    rows = conn.execute(select(corrections).where(corrections.c.event_id.in_(list(ids))))
    return {row.event_id: correction_from_row(row) for row in rows}


def apply_correction(row: dict[str, Any], correction: Correction | None) -> dict[str, Any]:
    """``row`` (as :func:`service.store.events.event_to_row` makes it) with the operator's
    kind and sectors laid over it; the sector evidence follows the sectors."""
    if correction is None:
        return row
    if correction.kind is not None:
        row["kind"] = correction.kind
        row["kind_reason"] = "set by the operator"
    if correction.sectors is not None:
        row["sectors"] = list(correction.sectors)
        evidence = row.get("sector_evidence") or {}
        row["sector_evidence"] = {
            slug: list(evidence.get(slug) or ["set by the operator"]) for slug in correction.sectors
        }
    return row


def held_record(row: dict[str, Any]) -> dict[str, Any]:
    """An event row as JSON: timestamps as naive UTC ISO text, as the events table reads them."""
    return {
        key: value.astimezone(UTC).replace(tzinfo=None).isoformat()
        if isinstance(value, datetime)
        else value
        for key, value in row.items()
    }
