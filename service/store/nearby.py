"""Candidates for ranking: the few columns a ranked search needs, spatially prefiltered.

Ranking looks at many matches (all of them for nearest first, or when a
search's total is not known yet), so it reads slim rows, not whole events:
id, coordinates, start (as epoch seconds), kind, attendance, price, status,
the sectors as their stored JSON text, the end as stored (for how long
a total holds: only the first end is ever converted) and the series key. The spatial prefilter
(grid cells on SQLite, see :mod:`service.store.dialects`) and every other
filter of the query run in the same SQL statement, inside one index; a
ranking that can stop early reads a window of start times at a time
(:class:`StartWindows`): the window's bounds are checked in the index, so
only the window's rows come out of it. Once its page is full, such a ranking
also gives a least score (:class:`Floor`), checked in the index too.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from functools import cache, lru_cache
from typing import Any, NamedTuple

from sqlalchemy import (
    ColumnElement,
    Engine,
    Float,
    Integer,
    Select,
    Text,
    bindparam,
    case,
    cast,
    func,
    null,
    select,
    type_coerce,
)

from service.model import Attendance, Kind
from service.places.distance import Box
from service.store import dialects, sector_rows
from service.store.events import EventStore
from service.store.prepared import KEPT_SHAPES, Prepared
from service.store.query import EventQuery
from service.store.statements import Base, prepare
from service.store.tables import events as table

Candidate = tuple[
    str, float | None, float | None, float, str, str, bool | None, str, str | None, Any, str | None
]
"""(id, lat, lon, start in epoch seconds, kind, attendance, is_free, status, sectors JSON text
(None unless the search asks for sectors), end as stored (see :func:`first_end`), series key)."""


class Candidates(NamedTuple):
    located: Sequence[Candidate]
    """Inside the boxes (or every match, when the search has no place)."""
    online: Sequence[Candidate]
    """Online-only events anywhere, when the search asked for them; not in ``located``."""


class Floor(NamedTuple):
    """A least score, checked in the index: a located row that cannot reach it never comes out.

    A row can reach it when ``proximity * 0.5 ** (distance / half_km) + kind + mode
    + price >= need``, its kind, attendance mode and price valued as ``kinds``,
    ``attendance`` and ``prices`` say (what the other parts of the score, at their
    best, leave to make up). For each of those combinations that is a farthest
    distance, bound by value; the index checks a flat distance against it, one
    that never overstates the real one (degrees apart times ``lat_km`` and
    ``lon_km``, see :func:`service.places.distance.least_km_per_degree`).
    """

    lat: float
    lon: float
    lat_km: float
    lon_km: float
    half_km: float
    need: float
    proximity: float
    kinds: Mapping[str, float]
    attendance: Mapping[str, float]
    prices: Mapping[bool | None, float]

    def params(self) -> dict[str, float]:
        found = {
            "floor_lat": self.lat,
            "floor_lon": self.lon,
            "floor_lat_km": self.lat_km,
            "floor_lon_km": self.lon_km,
        }
        for kind in Kind:
            for mode in Attendance:
                for name, price in PRICES:
                    fixed = self.kinds.get(kind.value, 0.0) + self.attendance.get(mode.value, 0.0)
                    fixed += self.prices.get(price, 0.0)
                    found[f"floor_{kind.value}_{mode.value}_{name}"] = self._farthest(fixed)
        return found

    def _farthest(self, fixed: float) -> float:
        """The square of the farthest distance (km) at which a row with these parts can
        reach the floor: -1 where none can, something vast where any can."""
        short = self.need - fixed
        if short <= 0:
            return EVERYWHERE
        if short >= self.proximity:
            return -1.0
        farthest = self.half_km * math.log2(self.proximity / short)
        return (farthest * (1 + 1e-9) + 1e-9) ** 2


PRICES: tuple[tuple[str, bool | None], ...] = (("free", True), ("paid", False), ("unknown", None))
EVERYWHERE = 1e300
"""Farther than any squared distance: no cut."""


@lru_cache(maxsize=KEPT_SHAPES)
def _floored(stmt: Select[Any]) -> Select[Any]:
    table = sector_rows.table_read(stmt)

    def number(name: str) -> ColumnElement[float]:
        return bindparam(name, type_=Float)

    north = (table.c.lat - number("floor_lat")) * number("floor_lat_km")
    east = (table.c.lon - number("floor_lon")) * number("floor_lon_km")
    price_known = {"free": table.c.is_free.is_(True), "paid": table.c.is_free.is_(False)}

    def by_price(kind: Kind, mode: Attendance) -> ColumnElement[float]:
        name = f"floor_{kind.value}_{mode.value}"
        return case(
            *((price_known[price], number(f"{name}_{price}")) for price in ("free", "paid")),
            else_=number(f"{name}_unknown"),
        )

    def by_mode(kind: Kind) -> ColumnElement[float]:
        return case(
            *((table.c.attendance == mode.value, by_price(kind, mode)) for mode in Attendance),
            else_=EVERYWHERE,
        )

    farthest = case(
        *((table.c.kind == kind.value, by_mode(kind)) for kind in Kind), else_=EVERYWHERE
    )
    return stmt.where(north * north + east * east <= farthest)


def _floor_last(prepared: Prepared, floor: Floor | None) -> Prepared:
    """``prepared`` with ``floor`` checked after every other condition (SQLite checks them
    in order: the box's bounds are cheaper, and turn away most rows of a narrow read)."""
    if floor is None:
        return prepared
    return Prepared(_floored(prepared.statement), prepared.params | floor.params())


def candidates(
    store: EventStore,
    *,
    query: EventQuery,
    boxes: Sequence[Box] | None = None,
    online: bool = False,
    by_start: bool = False,
    floor: Floor | None = None,
) -> Candidates:
    """Every event matching ``query``, within ``boxes`` when given.

    ``online`` adds online-only events wherever they are, for a search near
    a place that also asked for online attendance. ``by_start``: ``query`` is a
    window of start time (see :class:`StartWindows`), read by start where the
    database can. ``floor``: only the located events that can reach it (see
    :class:`Floor`).
    """
    found = _read(store, query, boxes, online=online, by_start=by_start, floor=floor, limit=None)
    assert found is not None  # nothing read is cut without a limit
    return found


def candidates_if_few(
    store: EventStore,
    *,
    query: EventQuery,
    boxes: Sequence[Box],
    online: bool = False,
    at_most: int,
) -> Candidates | None:
    """:func:`candidates` when there are at most ``at_most`` of them, else None: each read
    stops one row past ``at_most``, so a search near a place with few matches learns that
    there are few from the read that gives them, in one statement instead of two."""
    return _read(store, query, boxes, online=online, by_start=False, floor=None, limit=at_most)


def _read(
    store: EventStore,
    query: EventQuery,
    boxes: Sequence[Box] | None,
    *,
    online: bool,
    by_start: bool,
    floor: Floor | None,
    limit: int | None,
) -> Candidates | None:
    """The candidates, or None when a read gave more than ``limit`` rows."""
    engine = store.engine
    slim = _slim(engine.dialect.name, sectors=bool(query.sectors))

    def rows(prepared: Prepared) -> Sequence[Any] | None:
        if limit is None:
            return prepared.driver_rows(engine)
        found = Prepared(_limiting(prepared.statement), prepared.params | {"read_to": limit + 1})
        read = found.driver_rows(engine)
        return read if len(read) <= limit else None

    prepared = prepare(slim, query)
    if boxes is None:
        every = rows(prepared)
        return None if every is None else Candidates(every, [])

    def box_rows(box: Box) -> Sequence[Any] | None:
        within = dialects.within_box(engine, prepared, table, box, by_start=by_start)
        return rows(_floor_last(within, floor))

    located: Sequence[Any] | None
    if len(boxes) == 1:
        located = box_rows(boxes[0])
    else:
        unique: dict[str, Any] = {}
        for box in boxes:
            inside = box_rows(box)
            if inside is None:
                return None
            for row in inside:
                unique.setdefault(row[0], row)
        located = list(unique.values())
    if located is None:
        return None
    extra: list[Any] = []
    if online:
        seen = {row[0] for row in located}
        only_online = rows(prepare(slim, replace(query, attendance=(Attendance.ONLINE,))))
        if only_online is None:
            return None
        extra = [row for row in only_online if row[0] not in seen]
    if limit is not None and len(located) + len(extra) > limit:
        return None
    return Candidates(located, extra)


@lru_cache(maxsize=KEPT_SHAPES)
def _limiting(stmt: Select[Any]) -> Select[Any]:
    return stmt.limit(bindparam("read_to", type_=Integer))


def count_within(
    store: EventStore,
    *,
    query: EventQuery,
    boxes: Sequence[Box],
    online: bool = False,
    at_most: int | None = None,
) -> int:
    """How many events matching ``query`` lie in ``boxes`` (each box counted apart: they
    never overlap), with the online-only ones anywhere when ``online``: about how many
    a search near a place has to rank, read from the index alone. With ``at_most``, the
    count stops there (one more than ``at_most`` means "more than that")."""
    engine = store.engine
    prepared = prepare(_matches, query)
    found = 0
    for box in boxes:
        found += _counted(dialects.within_box(engine, prepared, table, box), engine, at_most)
    if online:
        only_online = replace(query, attendance=(Attendance.ONLINE,))
        found += _counted(prepare(_matches, only_online), engine, at_most)
    return found if at_most is None else min(found, at_most + 1)


def _matches() -> Select[Any]:
    return select(table.c.id)


def _counted(prepared: Prepared, engine: Engine, at_most: int | None) -> int:
    """How many rows ``prepared`` gives, up to one more than ``at_most``."""
    counting = _counting(prepared.statement, at_most is not None)
    params = prepared.params if at_most is None else prepared.params | {"count_to": at_most + 1}
    return int(Prepared(counting, params).driver_rows(engine)[0][0])


@lru_cache(maxsize=KEPT_SHAPES)
def _counting(stmt: Select[Any], bounded: bool) -> Select[Any]:
    if bounded:
        stmt = stmt.limit(bindparam("count_to", type_=Integer))
    return select(func.count()).select_from(stmt.subquery())


def first_end(found: Candidates) -> datetime | None:
    """The first end among the candidates read; None when there are none.

    SQLite gives the stored text (naive UTC in ISO format, which sorts as time
    does), other databases a datetime: either way the least is the first.
    """
    ends = [row[9] for row in found.located] + [row[9] for row in found.online]
    if not ends:
        return None
    first = min(ends)
    moment = datetime.fromisoformat(first) if isinstance(first, str) else first
    return moment.replace(tzinfo=UTC)


FIRST_WINDOW = timedelta(days=1)
WINDOW_ROWS = 512
MAX_GROWTH = 4.0
MIN_GROWTH = 0.25
MAX_SPAN = timedelta(days=366 * 10_000)
"""Longer than any two datetimes are apart: a window never needs more."""
ONE_TICK = timedelta(microseconds=1)


class StartWindows:
    """Consecutive windows of start time, for a search that reads the soonest events first.

    From ``first`` to ``last`` (both included), without gaps or overlaps (the
    store keeps microseconds). The first window runs to :data:`FIRST_WINDOW`
    after ``now`` (events that began earlier and still run come with it), or,
    given the ``expected`` number of matches in all, to where an even spread of
    them would put :data:`WINDOW_ROWS`: a window near a place scans the
    place's whole box in the cell index whatever its span, so a sparse match
    (a sector in a dense city) must not take many small windows to fill a
    page. Each next one is sized from the rows the last one held
    (:meth:`held`) to hold about :data:`WINDOW_ROWS`, growing at most
    fourfold, so a dense store is read a few hundred rows at a time and a
    sparse one reaches far ahead in a few reads.
    """

    def __init__(
        self, first: datetime, last: datetime | None, *, now: datetime, expected: int = 0
    ) -> None:
        self._low = first
        self._last = last
        self._span = FIRST_WINDOW
        if expected > 0 and last is not None and last > first:
            self._span = max(FIRST_WINDOW, (last - first) * min(1.0, WINDOW_ROWS / expected))
        self._high = _ahead(max(first, now), self._span)

    def __iter__(self) -> Iterator[tuple[datetime, datetime]]:
        while self._last is not None and self._low <= self._last:
            high = min(self._high, self._last)
            yield self._low, high
            self._low = high + ONE_TICK
            self._high = _ahead(high, self._span)

    def held(self, rows: int) -> None:
        """Size the next window from the ``rows`` the last one held."""
        growth = min(MAX_GROWTH, max(MIN_GROWTH, WINDOW_ROWS / max(rows, 1)))
        self._span = min(self._span * growth, MAX_SPAN)


def _ahead(moment: datetime, span: timedelta) -> datetime:
    """``moment + span``, or the last moment a datetime holds: a window grown over
    centuries (a search from the year 105) must not run past it."""
    try:
        return moment + span
    except OverflowError:
        return datetime.max.replace(tzinfo=UTC)


@cache
def _slim(dialect_name: str, *, sectors: bool = True) -> Base:
    """What a candidate row selects, on this database (one function per database, kept).

    The sectors are read only for a search that asks for some: only then do
    they count in the score, and the text of each row costs.
    """
    columns = (
        table.c.id,
        table.c.lat,
        table.c.lon,
        dialects.epoch_seconds(dialect_name, table.c.start).label("start"),
        table.c.kind,
        table.c.attendance,
        table.c.is_free,
        table.c.status,
        cast(table.c.sectors, Text).label("sectors") if sectors else null().label("sectors"),
        type_coerce(table.c.end, Text).label("end"),
        table.c.series_key,
    )
    return lambda: select(*columns)
