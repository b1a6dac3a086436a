"""How a search runs: read candidates from the store, cut at the radius, score, page.

The store prefilters in one SQL statement (spatial index plus every other
filter); the exact cut at the radius, the score and the order happen here,
so that every face of meetscout answers the same question the same way.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable, Hashable, Sequence
from dataclasses import fields, replace
from datetime import UTC, datetime
from operator import attrgetter
from typing import Any

from service.model import Attendance
from service.places.distance import Box, RadiusCut, bounding_boxes, least_km_per_degree
from service.search import series
from service.search.cache import SearchCache
from service.search.cursors import Cursor, decode_cursor, encode_cursor
from service.search.rank import Needs, Scorer, reasons
from service.search.request import (
    SearchPage,
    SearchRequest,
    SearchResult,
    Series,
    check,
)
from service.settings import ScoreWeights
from service.store import EventQuery, EventStore
from service.store.nearby import (
    Candidate,
    Candidates,
    Floor,
    StartWindows,
    candidates,
    candidates_if_few,
    count_within,
    first_end,
)

COMPACT_AT = 4
"""A page collects up to this many times its size in entries before it drops the worst."""
READ_ALL_BELOW = 512
"""A search near a place with at most this many matches reads them at once: fewer round
trips than reading window by window."""
READ_FIRST = 32
"""A first search near a place reads its matches straight away, stopping one past this
many: with no more (a digest's week, most searches outside a city's centre), that read is
the search's only one, where a count used to come first; with more, it cost a little
beside the count that follows, more the more rows it may read (128 cost dense searches
about 8% at their median, 32 about 3%)."""
PROBE_AT_MOST = 128
"""Nearest first, with many matches, sizes its first disc from a count in a box around the
place, stopped at this many: counting the whole box could mean counting a city, and a count
costs what it reads (with a sector, every entry of the box's cells until it stops)."""
PROBE_ENOUGH = 32
"""A probe's count from this many says how dense the matches are well enough; fewer, and
the box doubles (four times the area: it should hold fewer than :data:`PROBE_AT_MOST`)."""
PROBE_MIN_KM = 0.05
"""The smallest box a probe counts in: denser than that, the first disc is that small."""
CROWDED = "more than READ_ALL_BELOW"
"""Kept in place of a total near a place that has many matches, while the store is unchanged:
the search asked again (its next page, the same search later) need not ask whether they are
few. Events that end since may leave few; the reads that follow find the same page either way
(they only cost what a search of few matches would not)."""
DEFAULT_WEIGHTS = ScoreWeights()
"""The score's weights when a search is given none (settings are validated once, not per search)."""


def search(
    store: EventStore,
    request: SearchRequest,
    *,
    now: datetime,
    weights: ScoreWeights | None = None,
    cache: SearchCache | None = None,
) -> SearchPage:
    """One page of the events that match ``request``, in the order it asks for.

    ``cache`` is what the caller keeps between searches (the app's); without
    one, everything is read afresh.

    With ``near``, only events within ``radius_km`` (exact geodesic distance)
    are kept; online-only events join them, without a distance, when
    ``attendance`` includes online. ``attendance`` in person or online also
    matches hybrid events. Raises :class:`SearchError` on a request that
    cannot run.
    """
    check(request)
    kept = cache if cache is not None else SearchCache.nothing_kept()
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    # One question to the store whether it changed, however many kept facts the search reads.
    with kept.facts.pinned(store):
        return _search(kept, store, request, now=now, weights=weights)


def _search(
    kept: SearchCache,
    store: EventStore,
    request: SearchRequest,
    *,
    now: datetime,
    weights: ScoreWeights | None,
) -> SearchPage:
    cursor = decode_cursor(request.cursor, request.sort) if request.cursor else None
    if cursor is not None:
        now = cursor.now
    scorer = Scorer(
        weights or DEFAULT_WEIGHTS, now=now, near=request.near is not None, sectors=request.sectors
    )
    query = _query(request, now)
    if request.near is None:
        sought = _seek(kept, store, query, now)
        if request.sort == "date" and not request.once:
            return _by_date(kept, store, request, sought, scorer, cursor, now)
        counted = kept.facts.count(store, query=sought, series=request.once)
        return _best_first(kept, store, request, sought, scorer, cursor, now, total=counted)
    total_slot = kept.facts.slot(store, _near_key(request, query))
    known = kept.facts.known(total_slot, query.start) if total_slot is not None else None
    total = known if isinstance(known, int) else None
    near = _Near(request)
    # Every read below seeks by start where its index can: a sector's rows of cells
    # (event_sectors) hold past events too, which a count or a whole read would walk.
    query = _seek(kept, store, query, now)
    boxed = READ_ALL_BELOW + 1 if known == CROWDED else total
    found: Candidates | None = None
    if boxed is None:
        # A first ask reads its matches at once when they are very few (most searches outside
        # a city's centre, and a digest's week): that read says there are few, no count needed.
        at_once = min(READ_FIRST, READ_ALL_BELOW)
        if at_once > 0:
            found = candidates_if_few(
                store, query=query, boxes=near.boxes or [], online=near.online, at_most=at_once
            )
        if found is not None:
            boxed = len(found.located) + len(found.online)
        else:
            # Whether there are few is all a first ask needs to know (one more means "more").
            boxed = count_within(
                store,
                query=query,
                boxes=near.boxes or [],
                online=near.online,
                at_most=READ_ALL_BELOW,
            )
            if boxed > READ_ALL_BELOW and total_slot is not None:
                kept.facts.remember(total_slot, query.start, CROWDED, None)
    if boxed <= READ_ALL_BELOW:
        return _ranked(
            kept,
            store,
            request,
            query,
            scorer,
            cursor,
            now,
            near=near,
            total_slot=total_slot,
            found=found,
        )
    if request.sort == "distance":
        # Counted here (located only, at the whole radius): the probe need not count it again.
        crowded = total is None and not near.online and boxed > READ_ALL_BELOW
        return _nearest(
            kept,
            store,
            request,
            query,
            scorer,
            cursor,
            now,
            near=near,
            total=total,
            crowded=crowded,
        )
    return _best_first(kept, store, request, query, scorer, cursor, now, total=total)


def _seek(kept: SearchCache, store: EventStore, query: EventQuery, now: datetime) -> EventQuery:
    """``query`` with the earliest start a match can have, so that reads seek by start."""
    return replace(query, starts_from=kept.facts.earliest_start(store, at=query.start or now))


def _query(request: SearchRequest, now: datetime) -> EventQuery:
    return EventQuery(
        start=request.start or now,
        end=request.end,
        kinds=tuple(dict.fromkeys(request.kinds)),
        statuses=tuple(dict.fromkeys(request.statuses)),
        q=" ".join(request.q.split()) if request.q and request.q.strip() else None,
        sectors=tuple(dict.fromkeys(request.sectors)),
        attendance=_attendance(request.attendance),
        free=request.free,
        seen_since=request.seen_since,
    )


def _attendance(wanted: Sequence[Attendance]) -> tuple[Attendance, ...]:
    """In person or online also means hybrid: a hybrid event can be attended either way."""
    found = dict.fromkeys(wanted)
    if Attendance.IN_PERSON in found or Attendance.ONLINE in found:
        found[Attendance.MIXED] = None
    return tuple(found)


_Entry = tuple[tuple[Any, ...], str, float | None, float, str | None]
"""(sort key ending in the id, id, distance in km, score, series key): entries sort by their
key alone, which is unique."""


class _Near:
    """What a search near a place reads and cuts: boxes for the index, the exact radius cut."""

    def __init__(self, request: SearchRequest) -> None:
        near = request.near
        self.point = near
        self.radius_km = request.radius_km
        self.online = near is not None and Attendance.ONLINE in request.attendance
        self.boxes = bounding_boxes(near.lat, near.lon, request.radius_km) if near else None
        self.cut = RadiusCut(near.lat, near.lon, request.radius_km).distance if near else None

    def boxes_within(self, reach_km: float) -> list[Box] | None:
        """The boxes for a search narrowed to ``reach_km`` (never wider than the radius)."""
        if self.point is None or reach_km >= self.radius_km:
            return self.boxes
        return bounding_boxes(self.point.lat, self.point.lon, max(reach_km, 0.0))

    def floor(self, needs: Needs) -> Floor | None:
        """``needs`` as a least score the index can check for located events near the place;
        None without a place, or where degrees apart say too little of the distance."""
        if self.point is None:
            return None
        scales = least_km_per_degree(self.point.lat, self.point.lon, self.radius_km)
        if scales is None:
            return None
        return Floor(
            lat=self.point.lat,
            lon=self.point.lon,
            lat_km=scales[0],
            lon_km=scales[1],
            half_km=needs.half_km,
            need=needs.need,
            proximity=needs.proximity,
            kinds=needs.kinds,
            attendance=needs.attendance,
            prices=needs.prices,
        )

    def offer(self, top: _Top, found: Candidates, scorer: Scorer) -> None:
        """Offer the candidates to ``top``: those located cut at the radius, online ones not."""
        top.offer(found.located, self.cut, scorer)
        top.offer(found.online, None, scorer)


def _ranked(
    kept: SearchCache,
    store: EventStore,
    request: SearchRequest,
    query: EventQuery,
    scorer: Scorer,
    cursor: Cursor | None,
    now: datetime,
    *,
    near: _Near,
    total_slot: Hashable | None,
    found: Candidates | None = None,
) -> SearchPage:
    """Every match read (``found``, when the caller has read them), cut and ranked: for
    nearest first, and a first search near a place.

    A search near a place needs its total, which takes reading every match
    once: this read, which also gives the page. The total is kept (in
    ``total_slot``, taken before the read; None keeps nothing), so the next
    pages and the same search again read only what :func:`_best_first` needs.
    A total counted here holds until the first end among the events it read.
    """
    if found is None:
        found = candidates(store, query=query, boxes=near.boxes, online=near.online)
    top = _top(request, cursor)
    near.offer(top, found, scorer)
    if request.near is not None and total_slot is not None:
        kept.facts.remember(total_slot, query.start, top.count, first_end(found))
    return _page(kept, store, request, query, top.page(), top.count, now)


def _best_first(
    kept: SearchCache,
    store: EventStore,
    request: SearchRequest,
    query: EventQuery,
    scorer: Scorer,
    cursor: Cursor | None,
    now: datetime,
    *,
    total: int | None,
) -> SearchPage:
    """Best (or soonest) first: read events a window of start time at a time, stop once full.

    Soonness falls with the start (an event on now has the most, a long run that started
    less: see :func:`service.search.rank.soonness`) and every other part is bounded, so once
    the page is full, a later event can only beat its worst entry from
    within :meth:`Scorer.reach_km` of the place (on a tie the later start
    sorts after): the next windows are read within that distance, and once
    nothing later can make the page, not at all. Within it, the index turns
    away each row that cannot beat the worst entry at its own distance, of
    its kind, attendance and price (:meth:`Scorer.needs`, checked as a
    :class:`~service.store.nearby.Floor`). In date order, a full page
    already holds the soonest. The same page as ranking every match;
    ``total`` is the caller's (kept while the store is unchanged, see :class:`SearchCache`).
    Without one (many matches, asked first), the total is what the windows read held:
    at least that many, and exactly that many when they read every match.
    """
    near = _Near(request)
    wanted = request.limit + 1
    top = _top(request, cursor)
    page: list[_Entry] = []
    reach = math.inf
    last = kept.facts.last_start(store)
    if last is not None and query.end is not None:
        last = min(last, query.end)
    moment = query.start or now
    windows = StartWindows(query.starts_from or moment, last, now=moment, expected=total or 0)
    every = True
    floor: Floor | None = None
    floored = False
    for low, high in windows:
        online = near.online and reach == math.inf
        # Online events count wherever they are, but for those the box holds: a floor
        # must not send a located one to them.
        floored = floored or (floor is not None and not online)
        found = candidates(
            store,
            query=replace(query, starts_from=low, end=high),
            boxes=near.boxes_within(reach),
            online=online,
            by_start=True,
            floor=None if online else floor,
        )
        windows.held(len(found.located) + len(found.online))
        near.offer(top, found, scorer)
        page = top.page()
        if len(page) < wanted:
            continue
        narrowed = (
            None if request.sort == "date" else scorer.reach_km(high.timestamp(), page[-1][3])
        )
        if narrowed is None:
            every = False
            break
        reach = min(reach, narrowed)
        floor = near.floor(scorer.needs(high.timestamp(), page[-1][3]))
    if total is not None:
        return _page(kept, store, request, query, page, total, now)
    exact = every and reach == math.inf and not floored
    return _page(kept, store, request, query, page, top.count, now, exact=exact)


def _nearest(
    kept: SearchCache,
    store: EventStore,
    request: SearchRequest,
    query: EventQuery,
    scorer: Scorer,
    cursor: Cursor | None,
    now: datetime,
    *,
    near: _Near,
    total: int | None,
    crowded: bool = False,
) -> SearchPage:
    """Nearest first among many matches: read a disc that should hold the page, twice as
    wide until it does (or reaches the radius).

    Every match inside a disc is nearer than any outside it, so a disc holding
    the page's entries after the cursor holds the page. Its first size assumes
    the matches spread evenly: the ``total`` of the caller's when it has one, else
    as many as a smaller box around the place holds, scaled up (see
    :func:`_about_how_many`; ``crowded``: the caller counted more than it stops at).
    Without a ``total`` the total is the disc's: at least that many, exactly that many
    at the full radius.
    """
    wanted = request.limit + 1
    passed = 0.0
    if cursor is not None:
        passed = min(float(cursor.key[0]), request.radius_km)
    spread = (
        float(total) if total is not None else _about_how_many(store, query, near, crowded=crowded)
    )
    share = (passed / request.radius_km) ** 2 + 2 * wanted / max(spread, 1.0)
    reach = request.radius_km * math.sqrt(min(1.0, share))
    while True:
        whole = reach >= request.radius_km
        top = _top(request, cursor)
        if whole:
            found = candidates(store, query=query, boxes=near.boxes, online=near.online)
            near.offer(top, found, scorer)
        else:
            assert near.point is not None  # a search near a place
            found = candidates(store, query=query, boxes=near.boxes_within(reach))
            disc = RadiusCut(near.point.lat, near.point.lon, reach).distance
            top.offer(found.located, disc, scorer)
        page = top.page()
        if whole or len(page) >= wanted:
            break
        reach *= 2
    if total is not None:
        return _page(kept, store, request, query, page, total, now)
    return _page(kept, store, request, query, page, top.count, now, exact=whole)


def _about_how_many(
    store: EventStore, query: EventQuery, near: _Near, *, crowded: bool = False
) -> float:
    """About how many located matches the whole box holds, without counting them all: counted
    in a box around the place (each count stops past :data:`PROBE_AT_MOST`), then scaled to
    the whole box by area. ``crowded``: the whole box is known to hold more than
    :data:`READ_ALL_BELOW`, so the first box is a quarter of its reach (a sixteenth of its
    area), else half. The box halves while a count stops, and doubles while one holds fewer
    than :data:`PROBE_ENOUGH`, never turning back: small boxes are cheap to count."""
    assert near.point is not None  # a search near a place
    reach = near.radius_km / (4 if crowded else 2)
    step = 0
    while True:
        found = count_within(
            store, query=query, boxes=near.boxes_within(reach) or [], at_most=PROBE_AT_MOST
        )
        scale = (near.radius_km / reach) ** 2
        if found > PROBE_AT_MOST and step <= 0 and reach > PROBE_MIN_KM:
            step, reach = -1, reach / 4
        elif found < PROBE_ENOUGH and step >= 0 and reach < near.radius_km:
            step, reach = 1, min(near.radius_km, reach * 2)
        else:
            return max(found, 1) * scale


_KEY_FIELDS = attrgetter(
    *(f.name for f in fields(EventQuery) if f.name not in ("start", "starts_from"))
)
"""What a total near a place depends on, but the moment asked at."""


def _near_key(request: SearchRequest, query: EventQuery) -> tuple[object, ...]:
    """What a total near a place is kept under (whatever the moment asked at)."""
    place = (request.near, request.radius_km, Attendance.ONLINE in request.attendance)
    return ("near total", request.once, place, _KEY_FIELDS(query))


def _top(request: SearchRequest, cursor: Cursor | None) -> _Top:
    """What collects the page of ``request``: its size and one more, after the cursor."""
    after = cursor.key if cursor is not None else None
    return _Top(request.sort, request.limit + 1, after=after, once=request.once)


def _page(
    kept: SearchCache,
    store: EventStore,
    request: SearchRequest,
    query: EventQuery,
    page: list[_Entry],
    total: int,
    now: datetime,
    *,
    exact: bool = True,
) -> SearchPage:
    """The page of ranked entries (``limit`` + 1 of them when there are more), as results;
    ``total`` is at least how many match, unless ``exact``."""
    near = request.near
    more = len(page) > request.limit
    page = page[: request.limit]
    events = kept.events.by_id(store, [entry[1] for entry in page])
    repeats: dict[str, Series] = {}
    if request.once:
        shown = [(events[entry[1]], entry[4]) for entry in page if entry[1] in events]
        repeats = series.series_of_page(store, request, query, shown)
    items = [
        SearchResult(
            event=events[event_id],
            distance_km=distance,
            score=score,
            why=reasons(
                events[event_id],
                distance_km=distance,
                now=now,
                near=near is not None,
                sectors=request.sectors,
            ),
            key=key,
            series=repeats.get(event_id),
        )
        for key, event_id, distance, score, _ in page
        if event_id in events
    ]
    next_cursor = encode_cursor(request.sort, now, page[-1][0]) if more and page else None
    return SearchPage(items=items, total=total, next_cursor=next_cursor, total_exact=exact)


class _Top:
    """The ``wanted`` least entries offered (after the cursor's ``after``), and how many
    candidates survived the cut: a page and its total, without keeping every entry.

    Runs once per candidate, so kept lean: an entry is built only for a candidate
    whose first sort key part is no worse than the worst of a full page's. With
    ``heads``, only the soonest date of each series is an entry, and the count is
    of series; batches must then come in order of start (see :class:`series.Heads`).
    """

    __slots__ = ("_bound", "_kept", "after", "count", "heads", "sort", "wanted")

    def __init__(
        self, sort: str, wanted: int, *, after: tuple[Any, ...] | None, once: bool = False
    ) -> None:
        self.sort = sort
        self.wanted = wanted
        self.after = after
        self.count = 0
        self.heads = series.Heads() if once else None
        self._kept: list[_Entry] = []
        self._bound = math.inf
        """The first key part of the worst of ``wanted`` entries kept; inf until as many are."""

    def offer(
        self,
        rows: Sequence[Candidate],
        cut: Callable[[float, float], float | None] | None,
        scorer: Scorer,
    ) -> None:
        """Score every candidate that survives the cut and keep those that may make the page."""
        located = _within(rows, cut)
        if self.heads is not None:
            located = self._soonest(located, self.heads)
        else:
            self.count += len(located)
        rank = scorer.rank
        kept, after, bound = self._kept, self.after, self._bound
        by_score, by_date = self.sort == "score", self.sort == "date"
        spill = COMPACT_AT * self.wanted
        for row, distance in located:
            event_id, _, _, start, kind, attendance, is_free, status, sectors, end, key = row
            score = rank(distance, sectors, start, end, kind, attendance, is_free, status)
            if by_score:
                first = -score
            elif by_date:
                first = start
            else:
                first = math.inf if distance is None else distance
            if first > bound:
                continue
            sort_key = (first, start, event_id) if by_score else (first, event_id)
            if after is not None and sort_key <= after:
                continue
            kept.append((sort_key, event_id, distance, score, key))
            if len(kept) >= spill:
                kept[:] = heapq.nsmallest(self.wanted, self._shown(kept))
                bound = kept[-1][0][0]
        self._bound = bound

    def _soonest(
        self, located: list[tuple[Candidate, float | None]], heads: series.Heads
    ) -> list[tuple[Candidate, float | None]]:
        """The candidates that are the soonest date of their series so far; counts series."""
        for row, _ in located:
            key = row[10]
            if heads.is_new(key):
                self.count += 1
            heads.is_first(key, row[3], row[0])
        return [pair for pair in located if heads.is_head(pair[0][10], pair[0][3], pair[0][0])]

    def _shown(self, entries: list[_Entry]) -> list[_Entry]:
        """``entries`` but the dates a sooner date of their series displaced."""
        if self.heads is None or not self.heads.displaced:
            return entries
        displaced = self.heads.displaced
        return [entry for entry in entries if entry[1] not in displaced]

    def page(self) -> list[_Entry]:
        """The least ``wanted`` entries offered so far, in order."""
        self._kept[:] = heapq.nsmallest(self.wanted, self._shown(self._kept))
        if len(self._kept) >= self.wanted:
            self._bound = self._kept[-1][0][0]
        return list(self._kept)


def _within(
    rows: Sequence[Candidate], cut: Callable[[float, float], float | None] | None
) -> list[tuple[Candidate, float | None]]:
    """The candidates inside the cut, each with its distance (None without a cut)."""
    if cut is None:
        return [(row, None) for row in rows]
    located: list[tuple[Candidate, float | None]] = []
    for row in rows:
        distance = cut(row[1], row[2])  # type: ignore[arg-type]
        if distance is not None:
            located.append((row, distance))
    return located


def _by_date(
    kept: SearchCache,
    store: EventStore,
    request: SearchRequest,
    query: EventQuery,
    scorer: Scorer,
    cursor: Cursor | None,
    now: datetime,
) -> SearchPage:
    """Without a place, date order is the store's own index order: no need to rank everything."""
    after = None
    if cursor is not None:
        moment = cursor.key[0]
        if not isinstance(moment, datetime):
            moment = datetime.fromtimestamp(moment, UTC)
        after = (moment, cursor.key[1])
    ids = store.ids(query=replace(query, limit=request.limit + 1, after=after))
    more = len(ids) > request.limit
    found = kept.events.by_id(store, ids[: request.limit])
    events = [found[event_id] for event_id in ids[: request.limit] if event_id in found]
    items = [
        SearchResult(
            event=event,
            distance_km=None,
            score=scorer.score_event(event, None),
            why=reasons(event, distance_km=None, now=now, near=False, sectors=request.sectors),
            key=(event.start, event.id),
        )
        for event in events
    ]
    last = events[-1] if events else None
    next_cursor = (
        encode_cursor("date", now, (last.start, last.id)) if more and last is not None else None
    )
    return SearchPage(
        items=items, total=kept.facts.count(store, query=query), next_cursor=next_cursor
    )
