"""Event platforms recognised from a page's address, links and markup, and what each publishes.

To add a platform: one function that takes the :class:`Read` page and returns
a :class:`Found` (the source it publishes: type, URL, an optional ``follow``
selector, the evidence) or None, listed in ``PLATFORMS``. A platform that is
recognised but publishes nothing a crawl can read from this page says so
with :class:`Hint`, which discovery reports as the reason.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from urllib.parse import parse_qs, quote, unquote, urlsplit


@dataclass(frozen=True)
class Read:
    """The page as discovery read it: its address, every link on it, its bytes."""

    url: str
    links: Sequence[str]
    body: bytes = b""

    @property
    def origin(self) -> str:
        parts = urlsplit(self.url)
        return f"{parts.scheme}://{parts.netloc}"

    def has(self, *markers: bytes) -> bytes | None:
        """The first marker the page's markup holds (compared without case), or None."""
        lowered = self.body[:2_000_000].lower()
        return next((marker for marker in markers if marker.lower() in lowered), None)


@dataclass(frozen=True)
class Found:
    """A platform's published source: what a ``[[source]]`` entry would crawl."""

    platform: str
    type: str
    url: str
    evidence: str
    follow: str | None = None


@dataclass(frozen=True)
class Hint:
    """A platform recognised that publishes nothing crawlable from this page; what to do."""

    platform: str
    advice: str


Recognised = Found | Hint | None


def meetup(page: Read) -> Recognised:
    for candidate in (page.url, *page.links):
        match = re.match(r"https?://(?:www\.)?meetup\.com/([A-Za-z0-9_-]+)/?", candidate)
        if match and match.group(1).lower() not in ("find", "topics", "cities", "apps", "login"):
            group = match.group(1)
            return Found("Meetup", "ics", f"https://www.meetup.com/{group}/events/ical/", candidate)
    return None


def google_calendar(page: Read) -> Recognised:
    for candidate in (page.url, *page.links):
        parts = urlsplit(candidate)
        if parts.netloc.endswith("calendar.google.com") and "/calendar/" in parts.path:
            ids = parse_qs(parts.query).get("src") or parse_qs(parts.query).get("cid")
            if ids:
                calendar = quote(unquote(ids[0]), safe="")
                return Found(
                    "Google Calendar",
                    "ics",
                    f"https://calendar.google.com/calendar/ical/{calendar}/public/basic.ics",
                    candidate,
                )
    return None


def outlook(page: Read) -> Recognised:
    for candidate in (page.url, *page.links):
        match = re.match(
            r"(https://outlook\.(?:office365|live)\.com/owa/calendar/[^?#]+/)", candidate
        )
        if match and candidate.endswith(".html"):
            return Found("Outlook", "ics", candidate[: -len(".html")] + ".ics", candidate)
    return None


def events_calendar(page: Read) -> Recognised:
    """The Events Calendar for WordPress: its iCal export, ``?ical=1`` of the listing."""
    for candidate in page.links:
        if "ical=1" in candidate and ("/events" in candidate or "tribe" in candidate):
            return Found("The Events Calendar (WordPress)", "ics", candidate, candidate)
    marker = page.has(b"tribe-events", b"/wp-json/tribe/events/", b"tribe_events")
    if marker:
        feed = f"{page.origin}/?post_type=tribe_events&ical=1&eventDisplay=list"
        return Found(
            "The Events Calendar (WordPress)",
            "ics",
            feed,
            f"the page's markup has {marker.decode()!r}; the plugin's site-wide iCal export",
        )
    return None


TRIBE_API = re.compile(rb'href="(https?://[^"]+/wp-json/tribe/events/v1/)"')


def events_calendar_api(page: Read) -> Recognised:
    """The Events Calendar's REST API, which the plugin links from every page's head: every
    event of a window, paged (its iCal export stops at one page of the list, 30 events)."""
    found = TRIBE_API.search(page.body[:500_000])
    if found is None:
        return None
    base = found.group(1).decode()
    return Found(
        "The Events Calendar (WordPress)",
        "tribe_api",
        base + "events",
        f"the page links the plugin's REST API ({base})",
    )


EVENTBRITE_ORGANISER = re.compile(
    r"https?://(?:www\.)?eventbrite\.[a-z.]+/o/(?:[a-z0-9-]*-)?(\d{6,})/?", re.IGNORECASE
)


def eventbrite(page: Read) -> Recognised:
    """An Eventbrite organiser: no calendar feed, but its page lists its events as schema.org."""
    for candidate in (page.url, *page.links):
        match = EVENTBRITE_ORGANISER.match(candidate)
        if match:
            organiser = match.group(0).rstrip("/")
            return Found(
                "Eventbrite",
                "jsonld",
                organiser,
                f"an Eventbrite organiser ({candidate}); its page lists its events as "
                "schema.org Event data",
            )
    return None


LUMA_CALENDAR = re.compile(rb'"api_id"\s*:\s*"(cal-[A-Za-z0-9]+)"')


def luma(page: Read) -> Recognised:
    """A Luma calendar page: its iCalendar feed is Luma's ``ics/get`` of the calendar's id."""
    host = urlsplit(page.url).hostname or ""
    if host not in ("lu.ma", "luma.com", "www.luma.com"):
        links = [link for link in page.links if re.match(r"https?://(lu\.ma|luma\.com)/\w", link)]
        if links:
            return Hint("Luma", f"the page links a Luma calendar: add {links[0]} itself")
        return None
    found = LUMA_CALENDAR.search(page.body)
    if found is None:
        return Hint("Luma", "a Luma page without a calendar id (an event, not a calendar?)")
    calendar = found.group(1).decode()
    return Found(
        "Luma",
        "ics",
        f"https://api2.luma.com/ics/get?entity=calendar&id={calendar}",
        f"the Luma calendar {calendar} named in the page's data",
    )


LIBCAL_ID = re.compile(r"[?&;]cid=(\d+)")


def libcal(page: Read) -> Recognised:
    """Springshare LibCal: each calendar (``cid``) publishes ``ical_subscribe.php``."""
    for candidate in (page.url, *page.links):
        parts = urlsplit(candidate)
        if not (parts.hostname or "").endswith(".libcal.com"):
            continue
        found = LIBCAL_ID.search(candidate)
        if found is None and candidate == page.url:
            body_id = re.search(rb"[?&;\"']cid[\"']?\s*[=:]\s*[\"']?(\d+)", page.body)
            found_id = body_id.group(1).decode() if body_id else None
        else:
            found_id = found.group(1) if found else None
        if found_id:
            return Found(
                "LibCal",
                "ics",
                f"https://{parts.hostname}/ical_subscribe.php?src=p&cid={found_id}",
                f"the LibCal calendar {found_id} ({candidate})",
            )
    libcal_links = [link for link in page.links if ".libcal.com" in link]
    if libcal_links:
        return Hint("LibCal", f"the page links LibCal: add its calendar page, {libcal_links[0]}")
    return None


def localist(page: Read) -> Recognised:
    """Localist: every calendar view is also iCalendar (``/calendar.ics``)."""
    marker = page.has(b"localist.com", b"localist-", b"Powered by Localist", b"localist_")
    if marker is None:
        return None
    return Found(
        "Localist",
        "ics",
        f"{page.origin}/calendar.ics",
        f"the page's markup has {marker.decode()!r}; Localist's iCalendar export",
    )


def livewhale(page: Read) -> Recognised:
    """LiveWhale Calendar: ``/live/ical/events`` (a group's: ``/group_id/N``)."""
    for candidate in page.links:
        if "/live/ical/events" in candidate:
            return Found("LiveWhale", "ics", candidate, candidate)
    marker = page.has(b"/live/resource/", b"livewhale", b"/live/events/")
    if marker is None:
        return None
    return Found(
        "LiveWhale",
        "ics",
        f"{page.origin}/live/ical/events",
        f"the page's markup has {marker.decode()!r}; LiveWhale's iCalendar feed",
    )


CIVICPLUS_CATEGORY = re.compile(r"calendar\.aspx\?(?:.*&)?CID=(\d+)", re.IGNORECASE)


def civicplus(page: Read) -> Recognised:
    """CivicPlus (CivicEngage): each calendar category publishes ``iCalendar.aspx``."""
    for candidate in page.links:
        if "icalendar.aspx" in candidate.lower() and "catid=" in candidate.lower():
            return Found("CivicPlus", "ics", candidate, candidate)
    marker = page.has(b"civicplus", b"CivicEngage", b"/AgendaCenter", b"/Calendar.aspx")
    if marker is None:
        return None
    for candidate in (page.url, *page.links):
        found = CIVICPLUS_CATEGORY.search(candidate)
        if found and urlsplit(candidate).netloc == urlsplit(page.url).netloc:
            category = found.group(1)
            return Found(
                "CivicPlus",
                "ics",
                f"{page.origin}/common/modules/iCalendar/iCalendar.aspx"
                f"?catID={category}&feed=calendar",
                f"a CivicPlus site (its markup has {marker.decode()!r}), calendar {category} "
                f"({candidate})",
            )
    return Hint(
        "CivicPlus",
        f"a CivicPlus site with no calendar category on this page: its feeds are listed at "
        f"{page.origin}/iCalendar.aspx",
    )


CHAMBER_DETAIL = 'a[href*="/events/details/"]'


def chamber(page: Read) -> Recognised:
    """GrowthZone and ChamberMaster: no site feed, but each event's page is schema.org data."""
    marker = page.has(b"growthzone.com", b"chambermaster.com", b"chambermaster.blob", b"micronet")
    details = [link for link in page.links if "/events/details/" in link]
    if marker is None and not details:
        return None
    name = "ChamberMaster" if page.has(b"chambermaster.") else "GrowthZone"
    if details:
        return Found(
            name,
            "jsonld",
            page.url,
            f"{len(details)} link(s) to the chamber's event pages ({details[0]}), each "
            "with schema.org Event data",
            follow=CHAMBER_DETAIL,
        )
    return Hint(
        name,
        f"a {name} chamber site: its events are listed at {page.origin}/events/calendar/ "
        "(add that address)",
    )


def squarespace(page: Read) -> Recognised:
    if page.has(b"static1.squarespace.com") or b"Squarespace" in page.body[:200_000]:
        feed = page.url.split("?")[0] + "?format=ical"
        return Found("Squarespace", "ics", feed, "the page is built with Squarespace")
    return None


PlatformReader = Callable[[Read], Recognised]
PLATFORMS: tuple[PlatformReader, ...] = (
    meetup,
    google_calendar,
    outlook,
    luma,
    libcal,
    livewhale,
    civicplus,
    events_calendar,
    localist,
    eventbrite,
)
"""Read in order, before the page's own schema.org events: a platform's feed is better."""
LATE_PLATFORMS: tuple[PlatformReader, ...] = (chamber, squarespace)
"""Read after the page's own events: their source is the page's markup, or a guess from it."""
