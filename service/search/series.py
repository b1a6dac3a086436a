"""An event that repeats shows once: at its next date, with its rhythm.

A weekly networking breakfast would otherwise fill a page with one result a
week. Occurrences belong to one series when the source says so (the
occurrences of one iCalendar UID, ``details["series"]``), or when they share
their title, their host (else their source), their place, and their weekday
and time. Among the occurrences that match a search, the first (the soonest)
stands for the series; every later one is left out of every page. So each
series is shown exactly once across all pages, cursors stay those of the
underlying order, and the total counts what the pages show. The rhythm is
read from every date ahead, also those after the search's window (a week's
digest holds one date of a weekly event).

Occurrences that match differ only in their start, so the soonest one also
ranks first among them by score and by date (and ties by distance).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from service.model import Attendance, zone_named
from service.places.distance import RadiusCut
from service.search.cache import SearchCache
from service.search.cursors import encode_cursor
from service.search.request import MAX_LIMIT, SearchPage, SearchRequest, SearchResult, Series
from service.store import EventQuery, EventStore, SeriesRow
from service.text.series import rhythm_text

MAX_ROUNDS = 20
"""Reads of the underlying order to fill one page, at most."""
MIN_SHARE = 0.05
"""The least share of matches a read expects to show, whatever is left out."""


@dataclass(frozen=True)
class SeriesMap:
    """Which matches stand for a series (with it), and which are left out for it."""

    first: dict[str, Series]
    hidden: frozenset[str]


def series_key(row: SeriesRow) -> Hashable:
    """What the occurrences of one series share."""
    if row.series:
        return ("series", row.series)
    local = row.start.astimezone(zone_named(row.timezone or "UTC"))
    if row.lat is not None and row.lon is not None:
        place: object = (round(row.lat, 3), round(row.lon, 3))
    else:
        place = " ".join((row.venue_name or "").casefold().split())
    title = " ".join(row.title.casefold().split())
    when = (local.weekday(), local.hour, local.minute, row.all_day)
    return ("same", title, row.host or row.source, place, when)


def group(
    rows: Sequence[SeriesRow], keep: Callable[[SeriesRow], bool], until: datetime | None = None
) -> SeriesMap:
    """The series among ``rows`` (in start order) that ``keep`` lets through; occurrences that
    start after ``until`` (the end of the search's window) count in the rhythm only."""
    found: dict[Hashable, list[SeriesRow]] = defaultdict(list)
    for row in rows:
        if keep(row):
            found[series_key(row)].append(row)
    first: dict[str, Series] = {}
    hidden: set[str] = set()
    for occurrences in found.values():
        if len(occurrences) < 2:
            continue
        head = occurrences[0]
        zone = zone_named(head.timezone or "UTC")
        starts = tuple(row.start for row in occurrences)
        rhythm = rhythm_text([start.astimezone(zone) for start in starts], all_day=head.all_day)
        first[head.id] = Series(rhythm=rhythm, count=len(occurrences), starts=starts)
        hidden.update(row.id for row in occurrences[1:] if until is None or row.start <= until)
    return SeriesMap(first=first, hidden=frozenset(hidden))


def series_map(
    store: EventStore, request: SearchRequest, query: EventQuery, cache: SearchCache
) -> SeriesMap:
    """The series among the matches of ``request`` (its store ``query`` and its radius)."""
    cut = None
    if request.near is not None:
        cut = RadiusCut(request.near.lat, request.near.lon, request.radius_km).distance
    online = request.near is not None and Attendance.ONLINE in request.attendance
    unplaced = replace(query, end=None, starts_from=None, limit=None, after=None, ids=())

    def keep(row: SeriesRow) -> bool:
        if cut is None:
            return True
        if row.lat is None or row.lon is None:
            return online
        return cut(row.lat, row.lon) is not None

    def compute() -> tuple[SeriesMap, datetime | None]:
        rows = store.repeated(query=unplaced)
        ends = [row.end or row.start for row in rows]
        return group(rows, keep, query.end), min(ends) if ends else None

    place = (request.near, request.radius_km, online)
    key = ("series", replace(unplaced, start=None), query.end, place)
    return cache.facts.keep(store, key, unplaced.start, compute)


def once(
    run: Callable[[SearchRequest], SearchPage],
    store: EventStore,
    request: SearchRequest,
    query: EventQuery,
    cache: SearchCache,
    *,
    now: datetime,
) -> SearchPage:
    """A page of ``request`` with each series once.

    ``run`` pages the underlying order; the first read asks for twice what is
    needed, the next ones for what is needed over the share of matches shown
    (total less left-out dates), so a page takes few reads of about its size;
    the page's cursor is the underlying one after its last result.
    """
    found = series_map(store, request, query, cache)
    wanted = request.limit
    items: list[SearchResult] = []
    cursor = request.cursor
    total: int | None = None
    for _ in range(MAX_ROUNDS):
        need = wanted - len(items)
        if total is None:
            batch = min(MAX_LIMIT, 2 * need + 1)
        else:
            shown_share = max(MIN_SHARE, total / max(total + len(found.hidden), 1))
            batch = min(MAX_LIMIT, math.ceil(need / shown_share * 1.25) + 1)
        page = run(replace(request, once=False, cursor=cursor, limit=batch))
        if total is None:
            total = max(0, page.total - len(found.hidden))
        shown = [item for item in page.items if item.event.id not in found.hidden]
        room = wanted - len(items)
        items.extend(replace(item, series=found.first.get(item.event.id)) for item in shown[:room])
        if len(shown) > room or (len(items) == wanted and page.next_cursor is not None):
            last = items[-1].key
            return SearchPage(items=items, total=total, next_cursor=_after(request, now, last))
        cursor = page.next_cursor
        if cursor is None:
            break
    return SearchPage(items=items, total=total or 0, next_cursor=cursor)


def _after(request: SearchRequest, now: datetime, key: tuple[Any, ...] | None) -> str | None:
    return encode_cursor(request.sort, now, key) if key is not None else None
