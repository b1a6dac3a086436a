"""The searches behind a digest: the week near the person, online events, last week's picks.

:mod:`service.digest.build` is pure; this module asks the store what it needs
(through :func:`service.search.search`, so the digest ranks exactly as
``/events`` does) and hands the answers over.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from service.digest.build import MIN_ALTERNATES, PreviousDigest, build_digest
from service.digest.weeks import iso_week, week_bounds
from service.going import marked_ids
from service.hosts import followed_events
from service.model import Attendance, Digest, Event, FreeTime, Status, Subscription
from service.places.distance import exact_km
from service.search import MAX_RADIUS_KM, Point, SearchCache, SearchRequest, SearchResult, search
from service.search.rank import reasons
from service.settings import ScoreWeights
from service.store import EventQuery, EventStore, GoingStore, HostStore
from service.store.subscriptions import SubscriptionStore
from service.text.advice import FOLLOWED_HOST

WEEK_LIMIT = 200
"""Ranked events read for one week: far more than a digest shows."""
ONLINE_LIMIT = 20
FOLLOWED_SCORE = 0.5
"""A followed host's event the search did not find ranks mid-table: shown, without pushing
the best nearby pick off the top."""
WENT_DAYS = 7
"""Marked events that ended this many days before the digest get its follow-up."""


def subscription_request(subscription: Subscription) -> SearchRequest:
    """What a subscription asks for, before it is cut to a week."""
    return SearchRequest(
        near=Point(subscription.lat, subscription.lon, subscription.near),
        radius_km=subscription.radius_km,
        sectors=subscription.sectors,
        kinds=subscription.kinds,
        attendance=subscription.attendance,
    )


def week_request(
    request: SearchRequest, *, now: datetime, zone: ZoneInfo, week_of: datetime | None = None
) -> SearchRequest:
    """The same search over what is left of the week (Monday to Sunday in ``zone``)."""
    start, end = week_bounds(max(week_of or now, now), zone)
    return replace(
        request,
        start=max(start, now),
        end=end,
        sort="score",
        once=True,
        limit=WEEK_LIMIT,
        cursor=None,
        statuses=(Status.SCHEDULED,),
    )


def compile_digest(
    store: EventStore,
    request: SearchRequest,
    *,
    now: datetime,
    timezone: str,
    place: str,
    free_times: Sequence[FreeTime] = (),
    previous: PreviousDigest | None = None,
    week_of: datetime | None = None,
    weights: ScoreWeights | None = None,
    cache: SearchCache | None = None,
    followed: Sequence[Event] = (),
    went: Sequence[Event] = (),
) -> Digest:
    """Search the week, and online events when nothing near fits, then build the digest.

    ``followed`` are events of hosts the person follows (they join the week's
    results whatever the filters say); ``went`` the events they marked "I'm
    going", which the follow-up names once they have taken place.

    ``cache`` is the caller's search cache (the app's); without one the store is read afresh.
    """
    zone = ZoneInfo(timezone)
    weekly = week_request(request, now=now, zone=zone, week_of=week_of)
    results = search(store, weekly, now=now, weights=weights, cache=cache).items
    current = _current(store, previous)
    from_hosts = [_followed_result(event, request, now) for event in followed]

    def build(online: Sequence[object] = ()) -> Digest:
        return build_digest(
            results,
            now=now,
            timezone=timezone,
            place=place,
            radius_km=request.radius_km,
            sectors=request.sectors,
            free_times=free_times,
            previous=previous,
            current=current,
            online=online,  # type: ignore[arg-type]
            max_radius_km=MAX_RADIUS_KM,
            week_of=week_of,
            went=went,
            followed=from_hosts,
        )

    digest = build()
    if digest.top_pick is None or len(digest.alternates) < MIN_ALTERNATES:
        online_request = replace(
            weekly, near=None, attendance=(Attendance.ONLINE,), limit=ONLINE_LIMIT
        )
        online = search(store, online_request, now=now, weights=weights, cache=cache).items
        digest = build(online)
    return digest


def subscription_digest(
    store: EventStore,
    subscriptions: SubscriptionStore,
    subscription: Subscription,
    *,
    now: datetime,
    weights: ScoreWeights | None = None,
    cache: SearchCache | None = None,
) -> Digest:
    """This week's digest for one subscriber, with changes and follow-ups from their last one."""
    week = iso_week(now.astimezone(subscription.zone).date())
    start, end = week_bounds(now, subscription.zone)
    hosts = HostStore(store.engine)
    followed = followed_events(
        hosts, subscription_id=subscription.id, start=max(start, now), end=end
    )
    return compile_digest(
        store,
        subscription_request(subscription),
        now=now,
        timezone=subscription.timezone,
        place=subscription.place_label,
        free_times=subscription.free_times,
        previous=previous_digest(subscriptions, subscription, week),
        weights=weights,
        cache=cache,
        followed=followed,
        went=went_to(store, subscription, now=now),
    )


def went_to(store: EventStore, subscription: Subscription, *, now: datetime) -> list[Event]:
    """The events the subscriber marked "I'm going" that ended in the last week."""
    ids = marked_ids(GoingStore(store.engine), subscription_id=subscription.id)
    if not ids:
        return []
    since = now - timedelta(days=WENT_DAYS)
    return [
        event
        for event in store.search(query=EventQuery(ids=sorted(ids)))
        if since <= event.effective_end <= now
    ]


def _followed_result(event: Event, request: SearchRequest, now: datetime) -> SearchResult:
    near = request.near
    distance = None
    if near is not None and event.venue.lat is not None and event.venue.lon is not None:
        distance = exact_km(near.lat, near.lon, event.venue.lat, event.venue.lon)
    why = reasons(
        event, distance_km=distance, now=now, near=near is not None, sectors=request.sectors
    )
    return SearchResult(event, distance, FOLLOWED_SCORE, [FOLLOWED_HOST, *why])


def previous_digest(
    subscriptions: SubscriptionStore, subscription: Subscription, week: str
) -> PreviousDigest | None:
    delivery = subscriptions.last_sent(subscription_id=subscription.id, before_week=week)
    if delivery is None or delivery.sent_at is None:
        return None
    return PreviousDigest(week=delivery.week, sent_at=delivery.sent_at, items=delivery.items)


def _current(store: EventStore, previous: PreviousDigest | None) -> dict[str, Event]:
    if previous is None or not previous.items:
        return {}
    ids = [item.id for item in previous.items]
    return {event.id: event for event in store.search(query=EventQuery(ids=ids))}
