"""``/feeds/events.ics``: a search as a calendar people subscribe to."""

from __future__ import annotations

from fastapi import APIRouter, Response

from feeds.ical import FeedOptions, render_calendar
from service.api.deps import NowDep, SettingsDep, StoreDep
from service.api.filters import FiltersDep

router = APIRouter(prefix="/feeds", tags=["feeds"])

MAX_FEED_EVENTS = 1000


@router.get(
    "/events.ics", response_class=Response, responses={200: {"content": {"text/calendar": {}}}}
)
def events_feed(
    filters: FiltersDep, store: StoreDep, settings: SettingsDep, now: NowDep
) -> Response:
    """Every event of the search (the soonest 1,000) as an iCalendar feed."""
    events = store.search(query=filters.query(now=now, limit=MAX_FEED_EVENTS))
    options = FeedOptions(name="meetscout events", base_url=settings.base_url)
    body = render_calendar(events, now=now, options=options)
    return Response(body, media_type="text/calendar; charset=utf-8")
