"""``/going``: a person's private "I'm going" list, its calendar feed, one-click unmark and delete.

The token is the only key: every answer about a list is ``no-store``, is
never indexed and sends no referrer, and a token that opens nothing is a
404 like any other (nothing tells whether it ever existed).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path, Request, Response

from feeds.ical import FeedOptions, render_calendar
from service.api.calendar_response import calendar_response
from service.api.host_schemas import GoingIn, GoingOut, MarkedOut
from service.api.present import event_out
from service.going import GoingError, mark, marked_events, open_list, unmark
from service.going import delete as delete_list
from service.http.deps import NowDep, SettingsDep, StoreDep
from service.links import absolute, webcal
from service.model import GoingList
from service.settings import Settings
from service.store import EventStore, GoingStore
from service.text.hosts import GOING_ALARM_MINUTES, GOING_FEED

router = APIRouter(prefix="/going", tags=["going"])

Token = Annotated[str, Path(min_length=20, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
EventId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
PRIVATE = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex, nofollow",
}


def going_store(store: StoreDep) -> GoingStore:
    return GoingStore(store.engine)


GoingDep = Annotated[GoingStore, Depends(going_store)]


def going_urls(base_url: str, token: str) -> tuple[str, str]:
    """(page, feed) of a list: the page is the private link a person keeps."""
    return absolute(base_url, f"/g/{token}"), absolute(base_url, f"/going/{token}.ics")


def going_feed(
    going: GoingStore, store: EventStore, found: GoingList, settings: Settings, now: datetime
) -> bytes:
    """The list's events with an alarm before each and a follow-up the morning after."""
    options = FeedOptions(
        name="I'm going · meetscout",
        description=GOING_FEED,
        base_url=settings.base_url,
        refresh=timedelta(hours=settings.feed_refresh_hours),
        alarm_minutes=GOING_ALARM_MINUTES,
        followup=True,
        cancelled="mark",
        stamp="updated",
    )
    events = [item.event for item in marked_events(going, store, found=found)]
    return render_calendar(events, now=now, options=options)


def _out(
    going: GoingStore, store: EventStore, found: GoingList, token: str, settings: Settings
) -> GoingOut:
    page, feed = going_urls(settings.base_url, token)
    return GoingOut(
        token=token,
        page_url=page,
        feed_url=feed,
        webcal_url=webcal(feed),
        events=[
            MarkedOut(marked=item.marked, event=event_out(item.event, base_url=settings.base_url))
            for item in marked_events(going, store, found=found)
        ],
    )


def _not_found(exc: GoingError) -> HTTPException:
    return HTTPException(404, exc.message, headers=PRIVATE)


@router.post(
    "",
    response_model=GoingOut,
    status_code=201,
    responses={404: {"description": "No such event, or no list opens with that token."}},
)
def mark_going(
    body: GoingIn,
    response: Response,
    going: GoingDep,
    store: StoreDep,
    settings: SettingsDep,
    now: NowDep,
) -> GoingOut:
    """Mark an event "I'm going": on the list a token opens, or on a new private list."""
    try:
        found, _ = mark(going, store, event_id=body.event_id, token=body.token, now=now)
    except GoingError as exc:
        raise _not_found(exc) from exc
    response.headers.update(PRIVATE)
    return _out(going, store, found, body.token or found.token, settings)


@router.get("/{token}.ics", response_class=Response)
@router.head("/{token}.ics", response_class=Response)
def get_going_feed(
    request: Request,
    token: Token,
    going: GoingDep,
    store: StoreDep,
    settings: SettingsDep,
    now: NowDep,
) -> Response:
    """The list as a private calendar: a reminder before each event, a follow-up after."""
    try:
        found = open_list(going, token=token, now=now)
    except GoingError as exc:
        raise _not_found(exc) from exc
    body = going_feed(going, store, found, settings, now)
    return calendar_response(request, body, private=True, filename="going.ics", max_age=0)


@router.get("/{token}", response_model=GoingOut)
def get_going(
    token: Token,
    response: Response,
    going: GoingDep,
    store: StoreDep,
    settings: SettingsDep,
    now: NowDep,
) -> GoingOut:
    """The list: what is marked, its page and its feed."""
    try:
        found = open_list(going, token=token, now=now)
    except GoingError as exc:
        raise _not_found(exc) from exc
    response.headers.update(PRIVATE)
    return _out(going, store, found, token, settings)


@router.delete("/{token}/events/{event_id}", status_code=204, response_class=Response)
def unmark_going(token: Token, event_id: EventId, going: GoingDep, now: NowDep) -> Response:
    """Take one event off the list."""
    try:
        removed = unmark(going, token=token, event_id=event_id, now=now)
    except GoingError as exc:
        raise _not_found(exc) from exc
    if not removed:
        raise HTTPException(404, f"{event_id} is not on this list", headers=PRIVATE)
    return Response(status_code=204, headers=PRIVATE)


@router.delete("/{token}", status_code=204, response_class=Response)
def delete_going(token: Token, going: GoingDep, now: NowDep) -> Response:
    """Delete the list and every mark on it."""
    try:
        delete_list(going, token=token, now=now)
    except GoingError as exc:
        raise _not_found(exc) from exc
    return Response(status_code=204, headers=PRIVATE)
