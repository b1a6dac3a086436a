"""The search filters every list and feed endpoint takes, validated once.

``/events`` and ``/feeds/events.ics`` take the same parameters and answer
the same question through :func:`service.search.search`: the list pages
it, the feed subscribes to it (its URL comes from :meth:`EventFilters.params`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends, HTTPException, Query
from pydantic import BeforeValidator

from service.classify.sectors import get_taxonomy
from service.model import Attendance, Kind
from service.places.gazetteer import Place
from service.search import (
    DEFAULT_RADIUS_KM,
    MAX_QUERY_CHARS,
    MAX_RADIUS_KM,
    Point,
    SearchError,
    SearchRequest,
    Sort,
    point_of,
    resolve_place,
)
from service.store import EventQuery

MAX_LIMIT = 200


_NUMBER = re.compile(r"\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*")


def _not_a_number(value: object) -> object:
    """Refuse a bare number: pydantic would read ``end=560487`` as seconds since 1970."""
    if isinstance(value, str) and _NUMBER.fullmatch(value):
        raise ValueError("give an ISO 8601 date or date-time (2026-12-01), not a number")
    return value


Moment = Annotated[datetime | None, BeforeValidator(_not_a_number)]
"""A date or date-time parameter, as ISO 8601 only."""


def _aware(value: datetime | None) -> datetime | None:
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


def invalid(
    parameter: str, message: str, value: object = None, suggestions: Sequence[str] = ()
) -> HTTPException:
    """A 422 shaped like FastAPI's own validation errors, naming the parameter."""
    error: dict[str, object] = {
        "type": "value_error",
        "loc": ["query", parameter],
        "msg": message,
        "input": value,
    }
    if suggestions:
        error["ctx"] = {"suggestions": list(suggestions)}
    return HTTPException(status_code=422, detail=[error])


def search_error(exc: SearchError, value: object = None) -> HTTPException:
    return invalid(exc.parameter, exc.message, value, exc.suggestions)


@dataclass(frozen=True)
class EventFilters:
    """Filters as the person asked for them (for links) and as a search request.

    ``near`` is the place name as typed and ``place`` what it resolved to;
    ``lat``/``lon`` are set only when the person gave coordinates.
    """

    start: datetime | None
    end: datetime | None
    kinds: tuple[Kind, ...]
    q: str | None
    near: str | None = None
    place: Place | None = None
    lat: float | None = None
    lon: float | None = None
    radius_km: float = DEFAULT_RADIUS_KM
    sectors: tuple[str, ...] = ()
    attendance: tuple[Attendance, ...] = ()
    free: bool | None = None
    sort: Sort = "score"

    @property
    def point(self) -> Point | None:
        """The centre of the search, when it has one."""
        if self.place is not None:
            return point_of(self.place)
        if self.lat is not None and self.lon is not None:
            return Point(lat=self.lat, lon=self.lon)
        return None

    def search_request(
        self, *, limit: int, cursor: str | None = None, sort: Sort | None = None
    ) -> SearchRequest:
        """The search these filters ask for; ``sort`` overrides theirs (a feed wants dates)."""
        return SearchRequest(
            near=self.point,
            radius_km=self.radius_km,
            sectors=self.sectors,
            kinds=self.kinds,
            attendance=self.attendance,
            free=self.free,
            start=self.start,
            end=self.end,
            q=self.q,
            sort=sort or self.sort,
            limit=limit,
            cursor=cursor,
        )

    def query(
        self, *, now: datetime, limit: int | None = None, after: tuple[datetime, str] | None = None
    ) -> EventQuery:
        """Every filter but the place, as a store query; upcoming unless ``start`` says otherwise.

        A search with a place needs :meth:`search_request` (the radius is cut there).
        """
        attendance = dict.fromkeys(self.attendance)
        if Attendance.IN_PERSON in attendance or Attendance.ONLINE in attendance:
            attendance[Attendance.MIXED] = None
        return EventQuery(
            start=self.start or now,
            end=self.end,
            kinds=self.kinds,
            q=self.q,
            limit=limit,
            after=after,
            sectors=self.sectors,
            attendance=tuple(attendance),
            free=self.free,
        )

    def params(self) -> list[tuple[str, str]]:
        """Query parameters that reproduce these filters (not the sort: a feed has its own)."""
        pairs: list[tuple[str, str]] = []
        if self.start:
            pairs.append(("start", self.start.isoformat()))
        if self.end:
            pairs.append(("end", self.end.isoformat()))
        pairs.extend(("kind", kind.value) for kind in self.kinds)
        if self.q:
            pairs.append(("q", self.q))
        if self.near:
            pairs.append(("near", self.near))
        elif self.lat is not None and self.lon is not None:
            pairs.extend((("lat", repr(self.lat)), ("lon", repr(self.lon))))
        if self.near or self.lat is not None:
            pairs.append(("radius_km", f"{self.radius_km:g}"))
        pairs.extend(("sector", slug) for slug in self.sectors)
        pairs.extend(("attendance", value.value) for value in self.attendance)
        if self.free is not None:
            pairs.append(("free", "true" if self.free else "false"))
        return pairs


async def event_filters(
    start: Annotated[
        Moment,
        Query(description="Events that end after this (ISO 8601 date or date-time); default: now."),
    ] = None,
    end: Annotated[
        Moment,
        Query(description="Events that start before this (ISO 8601 date or date-time)."),
    ] = None,
    kind: Annotated[list[Kind] | None, Query(description="Kinds of event (repeatable).")] = None,
    q: Annotated[
        str | None, Query(max_length=MAX_QUERY_CHARS, description="Words to look for.")
    ] = None,
    near: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=MAX_QUERY_CHARS,
            description='A place name: "Toronto", "Portland, OR", "London, UK". '
            "An ambiguous name means its most populous place; see `place` in the answer.",
        ),
    ] = None,
    lat: Annotated[
        float | None, Query(ge=-90, le=90, description="Latitude of the centre (with `lon`).")
    ] = None,
    lon: Annotated[
        float | None, Query(ge=-180, le=180, description="Longitude of the centre (with `lat`).")
    ] = None,
    radius_km: Annotated[
        float,
        Query(gt=0, le=MAX_RADIUS_KM, description="How far from `near` or `lat`/`lon`, in km."),
    ] = DEFAULT_RADIUS_KM,
    sector: Annotated[
        list[str] | None,
        Query(description="Sector slugs from `/sectors` (repeatable; any of them)."),
    ] = None,
    attendance: Annotated[
        list[Attendance] | None,
        Query(
            description="in_person, online or mixed (repeatable). In person or online also "
            "matches hybrid events; with a place, online brings in online events from anywhere."
        ),
    ] = None,
    free: Annotated[
        bool | None, Query(description="Only free (`true`) or only paid (`false`) events.")
    ] = None,
    sort: Annotated[
        Sort,
        Query(
            description="score (best chance to meet someone new first), date, or distance "
            "(needs a place)."
        ),
    ] = "score",
) -> EventFilters:
    start, end = _aware(start), _aware(end)
    if start and end and end < start:
        raise invalid("end", "end must not be before start", end.isoformat())
    if (lat is None) != (lon is None):
        missing = "lon" if lon is None else "lat"
        raise invalid(missing, "give lat and lon together", None)
    if near is not None and lat is not None:
        raise invalid("near", "give either near or lat and lon, not both", near)
    place = None
    if near is not None:
        try:
            place = resolve_place(near)
        except SearchError as exc:
            raise search_error(exc, near) from exc
    if sort == "distance" and place is None and lat is None:
        raise invalid("sort", "sorting by distance needs near, or lat and lon", sort)
    sectors = tuple(dict.fromkeys(sector or ()))
    taxonomy = get_taxonomy()
    for slug in sectors:
        if slug not in taxonomy:
            raise invalid(
                "sector",
                f"unknown sector {slug[:50]!r}; see /sectors for the known ones",
                slug[:MAX_QUERY_CHARS],
                taxonomy.slugs,
            )
    words = " ".join(q.split()) if q else None
    return EventFilters(
        start=start,
        end=end,
        kinds=tuple(dict.fromkeys(kind or ())),
        q=words or None,
        near=" ".join(near.split()) if near is not None else None,
        place=place,
        lat=lat,
        lon=lon,
        radius_km=radius_km,
        sectors=sectors,
        attendance=tuple(dict.fromkeys(attendance or ())),
        free=free,
        sort=sort,
    )


FiltersDep = Annotated[EventFilters, Depends(event_filters)]
