"""Candidates for ranking: the few columns a ranked search needs, spatially prefiltered.

Ranking has to look at every event that matches (the best one may be the
last by date), so it reads slim rows rather than whole events: id,
coordinates, start (as epoch seconds), kind, attendance, price, status and
the sectors as their stored JSON text. The spatial prefilter (the R*Tree on
SQLite, see :mod:`service.store.dialects`) and every other filter of the
query run in the same SQL statement. Without a place, :func:`by_start`
reads the same rows in start order, a chunk at a time, for a ranking that
can stop early.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace
from functools import cache
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, Text, and_, cast, or_, select

from service.geo import Box
from service.model import Attendance
from service.store import dialects
from service.store.events import EventQuery, EventStore
from service.store.tables import events as table

Candidate = tuple[str, float | None, float | None, float, str, str, bool | None, str, str | None]
"""(id, lat, lon, start in epoch seconds, kind, attendance, is_free, status, sectors JSON text)."""


class Candidates(NamedTuple):
    located: Sequence[Candidate]
    """Inside the boxes (or every match, when the search has no place)."""
    online: Sequence[Candidate]
    """Online-only events anywhere, when the search asked for them; not in ``located``."""


def candidates(
    store: EventStore,
    *,
    query: EventQuery,
    boxes: Sequence[Box] | None = None,
    online: bool = False,
) -> Candidates:
    """Every event matching ``query``, within ``boxes`` when given.

    ``online`` adds online-only events wherever they are, for a search near
    a place that also asked for online attendance.
    """
    with store.engine.connect() as conn:
        columns = _columns(conn.dialect.name)
        slim = EventStore._filtered(select(*columns), query)
        if boxes is None:
            return Candidates(conn.execute(slim).all(), [])  # type: ignore[arg-type]
        if len(boxes) == 1:
            located: Sequence[Any] = conn.execute(
                dialects.within_box(conn, slim, table, boxes[0])
            ).all()
        else:
            unique: dict[str, Any] = {}
            for box in boxes:
                for row in conn.execute(dialects.within_box(conn, slim, table, box)):
                    unique.setdefault(row[0], row)
            located = list(unique.values())
        extra: list[Any] = []
        if online:
            seen = {row[0] for row in located}
            only_online = replace(query, attendance=(Attendance.ONLINE,))
            rows = conn.execute(EventStore._filtered(select(*columns), only_online))
            extra = [row for row in rows if row[0] not in seen]
    return Candidates(located, extra)


def by_start(
    store: EventStore, *, query: EventQuery, chunk: int = 256, most: int = 8192
) -> Iterator[list[Candidate]]:
    """Every event matching ``query`` (no place), in (start, id) order, a chunk at a time.

    For a ranking that can stop early: the caller stops iterating once no
    later event can make the page. Chunks grow from ``chunk`` to ``most``.
    """
    with store.engine.connect() as conn:
        columns = (*_columns(conn.dialect.name), table.c.start.label("at"))
        base = EventStore._filtered(select(*columns), replace(query, limit=None, after=None))
        after: tuple[Any, str] | None = None
        while True:
            stmt = base
            if after is not None:
                moment, event_id = after
                stmt = stmt.where(
                    table.c.start >= moment,
                    or_(
                        table.c.start > moment, and_(table.c.start == moment, table.c.id > event_id)
                    ),
                )
            rows = conn.execute(stmt.order_by(table.c.start, table.c.id).limit(chunk)).all()
            if rows:
                yield [tuple(row)[:-1] for row in rows]  # type: ignore[misc]
            if len(rows) < chunk:
                return
            after = (rows[-1][-1], rows[-1][0])
            chunk = min(chunk * 2, most)


@cache
def _columns(dialect_name: str) -> tuple[ColumnElement[Any], ...]:
    return (
        table.c.id,
        table.c.lat,
        table.c.lon,
        dialects.epoch_seconds(dialect_name, table.c.start).label("start"),
        table.c.kind,
        table.c.attendance,
        table.c.is_free,
        table.c.status,
        cast(table.c.sectors, Text).label("sectors"),
    )
