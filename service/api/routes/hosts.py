"""``/hosts``: who runs events, near a place or one at a time, with the host's feed;
``/subscriptions/{token}/hosts``: the hosts a digest subscriber follows."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request, Response

from feeds.ical import FeedOptions, render_calendar
from service.api.calendar_response import calendar_response
from service.api.host_schemas import (
    ActiveHostOut,
    CountOut,
    FollowIn,
    FollowsOut,
    HostBriefOut,
    HostOut,
    HostsPage,
    LinkOut,
)
from service.api.present import event_out, place_out
from service.hosts import (
    DEFAULT_RADIUS_KM,
    HostsError,
    feed_events,
    host_profile,
    hosts_near,
)
from service.http.deps import NowDep, SettingsDep, StoreDep
from service.http.filters import invalid
from service.links import absolute, webcal
from service.model import Host
from service.settings import Settings
from service.store import HostStore, SubscriptionStore
from service.text.hosts import HOST_FEED

router = APIRouter(tags=["hosts"])

Slug = Annotated[str, Path(min_length=1, max_length=80, pattern=r"^[a-z0-9-]+$")]
Token = Annotated[str, Path(min_length=20, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
MAX_HOSTS = 200


def host_store(store: StoreDep) -> HostStore:
    return HostStore(store.engine)


HostsDep = Annotated[HostStore, Depends(host_store)]


def host_links(settings: Settings, slug: str) -> tuple[str, str, str]:
    """(JSON, page, feed) URLs of a host."""
    base = settings.base_url
    return (
        absolute(base, f"/hosts/{slug}"),
        absolute(base, f"/h/{slug}"),
        absolute(base, f"/hosts/{slug}.ics"),
    )


def brief(host: Host, settings: Settings) -> HostBriefOut:
    url, page, _ = host_links(settings, host.slug)
    return HostBriefOut(
        slug=host.slug, name=host.name, website=host.website, url=url, page_url=page
    )


@router.get("/hosts", response_model=HostsPage)
def list_hosts(
    hosts: HostsDep,
    settings: SettingsDep,
    now: NowDep,
    near: Annotated[str, Query(min_length=1, max_length=200, description="A place name.")],
    radius_km: Annotated[float, Query(description="How far from `near`, in km.")] = (
        DEFAULT_RADIUS_KM
    ),
    limit: Annotated[int, Query(ge=1, le=MAX_HOSTS)] = 50,
) -> HostsPage:
    """Hosts with upcoming events near a place: the busiest first."""
    try:
        found = hosts_near(hosts, near=near, radius_km=radius_km, now=now, limit=limit)
    except HostsError as exc:
        raise invalid(
            exc.parameter, exc.message, near if exc.parameter == "near" else radius_km
        ) from exc
    items = []
    for active in found.items:
        url, page, _ = host_links(settings, active.host.slug)
        items.append(
            ActiveHostOut(
                slug=active.host.slug,
                name=active.host.name,
                website=active.host.website,
                upcoming=active.upcoming,
                nearest_km=round(active.nearest_km, 3),
                url=url,
                page_url=page,
            )
        )
    return HostsPage(
        items=items, total=len(items), place=place_out(found.place), radius_km=found.radius_km
    )


@router.get("/hosts/{slug}.ics", response_class=Response)
@router.head("/hosts/{slug}.ics", response_class=Response)
def get_host_feed(
    request: Request, slug: Slug, hosts: HostsDep, settings: SettingsDep, now: NowDep
) -> Response:
    """Every event of the host as a calendar people subscribe to."""
    host = hosts.get(slug=slug)
    if host is None:
        raise HTTPException(404, f"no host {slug}")
    options = FeedOptions(
        name=f"{host.name} · meetscout",
        description=HOST_FEED.format(name=host.name),
        base_url=settings.base_url,
        refresh=timedelta(hours=settings.feed_refresh_hours),
        stamp="updated",
    )
    body = render_calendar(feed_events(hosts, slugs=[slug], now=now), now=now, options=options)
    return calendar_response(request, body, private=False, filename=f"{slug}.ics")


@router.get("/hosts/{slug}", response_model=HostOut)
def get_host(slug: Slug, hosts: HostsDep, settings: SettingsDep, now: NowDep) -> HostOut:
    """A host: who they are, where to read about them, what they run, their feed."""
    profile = host_profile(hosts, slug=slug, now=now)
    if profile is None:
        raise HTTPException(404, f"no host {slug}")
    host = profile.host
    base = settings.base_url
    _, page, feed = host_links(settings, slug)
    return HostOut(
        slug=host.slug,
        name=host.name,
        website=host.website,
        read_about=[LinkOut(label=link.label, url=link.url) for link in profile.read_about],
        sectors=[CountOut(key=c.key, label=c.label, events=c.events) for c in profile.sectors],
        kinds=[CountOut(key=c.key, label=c.label, events=c.events) for c in profile.kinds],
        cities=profile.cities,
        upcoming_total=profile.upcoming_total,
        upcoming=[event_out(event, base_url=base) for event in profile.upcoming],
        recent=[event_out(event, base_url=base) for event in profile.recent],
        page_url=page,
        feed_url=feed,
        webcal_url=webcal(feed),
        follow_url=absolute(base, "/subscriptions/{token}/hosts"),
    )


# Following, with a digest subscription's token


def _subscription_id(store: StoreDep, token: str) -> int:
    subscription = SubscriptionStore(store.engine).get(token=token)
    if subscription is None or subscription.unsubscribed is not None:
        raise HTTPException(404, "no such subscription")
    return subscription.id


@router.get("/subscriptions/{token}/hosts", response_model=FollowsOut, tags=["subscriptions"])
def list_follows(
    token: Token, store: StoreDep, hosts: HostsDep, settings: SettingsDep
) -> FollowsOut:
    """The hosts this subscription follows: their events join its weekly digest."""
    subscription_id = _subscription_id(store, token)
    return FollowsOut(
        hosts=[brief(host, settings) for host in hosts.followed(subscription_id=subscription_id)]
    )


@router.post(
    "/subscriptions/{token}/hosts",
    response_model=FollowsOut,
    status_code=201,
    tags=["subscriptions"],
)
def follow_host(
    token: Token,
    body: FollowIn,
    store: StoreDep,
    hosts: HostsDep,
    settings: SettingsDep,
    now: NowDep,
) -> FollowsOut:
    """Follow a host: its events join this subscription's weekly digest."""
    subscription_id = _subscription_id(store, token)
    if hosts.get(slug=body.host) is None:
        raise HTTPException(404, f"no host {body.host}")
    hosts.follow(subscription_id=subscription_id, slug=body.host, now=now)
    return FollowsOut(
        hosts=[brief(host, settings) for host in hosts.followed(subscription_id=subscription_id)]
    )


@router.delete(
    "/subscriptions/{token}/hosts/{slug}",
    status_code=204,
    response_class=Response,
    tags=["subscriptions"],
)
def unfollow_host(token: Token, slug: Slug, store: StoreDep, hosts: HostsDep) -> Response:
    """Stop following a host."""
    subscription_id = _subscription_id(store, token)
    if not hosts.unfollow(subscription_id=subscription_id, slug=slug):
        raise HTTPException(404, f"not following {slug}")
    return Response(status_code=204)
