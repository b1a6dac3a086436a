"""``/feeds/events.ics``: a search as a calendar people subscribe to; ``.atom``,
``.json`` and ``.csv``: the same search as a reading list.

Calendar apps poll it for months, so the window slides by whole days, the
bytes stay the same until an event changes (a strong ETag, 304s), and a
store that fails answers 503 rather than an empty calendar, which apps
would take as "every event was deleted". Every format runs the same plan
(which events, in which versions) and the same caching; only the renderer
differs. ``new=1`` keeps the events first seen in the last week.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, time, timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from feeds.ical import FeedOptions
from feeds.syndication import Format, SyndicationOptions
from service.api.feed_cache import (
    ICS_RESPONSES,
    SYNDICATION_RESPONSES,
    AnyOptions,
    EventVersion,
    FeedCache,
    FeedCacheDep,
    FeedPlan,
    IcsRepresentationsDep,
    Reasons,
    SyndicationRepresentationsDep,
    event_versions,
)
from service.http.caching import Representations, Validators
from service.http.deps import NowDep, SearchCacheDep, SettingsDep, StoreDep
from service.http.describe import describe_feed, describe_search
from service.http.filters import EventFilters, FiltersDep, search_error
from service.links import absolute
from service.model import Event, Status
from service.search import SearchCache, SearchError, SearchRequest, check, search
from service.search.rank import reasons
from service.settings import Settings
from service.store import EventQuery, EventStore
from service.text import syndication as words
from service.text.phrases import how_soon_text

router = APIRouter(prefix="/feeds", tags=["feeds"])

MAX_FEED_EVENTS = 1000
DAYS_BACK = 7
"""Last week's events stay, so a calendar app does not see them vanish."""
MAX_ALARM_MINUTES = 7 * 24 * 60
LIVE_STATUSES = tuple(status for status in Status if status != Status.CANCELLED)
NEW_DAYS = 7
"""``new=1``: events first seen within this many days (counted from the window's midnight)."""

NewDep = Annotated[
    bool,
    Query(
        description="Only events first seen in the last 7 days (`new=1`): what is new since "
        "last week."
    ),
]


@dataclass(frozen=True)
class Window:
    """The days a feed covers; moves at midnight UTC, so a feed changes at most daily."""

    start: datetime
    end: datetime

    @property
    def anchor(self) -> datetime:
        return self.start + timedelta(days=DAYS_BACK)

    @property
    def new_since(self) -> datetime:
        """The first moment a "new" event was first seen: a week before today's midnight."""
        return self.anchor - timedelta(days=NEW_DAYS)


def feed_window(now: datetime, *, horizon_days: int) -> Window:
    """From ``DAYS_BACK`` days before today to ``horizon_days`` after it (whole UTC days)."""
    today = datetime.combine(now.astimezone(UTC).date(), time(0, 0), tzinfo=UTC)
    return Window(
        start=today - timedelta(days=DAYS_BACK),
        end=today + timedelta(days=horizon_days + 1),
    )


def feed_request(
    filters: EventFilters, window: Window, *, hide_cancelled: bool, new: bool = False
) -> SearchRequest | None:
    """The search behind ``/events`` in date order, narrowed to the window.

    Explicit ``start``/``end`` narrow the window further but never widen it
    (None when nothing of them is left); ``cancelled=hide`` is asked of the
    store, so hidden events take no place among the 1,000; so is ``new`` (events first
    seen since :attr:`Window.new_since`).
    """
    request = filters.search_request(limit=MAX_FEED_EVENTS, sort="date")
    start = max(filters.start, window.start) if filters.start else window.start
    end = min(filters.end, window.end) if filters.end else window.end
    if end < start:
        return None
    statuses = LIVE_STATUSES if hide_cancelled else ()
    seen_since = window.new_since if new else None
    return replace(request, start=start, end=end, statuses=statuses, seen_since=seen_since)


def feed_query(filters: EventFilters, request: SearchRequest, *, now: datetime) -> EventQuery:
    """The store query the shared search runs for ``request`` when it has no place."""
    query = filters.query(now=now, limit=request.limit)
    return replace(
        query,
        start=request.start,
        end=request.end,
        statuses=request.statuses,
        seen_since=request.seen_since,
    )


def without_when(why: Sequence[str], event: Event, now: datetime) -> tuple[str, ...]:
    """The reasons minus "in 12 days": a calendar keeps showing it long after it is true."""
    moment = how_soon_text(event, now)
    return tuple(line for line in why if line != moment)


@router.get("/events.ics", response_class=Response, responses=ICS_RESPONSES)
@router.head("/events.ics", response_class=Response, responses=ICS_RESPONSES)
async def events_feed(
    request: Request,
    filters: FiltersDep,
    store: StoreDep,
    searches: SearchCacheDep,
    settings: SettingsDep,
    now: NowDep,
    cache: FeedCacheDep,
    responder: IcsRepresentationsDep,
    cancelled: Annotated[
        Literal["keep", "mark", "hide"],
        Query(
            description="Cancelled events: keep (STATUS:CANCELLED), mark (also "
            '"Cancelled: " before the title) or hide (left out).'
        ),
    ] = "keep",
    alarm: Annotated[
        int | None,
        Query(
            ge=0,
            le=MAX_ALARM_MINUTES,
            description="A reminder this many minutes before each event (0 to 10080).",
        ),
    ] = None,
    followup: Annotated[
        bool,
        Query(description="Add a follow-up note the morning after each event (`followup=1`)."),
    ] = False,
    new: NewDep = False,
) -> Response:
    """The search as an iCalendar feed: last week's and the coming events, the soonest 1,000.

    Takes every filter of `/events`. Answers 304 to If-None-Match or
    If-Modified-Since when nothing changed, gzip when asked.

    Async so that a feed nothing changed is answered without a worker thread;
    the store is read, and the feed rendered, in one.
    """
    window = feed_window(now, horizon_days=settings.feed_horizon_days)
    search_request = feed_request(filters, window, hide_cancelled=cancelled == "hide", new=new)
    _check(filters, search_request)
    options = FeedOptions(
        name=_name(filters, new=new),
        description=_description(filters, settings, new=new, followup=followup, alarm=alarm),
        cancelled=cancelled,
        alarm_minutes=alarm,
        followup=followup,
        refresh=timedelta(hours=settings.feed_refresh_hours),
        base_url=settings.base_url,
        stamp="updated",
    )
    feed = FeedParts(request, store, searches, settings, now, cache, responder, options, window)
    return await feed.serve(filters, search_request)


def _check(filters: EventFilters, search_request: SearchRequest | None) -> None:
    try:
        check(search_request or filters.search_request(limit=MAX_FEED_EVENTS, sort="date"))
    except SearchError as exc:
        raise search_error(exc) from exc


def _name(filters: EventFilters, *, new: bool) -> str:
    name = describe_search(filters)
    return words.NEW_TITLE.format(name=name) if new else name


def _description(
    filters: EventFilters,
    settings: Settings,
    *,
    new: bool,
    followup: bool = False,
    alarm: int | None = None,
) -> str:
    text = describe_feed(
        filters,
        days_back=DAYS_BACK,
        horizon_days=settings.feed_horizon_days,
        refresh_hours=settings.feed_refresh_hours,
        max_events=MAX_FEED_EVENTS,
        followup=followup,
        alarm_minutes=alarm,
        recorded_at=settings.replay_at,
    )
    return f"{text} {words.NEW_SENTENCE.format(days=NEW_DAYS)}" if new else text


def feed_params(filters: EventFilters, *, new: bool = False) -> list[tuple[str, str]]:
    """The query parameters of a feed of ``filters`` (what the feed's own link says)."""
    return [*filters.params(), *((("new", "1"),) if new else ())]


async def reading_list(
    format: Format,
    request: Request,
    filters: EventFilters,
    store: EventStore,
    searches: SearchCache,
    settings: Settings,
    now: datetime,
    cache: FeedCache,
    responders: dict[str, Representations],
    new: bool,
) -> Response:
    """The search as Atom, JSON Feed or CSV: the iCalendar feed's plan, another renderer."""
    window = feed_window(now, horizon_days=settings.feed_horizon_days)
    search_request = feed_request(filters, window, hide_cancelled=False, new=new)
    _check(filters, search_request)
    params = feed_params(filters, new=new)
    options = SyndicationOptions(
        format=format,
        name=_name(filters, new=new),
        description=_description(filters, settings, new=new),
        feed_url=absolute(settings.base_url, f"/feeds/events.{format}", params),
        home_url=absolute(settings.base_url, "/", filters.params()),
        base_url=settings.base_url.rstrip("/"),
        updated_floor=window.anchor,
    )
    responder = responders[format]
    feed = FeedParts(request, store, searches, settings, now, cache, responder, options, window)
    return await feed.serve(filters, search_request)


@router.get("/events.atom", response_class=Response, responses=SYNDICATION_RESPONSES)
@router.head("/events.atom", response_class=Response, responses=SYNDICATION_RESPONSES)
async def events_atom(
    request: Request,
    filters: FiltersDep,
    store: StoreDep,
    searches: SearchCacheDep,
    settings: SettingsDep,
    now: NowDep,
    cache: FeedCacheDep,
    responders: SyndicationRepresentationsDep,
    new: NewDep = False,
) -> Response:
    """The search as an Atom feed (RFC 4287) for feed readers: the same events, window,
    ETag and 304s as `/feeds/events.ics`."""
    return await reading_list(
        "atom", request, filters, store, searches, settings, now, cache, responders, new
    )


@router.get("/events.json", response_class=Response, responses=SYNDICATION_RESPONSES)
@router.head("/events.json", response_class=Response, responses=SYNDICATION_RESPONSES)
async def events_json_feed(
    request: Request,
    filters: FiltersDep,
    store: StoreDep,
    searches: SearchCacheDep,
    settings: SettingsDep,
    now: NowDep,
    cache: FeedCacheDep,
    responders: SyndicationRepresentationsDep,
    new: NewDep = False,
) -> Response:
    """The search as a JSON Feed 1.1; each item's `_meetscout` holds start, end, venue and
    status. The same events, window, ETag and 304s as `/feeds/events.ics`."""
    return await reading_list(
        "json", request, filters, store, searches, settings, now, cache, responders, new
    )


@router.get("/events.csv", response_class=Response, responses=SYNDICATION_RESPONSES)
@router.head("/events.csv", response_class=Response, responses=SYNDICATION_RESPONSES)
async def events_csv(
    request: Request,
    filters: FiltersDep,
    store: StoreDep,
    searches: SearchCacheDep,
    settings: SettingsDep,
    now: NowDep,
    cache: FeedCacheDep,
    responders: SyndicationRepresentationsDep,
    new: NewDep = False,
) -> Response:
    """The search as CSV (a header row, then one event a row) for spreadsheets. The same
    events, window, ETag and 304s as `/feeds/events.ics`."""
    return await reading_list(
        "csv", request, filters, store, searches, settings, now, cache, responders, new
    )


@dataclass(frozen=True)
class FeedParts:
    """One feed request's pieces, for the two ways of finding its events."""

    request: Request
    store: EventStore
    searches: SearchCache
    settings: Settings
    now: datetime
    cache: FeedCache
    responder: Representations
    options: AnyOptions
    window: Window

    async def serve(self, filters: EventFilters, search_request: SearchRequest | None) -> Response:
        """The feed, found by date or around a place (an empty one outside the window)."""
        if search_request is None:
            return await self.outside_window()
        if search_request.near is None:
            query = feed_query(filters, search_request, now=self.now)
            return await self.by_date(query, search_request)
        return await self.near(search_request)

    async def outside_window(self) -> Response:
        """Dates asked for that the window does not reach: an empty calendar, if the store is up."""

        def make() -> FeedPlan:
            self.store.ping()
            return FeedPlan(versions=(), context="outside the window")

        return await self.respond(repr(("outside", self.options)), make)

    async def by_date(self, query: EventQuery, search_request: SearchRequest) -> Response:
        """Without a place: the store's date order, read as versions alone (no event loaded)."""
        context = ("sectors", search_request.sectors)

        def make() -> FeedPlan:
            return FeedPlan(versions=tuple(event_versions(self.store, query)), context=context)

        def why(event: Event) -> Sequence[str]:
            lines = reasons(
                event, distance_km=None, now=self.now, near=False, sectors=search_request.sectors
            )
            return without_when(lines, event, self.now)

        return await self.respond(repr(("by date", query, self.options)), make, why)

    async def near(self, search_request: SearchRequest) -> Response:
        """Around a place: the shared search cuts at the radius and says how far each event is."""

        def make() -> FeedPlan:
            try:
                page = search(
                    self.store,
                    search_request,
                    now=self.now,
                    weights=self.settings.score_weights,
                    cache=self.searches,
                )
            except SearchError as exc:
                raise search_error(exc) from exc
            whys = []
            for item in page.items:
                lines = without_when(item.why, item.event, self.now)
                self.cache.block(item.event, self.options, now=self.now, context=lines, why=lines)
                whys.append(lines)
            versions = tuple(EventVersion.of(item.event) for item in page.items)
            return FeedPlan(versions=versions, whys=tuple(whys))

        return await self.respond(repr(("near", search_request, self.options)), make)

    async def respond(
        self, key: str, make: Callable[[], FeedPlan], why: Reasons | None = None
    ) -> Response:
        """304 from the plan's validators when the client is current, else the feed.

        A plan kept from an unchanged store is checked here; making a plan and
        rendering the feed read the store and run in a worker thread.
        """
        found = self.cache.kept(self.store, key)
        if found is None:
            found = await run_in_threadpool(
                self.cache.planned,
                self.store,
                key,
                make,
                options=self.options,
                not_before=self.window.anchor,
            )
        plan, validators = found
        unchanged = self.responder.not_modified(self.request, validators)
        if unchanged is not None:
            return unchanged
        return await run_in_threadpool(self.present, plan, validators, why)

    def present(self, plan: FeedPlan, validators: Validators, why: Reasons | None) -> Response:
        """The feed itself: as kept for this version, else cached blocks joined and the
        missing ones loaded and rendered."""
        kept = self.responder.kept(self.request, validators)
        if kept is not None:
            return kept
        body, used = self.cache.build(self.store, plan, options=self.options, now=self.now, why=why)
        if used is not plan:
            validators = self.cache.validators(
                used, options=self.options, not_before=self.window.anchor
            )
        return self.responder.present(self.request, body, validators)
