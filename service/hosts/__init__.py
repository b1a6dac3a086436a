"""Hosts: who runs events, what they run, where to read about them, who follows them.

The use cases behind ``/hosts`` and ``/h/{slug}``: the API and the web page
both call :func:`host_profile` and :func:`hosts_near`, and the digest reads
the followed hosts' events through :func:`followed_events`.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from service.classify.sectors import get_taxonomy
from service.model import Event, Host, Kind, Status
from service.places.gazetteer import Place
from service.search import MAX_RADIUS_KM, SearchError, resolve_place
from service.store import ActiveHost, HostStore
from service.store.host_records import site_key
from service.text.hosts import READ_ABOUT_EVENT_PAGE, READ_ABOUT_WEBSITE
from service.text.labels import KIND_LABELS

UPCOMING_SHOWN = 20
RECENT_SHOWN = 10
RECENT_DAYS = 90
FEED_DAYS_BACK = 7
FEED_LIMIT = 1000
OWN_PAGES = 3
DEFAULT_RADIUS_KM = 25.0
_TRACKING = re.compile(r"^(utm_|fbclid$|gclid$|mc_|_hs|mkt_tok$|ref$|aff)")


@dataclass(frozen=True, slots=True)
class Count:
    key: str
    label: str
    events: int


@dataclass(frozen=True, slots=True)
class Link:
    label: str
    url: str


@dataclass(frozen=True, slots=True)
class HostProfile:
    """Everything a host's page says: who, where to read about them, what they run."""

    host: Host
    read_about: list[Link]
    sectors: list[Count]
    kinds: list[Count]
    cities: list[str]
    upcoming: list[Event]
    recent: list[Event]
    upcoming_total: int
    sources: list[str] = field(default_factory=list)


def clean_link(url: str | None) -> str | None:
    """An http(s) address without tracking parameters or fragment; None for anything else."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    query = [
        (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _TRACKING.match(k)
    ]
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", urlencode(query), ""))


def _read_about(host: Host, events: list[Event]) -> list[Link]:
    """The host's website, then a few of their event pages: on their own site when they
    have one (not a review or listing site), else wherever they publish them."""
    links: list[Link] = []
    website = clean_link(host.website)
    if website:
        links.append(Link(READ_ABOUT_WEBSITE, website))
    own = site_key(host.website)
    seen = {link.url for link in links}
    for event in events:
        if len(links) >= OWN_PAGES + 1:
            break
        url = clean_link(event.url)
        if url is None or url in seen:
            continue
        if own is not None and not _on_site(site_key(url), own):
            continue
        seen.add(url)
        links.append(Link(READ_ABOUT_EVENT_PAGE.format(title=event.title), url))
    return links


def _on_site(key: str | None, own: str) -> bool:
    """The page is on the host's own site, or one of its subdomains (a faculty's, a branch's)."""
    return key is not None and (key == own or key.endswith("." + own))


def host_profile(hosts: HostStore, *, slug: str, now: datetime) -> HostProfile | None:
    """The host ``slug``'s page, or None when there is no such host."""
    host = hosts.get(slug=slug)
    if host is None:
        return None
    ahead = hosts.events(slugs=[slug], start=now)
    upcoming_all = [event for event in ahead if event.status != Status.CANCELLED]
    recent = hosts.events(
        slugs=[slug],
        start=now - timedelta(days=RECENT_DAYS),
        end=now,
        newest_first=True,
        limit=RECENT_SHOWN,
    )
    recent = [event for event in recent if event.effective_end <= now]
    # What they run: a cancelled date still says so; the lists show only what takes place.
    seen = [*ahead, *recent]
    taxonomy = get_taxonomy()
    sector_counts = Counter(sector for event in seen for sector in event.sectors)
    kind_counts = Counter(event.kind for event in seen if event.kind != Kind.OTHER)
    cities = Counter(event.venue.city for event in seen if event.venue.city)
    return HostProfile(
        host=host,
        read_about=_read_about(host, seen),
        sectors=[
            Count(key, (s.label if (s := taxonomy.get(key)) else key), count)
            for key, count in sorted(sector_counts.items(), key=lambda item: (-item[1], item[0]))
        ],
        kinds=[
            Count(kind.value, KIND_LABELS[kind], count)
            for kind, count in sorted(kind_counts.items(), key=lambda item: (-item[1], item[0]))
        ],
        cities=[city for city, _ in cities.most_common(5)],
        upcoming=upcoming_all[:UPCOMING_SHOWN],
        recent=recent,
        upcoming_total=len(upcoming_all),
        sources=sorted({source for event in seen for source in event.sources}),
    )


def feed_events(hosts: HostStore, *, slugs: list[str], now: datetime) -> list[Event]:
    """What a host's calendar feed holds: last week's events and every later one."""
    start = (now - timedelta(days=FEED_DAYS_BACK)).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    return hosts.events(slugs=slugs, start=start, limit=FEED_LIMIT)


class HostsError(ValueError):
    """A question about hosts that cannot be answered; names the parameter."""

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(message)
        self.parameter = parameter
        self.message = message


@dataclass(frozen=True, slots=True)
class HostsNear:
    place: Place
    radius_km: float
    items: list[ActiveHost]


def hosts_near(
    hosts: HostStore, *, near: str, radius_km: float, now: datetime, limit: int
) -> HostsNear:
    """Hosts with upcoming events within ``radius_km`` of the place ``near``, busiest first."""
    if not 0 < radius_km <= MAX_RADIUS_KM:
        raise HostsError("radius_km", f"radius_km must be above 0 and at most {MAX_RADIUS_KM:g}")
    try:
        place = resolve_place(near)
    except SearchError as exc:
        raise HostsError("near", exc.message) from exc
    items = hosts.active_near(
        lat=place.lat, lon=place.lon, radius_km=radius_km, now=now, limit=limit
    )
    return HostsNear(place=place, radius_km=radius_km, items=items)


def followed_events(
    hosts: HostStore, *, subscription_id: int, start: datetime, end: datetime
) -> list[Event]:
    """The scheduled events of the hosts a subscription follows, between ``start`` and ``end``."""
    followed = [host.slug for host in hosts.followed(subscription_id=subscription_id)]
    return [
        event
        for event in hosts.events(slugs=followed, start=start, end=end)
        if event.status == Status.SCHEDULED and event.start >= start
    ]
