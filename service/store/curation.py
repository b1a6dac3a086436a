"""The operator's curation: correct an event's kind or sectors, hide it, approve held events.

Corrections are rows of their own (``corrections``), laid over the crawled
row at every upsert (:mod:`service.store.corrections`) and written into the
stored row when made, so reads see them and recrawls keep them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, delete, func, select, update

from service.model import Event, Kind
from service.store import dialects
from service.store.corrections import (
    Correction,
    apply_correction,
    correction_from_row,
    held_record,
    read_corrections,
)
from service.store.events import (
    EVENT_COLUMNS,
    EventStore,
    event_to_row,
    row_hashes,
    row_to_event,
)
from service.store.tables import corrections, held_events
from service.store.tables import events as events_table

DESCRIPTION_KEPT = 2000
"""Characters of a description kept with a correction: enough for a classifier to read."""


@dataclass(frozen=True)
class HeldEvent:
    """An event of a holding source, waiting for the operator."""

    id: str
    source: str
    title: str
    start: datetime
    held: datetime


@dataclass(frozen=True)
class Example:
    """A corrected event as a classifier example: what it read, what the operator says."""

    source: str
    title: str
    description: str | None
    sectors: tuple[str, ...]
    kind: str


def event_from_record(record: dict[str, Any]) -> Event:
    """A held event's JSON record as the event the crawl made."""
    values = {**record, "first_seen": None, "last_seen": None, "updated": None, "sequence": 0}
    return row_to_event(tuple(values.get(name) for name in EVENT_COLUMNS))


class CurationStore:
    """Repository over ``corrections`` and ``held_events``; keyword arguments only."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def correction(self, *, event_id: str) -> Correction | None:
        with self.engine.connect() as conn:
            return read_corrections(conn, [event_id]).get(event_id)

    def corrections(self, *, limit: int = 200) -> list[Correction]:
        """The latest corrections first."""
        stmt = select(corrections).order_by(corrections.c.updated.desc()).limit(limit)
        with self.engine.connect() as conn:
            return [correction_from_row(row) for row in conn.execute(stmt)]

    def correct(
        self,
        *,
        event_id: str,
        now: datetime,
        kind: Kind | None = None,
        sectors: Sequence[str] | None = None,
    ) -> Event | None:
        """Set the kind and/or sectors of a stored or held event; None when there is none."""
        with self.engine.begin() as conn:
            event, is_held = self._find(conn, event_id)
            if event is None:
                return None
            old = read_corrections(conn, [event_id]).get(event_id)
            new = Correction(
                event_id=event_id,
                source=event.source,
                title=event.title,
                description=(event.description or "")[:DESCRIPTION_KEPT] or None,
                updated=now,
                kind=kind.value if kind is not None else (old.kind if old else None),
                sectors=tuple(sectors) if sectors is not None else (old.sectors if old else None),
                hidden=old.hidden if old else False,
                approved=old.approved if old else False,
            )
            self._save(conn, new)
            row = apply_correction(event_to_row(event), new)
            if is_held:
                conn.execute(
                    update(held_events)
                    .where(held_events.c.id == event_id)
                    .values(record=held_record(row))
                )
            else:
                content_hash, _ = row_hashes(row)
                conn.execute(
                    update(events_table)
                    .where(events_table.c.id == event_id)
                    .values(
                        kind=row["kind"],
                        kind_reason=row["kind_reason"],
                        sectors=row["sectors"],
                        sector_evidence=row["sector_evidence"],
                        content_hash=content_hash,
                        updated=now,
                    )
                )
        return self._event(event_id)

    def hide(self, *, event_id: str, now: datetime) -> bool:
        """Take an event out of sight for good: recrawls skip it. False when unknown."""
        with self.engine.begin() as conn:
            event, _ = self._find(conn, event_id)
            old = read_corrections(conn, [event_id]).get(event_id)
            if event is None and old is None:
                return False
            if old is not None:
                conn.execute(
                    update(corrections)
                    .where(corrections.c.event_id == event_id)
                    .values(hidden=True, updated=now)
                )
            else:
                assert event is not None
                self._save(conn, self._new(event, now=now, hidden=True))
            conn.execute(delete(events_table).where(events_table.c.id == event_id))
            conn.execute(delete(held_events).where(held_events.c.id == event_id))
        return True

    def unhide(self, *, event_id: str, now: datetime) -> bool:
        """Let a hidden event back in: its source's next crawl stores it again."""
        with self.engine.begin() as conn:
            result = conn.execute(
                update(corrections)
                .where(corrections.c.event_id == event_id, corrections.c.hidden.is_(True))
                .values(hidden=False, updated=now)
            )
        return bool(result.rowcount)

    def hidden(self, *, limit: int = 200) -> list[Correction]:
        stmt = (
            select(corrections)
            .where(corrections.c.hidden.is_(True))
            .order_by(corrections.c.updated.desc())
            .limit(limit)
        )
        with self.engine.connect() as conn:
            return [correction_from_row(row) for row in conn.execute(stmt)]

    def held(self, *, source: str | None = None, limit: int = 200) -> list[HeldEvent]:
        """Events waiting for approval, soonest first."""
        stmt = select(
            held_events.c.id,
            held_events.c.source,
            held_events.c.title,
            held_events.c.start,
            held_events.c.held,
        ).order_by(held_events.c.start, held_events.c.id)
        if source is not None:
            stmt = stmt.where(held_events.c.source == source)
        with self.engine.connect() as conn:
            return [HeldEvent(*row) for row in conn.execute(stmt.limit(limit))]

    def held_event(self, *, event_id: str) -> Event | None:
        """A held event, whole, as its source's crawl made it (with any correction)."""
        with self.engine.connect() as conn:
            record = conn.execute(
                select(held_events.c.record).where(held_events.c.id == event_id)
            ).scalar_one_or_none()
        return event_from_record(record) if record is not None else None

    def held_by_source(self) -> dict[str, int]:
        stmt = select(held_events.c.source, func.count()).group_by(held_events.c.source)
        with self.engine.connect() as conn:
            return {source: int(count) for source, count in conn.execute(stmt)}

    def approve(self, *, event_id: str, now: datetime) -> Event | None:
        """Store a held event where every reader sees it; its later crawls go straight in."""
        with self.engine.begin() as conn:
            event, is_held = self._find(conn, event_id)
            if event is None or not is_held:
                return None
            old = read_corrections(conn, [event_id]).get(event_id)
            if old is not None:
                conn.execute(
                    update(corrections)
                    .where(corrections.c.event_id == event_id)
                    .values(approved=True, hidden=False, updated=now)
                )
            else:
                self._save(conn, self._new(event, now=now, approved=True))
            conn.execute(delete(held_events).where(held_events.c.id == event_id))
        EventStore(self.engine).upsert_many([event], now=now)
        return self._event(event_id)

    def examples(self) -> list[Example]:
        """Corrected events still shown, with their kind and sectors as they now stand."""
        stmt = (
            select(
                corrections.c.source,
                corrections.c.title,
                corrections.c.description,
                events_table.c.sectors,
                events_table.c.kind,
            )
            .join(events_table, events_table.c.id == corrections.c.event_id)
            .where(
                corrections.c.hidden.is_(False),
                (corrections.c.kind.is_not(None)) | (corrections.c.sectors.is_not(None)),
            )
            .order_by(corrections.c.updated, corrections.c.event_id)
        )
        with self.engine.connect() as conn:
            return [
                Example(
                    source=source,
                    title=title,
                    description=description,
                    sectors=tuple(sectors or ()),
                    kind=kind,
                )
                for source, title, description, sectors, kind in conn.execute(stmt)
            ]

    def _event(self, event_id: str) -> Event | None:
        return EventStore(self.engine).get(event_id=event_id)

    def _find(self, conn: Connection, event_id: str) -> tuple[Event | None, bool]:
        """The stored event, else the held one (and whether it is held)."""
        found = [
            row_to_event(row)
            for row in conn.execute(
                select(*(events_table.c[name] for name in EVENT_COLUMNS)).where(
                    events_table.c.id == event_id
                )
            )
        ]
        if found:
            return found[0], False
        record = conn.execute(
            select(held_events.c.record).where(held_events.c.id == event_id)
        ).scalar_one_or_none()
        if record is None:
            return None, False
        return event_from_record(record), True

    def _new(
        self, event: Event, *, now: datetime, hidden: bool = False, approved: bool = False
    ) -> Correction:
        return Correction(
            event_id=event.id,
            source=event.source,
            title=event.title,
            description=(event.description or "")[:DESCRIPTION_KEPT] or None,
            updated=now,
            hidden=hidden,
            approved=approved,
        )

    def _save(self, conn: Connection, correction: Correction) -> None:
        values = {
            "event_id": correction.event_id,
            "source": correction.source,
            "title": correction.title,
            "description": correction.description,
            "updated": correction.updated,
            "kind": correction.kind,
            "sectors": list(correction.sectors) if correction.sectors is not None else None,
            "hidden": correction.hidden,
            "approved": correction.approved,
        }
        conn.execute(dialects.upsert(self.engine, corrections, keep=set()), [values])
