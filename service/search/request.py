"""What a person asks a search, how it is checked, and the shape of the answer.

"What is on near me, in my field, in the next month, best first": a place
and radius, sectors, kinds, attendance, price, a date window and words.
Every face (the API, the web page, the feeds, the CLI, the digest) builds a
:class:`SearchRequest` and gets a :class:`SearchPage`; a request that cannot
run raises :class:`SearchError` naming the parameter at fault.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, get_args

from service.classify.sectors import get_taxonomy
from service.model import Attendance, Event, Kind, Status
from service.places.gazetteer import Gazetteer, Place, get_gazetteer

Sort = Literal["score", "date", "distance"]
SORTS: tuple[str, ...] = get_args(Sort)
DEFAULT_RADIUS_KM = 25.0
MAX_RADIUS_KM = 500.0
MAX_LIMIT = 1000
MAX_QUERY_CHARS = 200
SUGGESTIONS = 5


@dataclass(frozen=True)
class Point:
    """Where the search is centred; ``label`` is the place it was resolved from, if any."""

    lat: float
    lon: float
    label: str | None = None


@dataclass(frozen=True)
class SearchRequest:
    """What a person asks; empty tuples mean "any". ``start`` None means from now on."""

    near: Point | None = None
    radius_km: float = DEFAULT_RADIUS_KM
    sectors: tuple[str, ...] = ()
    kinds: tuple[Kind, ...] = ()
    attendance: tuple[Attendance, ...] = ()
    free: bool | None = None
    start: datetime | None = None
    end: datetime | None = None
    q: str | None = None
    sort: Sort = "score"
    limit: int = 50
    cursor: str | None = None
    statuses: tuple[Status, ...] = ()
    once: bool = False
    """An event that repeats shows once, at its next date, with its rhythm (lists do this;
    a calendar feed keeps every occurrence)."""
    seen_since: datetime | None = None
    """Only events first seen at or after this moment (a feed of what is new)."""


@dataclass(frozen=True)
class Series:
    """An event that repeats, as a list shows it once: its rhythm and how many dates are ahead
    (its next date is the result's own start)."""

    rhythm: str
    count: int
    starts: tuple[datetime, ...]


@dataclass(frozen=True)
class SearchResult:
    event: Event
    """Shared with other searches while the store is unchanged (see :class:`SearchCache`): never
    change it."""
    distance_km: float | None
    score: float
    why: list[str]
    series: Series | None = None
    key: tuple[Any, ...] | None = None
    """Where this result sits in the search's order: a cursor after it starts there."""


@dataclass(frozen=True)
class SearchPage:
    items: list[SearchResult]
    total: int
    """How many match, over all pages: exactly, or at least that many (``total_exact``)."""
    next_cursor: str | None
    total_exact: bool = True
    """False where counting every match was not worth its time (many matches, asked first)."""


class SearchError(ValueError):
    """A search that cannot run, naming the parameter at fault (the API's 422, the CLI's exit 2)."""

    def __init__(self, parameter: str, message: str, suggestions: Sequence[str] = ()) -> None:
        super().__init__(f"{parameter}: {message}")
        self.parameter = parameter
        self.message = message
        self.suggestions = list(suggestions)


def check(request: SearchRequest) -> None:
    """Raise :class:`SearchError` naming the first parameter that cannot work."""
    if request.near is not None:
        if not -90 <= request.near.lat <= 90:
            raise SearchError("lat", "latitude must be between -90 and 90")
        if not -180 <= request.near.lon <= 180:
            raise SearchError("lon", "longitude must be between -180 and 180")
    if not 0 < request.radius_km <= MAX_RADIUS_KM:
        raise SearchError("radius_km", f"radius must be above 0 and at most {MAX_RADIUS_KM:g} km")
    taxonomy = get_taxonomy()
    unknown = [slug for slug in request.sectors if slug not in taxonomy]
    if unknown:
        raise SearchError(
            "sector",
            f"unknown sector {unknown[0]!r}; known: {', '.join(taxonomy.slugs)}",
            suggestions=taxonomy.slugs,
        )
    if request.sort not in SORTS:
        raise SearchError("sort", f"sort must be one of {', '.join(SORTS)}")
    if request.sort == "distance" and request.near is None:
        raise SearchError("sort", "sorting by distance needs a place (near, or lat and lon)")
    if not 1 <= request.limit <= MAX_LIMIT:
        raise SearchError("limit", f"limit must be between 1 and {MAX_LIMIT}")
    for name in ("start", "end"):
        value = getattr(request, name)
        if value is not None and value.tzinfo is None:
            raise SearchError(name, "needs a time zone offset")
    if request.start and request.end and request.end < request.start:
        raise SearchError("end", "end must not be before start")
    if request.q is not None and len(request.q) > MAX_QUERY_CHARS:
        raise SearchError("q", f"at most {MAX_QUERY_CHARS} characters")


def resolve_place(text: str, *, gazetteer: Gazetteer | None = None) -> Place:
    """The place a search names ("Toronto", "Portland, ME"); the most populous on a tie.

    An unknown name raises :class:`SearchError` for ``near`` with close matches.
    """
    gazetteer = gazetteer or get_gazetteer()
    cleaned = " ".join(text.split()) if isinstance(text, str) else ""
    if not cleaned:
        raise SearchError("near", "give a place name, for example 'Toronto' or 'Portland, OR'")
    if len(cleaned) > MAX_QUERY_CHARS:
        raise SearchError("near", f"a place name has at most {MAX_QUERY_CHARS} characters")
    place = gazetteer.resolve(cleaned)
    if place is not None:
        return place
    close = [found.label for found in gazetteer.suggest(cleaned, limit=SUGGESTIONS)]
    hint = f"; did you mean {' or '.join(repr(label) for label in close)}?" if close else ""
    raise SearchError("near", f"unknown place {cleaned!r}{hint}", suggestions=close)


def point_of(place: Place) -> Point:
    return Point(lat=place.lat, lon=place.lon, label=place.label)
