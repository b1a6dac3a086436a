"""``/events``: search, one event, one event as iCalendar."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Path, Query, Request, Response

from feeds.ical import FeedOptions, assemble_calendar
from service.api.feed_cache import (
    ICS_RESPONSES,
    EventVersion,
    FeedCacheDep,
    FeedPlan,
    IcsRepresentationsDep,
)
from service.api.openapi_docs import link
from service.api.present import event_out, place_out, recording_out, search_result_out
from service.api.schemas import EventOut, EventPage
from service.http.caching import Validators
from service.http.deps import NowDep, SearchCacheDep, SettingsDep, StoreDep
from service.http.filters import MAX_LIMIT, FiltersDep, search_error
from service.links import absolute, webcal
from service.search import SearchError, search

router = APIRouter(prefix="/events", tags=["events"])

EventId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
ICS_MEDIA_TYPE = "text/calendar; charset=utf-8"
JSON_MEDIA_TYPE = "application/json"


FIRST_ID = "$response.body#/items/0/id"
EVENT_LINKS = {
    "GetEvent": link("/events/{event_id}", "get", "The first event found.", event_id=FIRST_ID),
    "GetEventIcs": link(
        "/events/{event_id}.ics", "get", "The first event found, as iCalendar.", event_id=FIRST_ID
    ),
    "NextPage": link(
        "/events", "get", "The next page of the same search.", cursor="$response.body#/next_cursor"
    ),
}
"""Where a client goes from a page of results."""


@router.get("", response_model=EventPage, responses={200: {"links": EVENT_LINKS}})
def list_events(
    filters: FiltersDep,
    store: StoreDep,
    cache: SearchCacheDep,
    settings: SettingsDep,
    now: NowDep,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Page size.")] = 50,
    cursor: Annotated[str | None, Query(max_length=500, description="From `next_cursor`.")] = None,
    repeats: Annotated[
        Literal["once", "each"],
        Query(
            description="An event that repeats: `once` (at its next date, with its `series`) "
            "or `each` date as a result of its own."
        ),
    ] = "once",
) -> Response:
    """Upcoming events matching the filters, best chance to meet someone new first.

    Each result says how far it is (`distance_km`), its `score` and `why`; an
    event that repeats is listed once with its `series` (`total` counts it once).
    """
    try:
        page = search(
            store,
            replace(filters.search_request(limit=limit, cursor=cursor), once=repeats == "once"),
            now=now,
            weights=settings.score_weights,
            cache=cache,
        )
    except SearchError as exc:
        raise search_error(exc) from exc
    feed_url = absolute(settings.base_url, "/feeds/events.ics", filters.params())
    body = EventPage(
        items=[
            search_result_out(item, base_url=settings.base_url, kept=cache.events)
            for item in page.items
        ],
        next_cursor=page.next_cursor,
        total=page.total,
        total_exact=page.total_exact,
        feed_url=feed_url,
        webcal_url=webcal(feed_url),
        place=place_out(filters.place) if filters.place is not None else None,
        recording=recording_out(settings.replay_at),
    )
    # Built and checked above: written out as it is, not validated a second time.
    return Response(body.model_dump_json().encode(), media_type=JSON_MEDIA_TYPE)


@router.get("/{event_id}.ics", response_class=Response, responses=ICS_RESPONSES)
@router.head("/{event_id}.ics", response_class=Response, responses=ICS_RESPONSES)
def get_event_ics(
    request: Request,
    event_id: EventId,
    store: StoreDep,
    settings: SettingsDep,
    now: NowDep,
    cache: FeedCacheDep,
    responder: IcsRepresentationsDep,
) -> Response:
    """One event as an iCalendar file, for "add to calendar"; 304 when unchanged."""
    event = store.get(event_id=event_id)
    if event is None:
        raise HTTPException(404, f"no event {event_id}")
    options = FeedOptions(
        base_url=settings.base_url,
        refresh=timedelta(hours=settings.feed_refresh_hours),
        stamp="updated",
    )
    validators = cache.validators(FeedPlan((EventVersion.of(event),)), options=options)

    def render() -> tuple[bytes, Validators]:
        block = cache.block(event, options, now=now)
        return assemble_calendar([block], options=options), validators

    return responder.respond(
        request,
        validators,
        render,
        headers={"Content-Disposition": f'attachment; filename="{event_id}.ics"'},
    )


@router.get("/{event_id}", response_model=EventOut)
def get_event(event_id: EventId, store: StoreDep, settings: SettingsDep) -> EventOut:
    event = store.get(event_id=event_id)
    if event is None:
        raise HTTPException(404, f"no event {event_id}")
    return event_out(event, base_url=settings.base_url)
