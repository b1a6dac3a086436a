"""``/events``: search, one event, one event as iCalendar."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Query, Response

from feeds.ical import FeedOptions, render_event
from service.api.deps import NowDep, SettingsDep, StoreDep
from service.api.filters import MAX_LIMIT, FiltersDep, decode_cursor, encode_cursor
from service.api.links import absolute, webcal
from service.api.present import event_out
from service.api.schemas import EventOut, EventPage

router = APIRouter(prefix="/events", tags=["events"])

EventId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
ICS_MEDIA_TYPE = "text/calendar; charset=utf-8"


@router.get("", response_model=EventPage)
def list_events(
    filters: FiltersDep,
    store: StoreDep,
    settings: SettingsDep,
    now: NowDep,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Page size.")] = 50,
    cursor: Annotated[str | None, Query(max_length=200, description="From `next_cursor`.")] = None,
) -> EventPage:
    """Upcoming events matching the filters, soonest first."""
    after = decode_cursor(cursor) if cursor else None
    query = filters.query(now=now, limit=limit + 1, after=after)
    events = store.search(query=query)
    more = len(events) > limit
    events = events[:limit]
    next_cursor = encode_cursor(events[-1].start, events[-1].id) if more and events else None
    feed_url = absolute(settings.base_url, "/feeds/events.ics", filters.params())
    return EventPage(
        items=[event_out(event, base_url=settings.base_url) for event in events],
        next_cursor=next_cursor,
        total=store.count(query=filters.query(now=now)),
        feed_url=feed_url,
        webcal_url=webcal(feed_url),
    )


@router.get(
    "/{event_id}.ics", response_class=Response, responses={200: {"content": {"text/calendar": {}}}}
)
def get_event_ics(
    event_id: EventId, store: StoreDep, settings: SettingsDep, now: NowDep
) -> Response:
    """One event as an iCalendar file, for "add to calendar"."""
    event = store.get(event_id=event_id)
    if event is None:
        raise HTTPException(404, f"no event {event_id}")
    body = render_event(event, now=now, options=FeedOptions(base_url=settings.base_url))
    return Response(
        body,
        media_type=ICS_MEDIA_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{event_id}.ics"'},
    )


@router.get("/{event_id}", response_model=EventOut)
def get_event(event_id: EventId, store: StoreDep, settings: SettingsDep) -> EventOut:
    event = store.get(event_id=event_id)
    if event is None:
        raise HTTPException(404, f"no event {event_id}")
    return event_out(event, base_url=settings.base_url)
