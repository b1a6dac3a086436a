"""What the web pages show: events, subscribe links and structured data, ready to render.

Everything an event source wrote goes through the digest's cleaning
(:func:`feeds.digest.line`, :func:`feeds.digest.safe_url`): one-line fields
stay on one line and only http(s) links survive, so a ``javascript:`` URL in
a feed never becomes a link. The templates then only need Jinja2's
autoescape; JSON-LD is escaped for a ``<script>`` element by
:func:`json_for_script`. Labels and phrases come from ``service.text``, so
the page calls a thing what the feeds and the digest call it.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from ipaddress import ip_address
from typing import Any, Literal
from urllib.parse import quote, urlencode, urlsplit

from feeds.digest import line, safe_url
from service.classify.sectors import get_taxonomy
from service.links import absolute, google_calendar_url, webcal
from service.model import Attendance, Event, Status
from service.places.gazetteer import get_gazetteer
from service.text import labels
from service.text.labels import ATTENDANCE_LABELS, STATUS_LABELS
from service.text.phrases import distance_text, price_text, when_text, where_text

SCHEMA_STATUS: dict[Status, str] = {
    Status.SCHEDULED: "https://schema.org/EventScheduled",
    Status.CANCELLED: "https://schema.org/EventCancelled",
    Status.POSTPONED: "https://schema.org/EventPostponed",
}
SCHEMA_ATTENDANCE: dict[Attendance, str] = {
    Attendance.IN_PERSON: "https://schema.org/OfflineEventAttendanceMode",
    Attendance.ONLINE: "https://schema.org/OnlineEventAttendanceMode",
    Attendance.MIXED: "https://schema.org/MixedEventAttendanceMode",
}

EXCERPT_CHARS = 240
DESCRIPTION_CHARS = 5000
SHARE_DESCRIPTION_CHARS = 200
GOOGLE_ADD_BY_URL = "https://calendar.google.com/calendar/r"
OSM_MAP = "https://www.openstreetmap.org/"

_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
_SCRIPT_UNSAFE = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}


@dataclass(frozen=True)
class EventView:
    """One event as a result card or an event page shows it; every string already clean."""

    id: str
    title: str
    kind: str
    kind_label: str
    status: str
    status_label: str | None
    when: str
    start_iso: str
    timezone: str
    where: str
    attendance_label: str
    page_path: str
    ics_path: str
    google_url: str
    source: str
    distance: str | None = None
    why: list[str] = field(default_factory=list)
    website: str | None = None
    source_url: str | None = None
    organizer: str | None = None
    performer: str | None = None
    price: str | None = None
    sectors: list[str] = field(default_factory=list)
    excerpt: str | None = None
    description: list[str] = field(default_factory=list)
    map_url: str | None = None
    nearby_label: str | None = None
    nearby_path: str | None = None
    lat: float | None = None
    lon: float | None = None
    """Where it is on a map: set for an event with coordinates that is not online only."""
    repeats: str | None = None
    """For an event that repeats, listed once: "Repeats every Tuesday, 7:30 am (6 dates ahead)"."""


def _on_a_map(event: Event) -> bool:
    venue = event.venue
    return (
        event.attendance != Attendance.ONLINE
        and venue.lat is not None
        and venue.lon is not None
        and math.isfinite(venue.lat)
        and math.isfinite(venue.lon)
    )


def event_view(
    event: Event, *, distance_km: float | None = None, why: Sequence[str] = ()
) -> EventView:
    """An event in words a person reads, its times in the event's own time zone."""
    website = safe_url(event.url)
    source_url = safe_url(event.source_url)
    description = plain_text(event.description, DESCRIPTION_CHARS)
    place = _nearby_place(event)
    distance = distance_text(distance_km) if distance_km is not None else None
    return EventView(
        id=event.id,
        title=line(event.title) or "Untitled event",
        kind=event.kind.value,
        kind_label=labels.KIND_LABELS[event.kind],
        status=event.status.value,
        status_label=STATUS_LABELS.get(event.status),
        when=when_text(event, event.zone),
        start_iso=event.local_start().isoformat(),
        timezone=event.zone.key,
        where=line(where_text(event)),
        attendance_label=ATTENDANCE_LABELS[event.attendance],
        page_path=f"/e/{quote(event.id, safe='')}",
        ics_path=f"/events/{quote(event.id, safe='')}.ics",
        google_url=google_calendar_url(event),
        source=line(event.source),
        distance=distance,
        why=[line(reason) for reason in why if reason and reason != distance],
        website=website,
        source_url=source_url if source_url != website else None,
        organizer=line(event.organizer) or None,
        performer=line(event.performer) or None,
        price=line(price_text(event)) or None,
        sectors=sector_labels(event.sectors),
        excerpt=line(event.description, EXCERPT_CHARS) or None,
        description=description,
        map_url=map_url(event),
        lat=event.venue.lat if _on_a_map(event) else None,
        lon=event.venue.lon if _on_a_map(event) else None,
        nearby_label=place,
        nearby_path=f"/?{urlencode([('near', place)])}" if place else None,
    )


def plain_text(text: str | None, limit: int) -> list[str]:
    """Paragraphs of plain text, each cleaned to one line, at most ``limit`` characters in all."""
    if not text:
        return []
    paragraphs: list[str] = []
    left = limit
    for block in _PARAGRAPH_BREAK.split(text.replace("\r\n", "\n")):
        cleaned = line(block, max(left, 2))
        if cleaned:
            paragraphs.append(cleaned)
            left -= len(cleaned)
        if left <= 1:
            break
    return paragraphs


def sector_labels(slugs: Sequence[str]) -> list[str]:
    taxonomy = get_taxonomy()
    names: list[str] = []
    for slug in slugs:
        sector = taxonomy.get(slug)
        names.append(sector.label if sector else line(slug, 60))
    return names


def map_url(event: Event) -> str | None:
    """An OpenStreetMap link for an in-person venue with coordinates."""
    lat, lon = event.venue.lat, event.venue.lon
    if lat is None or lon is None or event.attendance is Attendance.ONLINE:
        return None
    return f"{OSM_MAP}?mlat={lat:.5f}&mlon={lon:.5f}#map=15/{lat:.5f}/{lon:.5f}"


def _nearby_place(event: Event) -> str | None:
    """The venue's city as the gazetteer names it, for "more events near ..."."""
    venue = event.venue
    if not venue.city or event.attendance is Attendance.ONLINE:
        return None
    place = get_gazetteer().resolve_parts(venue.city, venue.region, venue.country)
    return place.label if place else None


# Subscribing to a search

CancelledChoice = Literal["keep", "mark", "hide"]
CANCELLED_CHOICES: tuple[tuple[CancelledChoice, str], ...] = (
    ("keep", "Keep them, shown as cancelled"),
    ("mark", "Keep them, with “Cancelled:” before the title"),
    ("hide", "Remove them from my calendar"),
)
ALARM_CHOICES: tuple[tuple[int | None, str], ...] = (
    (None, "No reminder"),
    (15, "15 minutes before"),
    (60, "1 hour before"),
    (180, "3 hours before"),
    (1440, "1 day before"),
)


@dataclass(frozen=True)
class FeedChoices:
    """The calendar feed's options as the page offers them."""

    cancelled: CancelledChoice = "keep"
    alarm: int | None = None
    followup: bool = False

    def params(self) -> list[tuple[str, str]]:
        """Only the options that differ from the feed's defaults."""
        pairs: list[tuple[str, str]] = []
        if self.cancelled != "keep":
            pairs.append(("cancelled", self.cancelled))
        if self.alarm is not None:
            pairs.append(("alarm", str(self.alarm)))
        if self.followup:
            pairs.append(("followup", "1"))
        return pairs


@dataclass(frozen=True)
class SubscribeLinks:
    """One search as a calendar subscription, in every form a calendar app takes."""

    base: str
    https: str
    webcal: str
    google: str
    public: bool


def subscribe_links(
    base_url: str, search_params: list[tuple[str, str]], choices: FeedChoices
) -> SubscribeLinks:
    """``base`` is the feed without options: the page's script adds them as they change."""
    base = absolute(base_url, "/feeds/events.ics", search_params)
    https = absolute(base_url, "/feeds/events.ics", [*search_params, *choices.params()])
    subscription = webcal(https)
    return SubscribeLinks(
        base=base,
        https=https,
        webcal=subscription,
        google=google_add_by_url(subscription),
        public=is_public(base_url),
    )


def google_add_by_url(feed_url: str) -> str:
    """Google Calendar's "add by URL" link: it asks, then polls the feed from Google's servers."""
    return f"{GOOGLE_ADD_BY_URL}?{urlencode([('cid', feed_url)])}"


def is_public(base_url: str) -> bool:
    """Whether a calendar service on the internet could reach ``base_url``."""
    host = urlsplit(base_url).hostname or ""
    if host in ("localhost", "") or host.endswith((".localhost", ".local", ".internal")):
        return False
    try:
        address = ip_address(host)
    except ValueError:
        return True
    return address.is_global


# Structured data for search engines and link previews


def event_json_ld(event: Event, *, page_url: str) -> dict[str, Any]:
    """schema.org ``Event`` with the fields search engines read."""
    url = safe_url(event.url) or page_url
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": line(event.title) or "Untitled event",
        "startDate": _schema_date(event, end=False),
        "endDate": _schema_date(event, end=True),
        "eventStatus": SCHEMA_STATUS[event.status],
        "eventAttendanceMode": SCHEMA_ATTENDANCE[event.attendance],
        "location": _schema_location(event, url),
        "url": url,
        "description": share_description(event, limit=DESCRIPTION_CHARS),
    }
    organizer = line(event.organizer)
    if organizer:
        data["organizer"] = {"@type": "Organization", "name": organizer}
        if safe_url(event.url):
            data["organizer"]["url"] = _site_of(url)
    elif safe_url(event.url):
        data["organizer"] = {"@type": "Organization", "name": _host(url), "url": _site_of(url)}
    performer = line(event.performer)
    if performer:
        data["performer"] = {"@type": "Person", "name": performer}
    if event.is_free:
        data["isAccessibleForFree"] = True
    if event.price is not None and event.currency:
        data["offers"] = {
            "@type": "Offer",
            "price": f"{event.price:g}",
            "priceCurrency": line(event.currency, 8),
            "url": url,
        }
    return data


def _schema_date(event: Event, *, end: bool) -> str:
    """ISO 8601 in the event's zone; a date alone for all-day events (end inclusive)."""
    if event.all_day:
        day = event.local_start().date()
        if end:
            day = max(day, event.local_end().date() - timedelta(days=1))
        return day.isoformat()
    moment = event.local_end() if end else event.local_start()
    return moment.isoformat()


def _schema_location(event: Event, url: str) -> dict[str, Any] | list[dict[str, Any]]:
    virtual = {"@type": "VirtualLocation", "url": url}
    if event.attendance is Attendance.ONLINE:
        return virtual
    venue = event.venue
    address = {
        key: value
        for key, value in (
            ("streetAddress", line(venue.address)),
            ("addressLocality", line(venue.city)),
            ("addressRegion", line(venue.region)),
            ("addressCountry", line(venue.country)),
        )
        if value
    }
    place: dict[str, Any] = {
        "@type": "Place",
        "name": line(venue.name) or line(venue.city) or "To be announced",
    }
    if address:
        place["address"] = {"@type": "PostalAddress", **address}
    if venue.lat is not None and venue.lon is not None:
        place["geo"] = {"@type": "GeoCoordinates", "latitude": venue.lat, "longitude": venue.lon}
    if event.attendance is Attendance.MIXED:
        return [place, virtual]
    return place


def _host(url: str) -> str:
    return (urlsplit(url).hostname or url).removeprefix("www.")


def _site_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}/"


def share_description(event: Event, *, limit: int = SHARE_DESCRIPTION_CHARS) -> str:
    """What a link preview says: the event's own words, else kind, date and place."""
    own = line(event.description, limit)
    if own:
        return own
    kind = labels.KIND_LABELS[event.kind]
    return line(f"{kind}, {when_text(event, event.zone)}, {where_text(event)}.", limit)


def json_for_script(data: object) -> str:
    """JSON that cannot end its ``<script>`` element or open a comment inside it."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    for character, escaped in _SCRIPT_UNSAFE.items():
        text = text.replace(character, escaped)
    return text


def page_url(base_url: str, event: Event) -> str:
    return absolute(base_url, f"/e/{quote(event.id, safe='')}")
