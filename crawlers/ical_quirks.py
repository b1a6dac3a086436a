"""What real iCalendar producers get wrong, and how the ``ics`` spider reads it anyway.

Helpers with no Scrapy in them: time zone names from Outlook, Exchange,
Mozilla and tzurl resolved to IANA, a calendar's own VTIMEZONE used when a
name cannot be resolved, components that break the parser salvaged one by
one, and the text fields (location, organizer, categories) cleaned up.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, timedelta, tzinfo
from functools import cache
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import icalendar
from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON
from w3lib.html import replace_entities

from service.model import Status

# Outlook writes display names ("(UTC-05:00) Eastern Time (US & Canada)") as
# TZIDs. Most name cities that are IANA zones; these name none.
WINDOWS_DISPLAY_NAMES = {
    "eastern time (us and canada)": "America/New_York",
    "central time (us and canada)": "America/Chicago",
    "mountain time (us and canada)": "America/Denver",
    "pacific time (us and canada)": "America/Los_Angeles",
    "atlantic time (canada)": "America/Halifax",
    "alaska": "America/Anchorage",
    "hawaii": "Pacific/Honolulu",
    "arizona": "America/Phoenix",
    "indiana (east)": "America/Indiana/Indianapolis",
    "saskatchewan": "America/Regina",
    "newfoundland": "America/St_Johns",
    "brasilia": "America/Sao_Paulo",
    "coordinated universal time": "UTC",
    "dublin, edinburgh, lisbon, london": "Europe/London",
}
DISPLAY_NAME = re.compile(
    r"^\((?:UTC|GMT)(?:\s*([+-])(\d{1,2})[:.]?(\d{2})?)?\)\s*(?P<rest>.+)$", re.IGNORECASE
)
# Zones tried first when only a VTIMEZONE's rules identify the zone: several
# zones share a year's offsets, and the populous one is the likelier meaning.
PREFERRED_ZONES = (
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Phoenix",
    "America/Los_Angeles",
    "America/Anchorage",
    "Pacific/Honolulu",
    "America/Halifax",
    "America/St_Johns",
    "America/Sao_Paulo",
    "America/Mexico_City",
    "Europe/London",
    "Europe/Berlin",
    "Europe/Paris",
    "Europe/Helsinki",
    "Europe/Moscow",
    "Asia/Kolkata",
    "Asia/Shanghai",
    "Asia/Tokyo",
    "Australia/Sydney",
    "Australia/Adelaide",
    "Australia/Brisbane",
    "Australia/Perth",
    "Pacific/Auckland",
    "UTC",
)
UTC_NAMES = frozenset({"UTC", "Etc/UTC", "Etc/UCT", "UCT", "Zulu", "Etc/Zulu", "GMT", "Etc/GMT"})
DATE_PROPERTIES = ("DTSTART", "DTEND", "RECURRENCE-ID", "EXDATE", "RDATE")
SINGLE_PROPERTIES = (
    "DTSTART",
    "DTEND",
    "DURATION",
    "RECURRENCE-ID",
    "UID",
    "SUMMARY",
    "DESCRIPTION",
    "LOCATION",
    "STATUS",
    "GEO",
    "ORGANIZER",
)
OPTIONAL_DATES = ("DTEND", "DURATION", "EXDATE", "RDATE", "GEO")
URL_TEXT = re.compile(r"^(?:https?://|www\.)\S+$", re.IGNORECASE)
PLACEHOLDER = re.compile(r"^(?:#_[A-Z_]+[\s,;:-]*)+$")
EMAIL = re.compile(r"[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+")
ONLINE_LOCATION = re.compile(
    r"\b(?:zoom|webex|jitsi|bluejeans|whereby|mumble|discord|online|virtual|webinar|webcast|livestream|"
    r"meet\.google|teams\.microsoft|microsoft teams|google meet)\b",
    re.IGNORECASE,
)
CANCELLED_TITLE = re.compile(
    r"^\W*(?:cancell?ed|abgesagt|annul[ée]e?)\s*[:\-\u2013\])!]|\((?:cancell?ed|abgesagt)\)\s*$"
    r"|\bf[äa]llt\s+(?:\w+\s+)?aus\b|\bentf[äa]llt\b",
    re.IGNORECASE,
)
POSTPONED_TITLE = re.compile(r"^[^:]{0,30}\b(?:postponed|verschoben)\s*[:\-\u2013]", re.IGNORECASE)


def collapse(text: object) -> str:
    """Text on one line with single spaces, as a person would read it."""
    return " ".join(str(text).split()) if text is not None else ""


def date_value(component: icalendar.Component, name: str) -> Any:
    """The Python value (``.dt``) of a date property, or None when it is absent."""
    prop = first(component.get(name))
    return getattr(prop, "dt", None) if prop is not None else None


def first(value: Any) -> Any:
    """One value of a property a producer wrote more than once."""
    return value[0] if isinstance(value, list) and value else value


@cache
def is_iana(name: str) -> bool:
    if not name or name.startswith(("/", ".")) or not name.isascii():
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True


@cache
def _zones_by_city() -> dict[str, str]:
    """IANA zones by their last part, lowercase with spaces: ``"new york"``."""
    cities: dict[str, str] = {}
    for name in sorted(available_timezones()):
        if "/" in name and not name.startswith(("Etc/", "SystemV/", "US/")):
            cities.setdefault(_fold(name.rsplit("/", 1)[1].replace("_", " ")), name)
    return cities


def _fold(text: str) -> str:
    """Lowercase without accents, ``&`` as ``and``: how display names are compared."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return " ".join(plain.replace("&", " and ").lower().split())


@cache
def resolve_tzid(tzid: str) -> str | None:
    """The IANA zone a producer's TZID means, or None when its name does not say.

    Handles IANA names, Windows zone ids ("W. Europe Standard Time"), Outlook
    display names ("(UTC-03:00) Brasília"), quoted values and vendor-prefixed
    ids ("/mozilla.org/20050126_1/Europe/Berlin", "custom_Pacific/Fiji").
    """
    name = tzid.strip().strip('"').strip()
    if is_iana(name.strip("/")):
        return name.strip("/")
    windows = _windows_ids().get(name.lower())
    if windows:
        return windows
    shown = DISPLAY_NAME.match(name)
    if shown:
        return _from_display_name(shown)
    # icalendar-ruby (Localist) writes Rails' names without the offset:
    # X-WR-TIMEZONE:Eastern Time (US & Canada), Indiana (East).
    bare = WINDOWS_DISPLAY_NAMES.get(_fold(name))
    if bare:
        return bare
    return _from_prefixed(name)


@cache
def _windows_ids() -> dict[str, str]:
    return {key.lower(): value for key, value in WINDOWS_TO_OLSON.items() if is_iana(value)}


def _from_display_name(shown: re.Match[str]) -> str | None:
    rest = _fold(shown.group("rest"))
    known = WINDOWS_DISPLAY_NAMES.get(rest)
    if known:
        return known
    sign, hours, minutes = shown.group(1), shown.group(2), shown.group(3)
    offset = timedelta(hours=int(hours or 0), minutes=int(minutes or 0))
    offset = -offset if sign == "-" else offset
    cities = _zones_by_city()
    for part in re.split(r",|/|\band\b", rest):
        zone = cities.get(part.strip())
        if zone and _has_offset(zone, offset):
            return zone
    return None


def _has_offset(zone: str, offset: timedelta) -> bool:
    """Whether ``zone`` is at ``offset`` in winter or summer of a recent year."""
    tz = ZoneInfo(zone)
    return any(
        datetime(2025, month, 15, 12, tzinfo=UTC).astimezone(tz).utcoffset() == offset
        for month in (1, 7)
    )


def _from_prefixed(name: str) -> str | None:
    parts = [part for part in name.strip("/").split("/") if part]
    for index in range(len(parts) - 1):
        tail = parts[index:]
        for head in (tail[0], tail[0].rsplit("_", 1)[-1]):
            candidate = "/".join([head, *tail[1:]])
            if is_iana(candidate):
                return candidate
    return None


def zone_from_rules(tz: tzinfo, year: int) -> str | None:
    """An IANA zone whose offsets equal ``tz``'s every day of ``year``, if any.

    For VTIMEZONEs whose name says nothing ("Customized Time Zone"): the
    rules still say which zone the organiser was in.
    """
    days = [datetime(year, 1, 1, 12, tzinfo=UTC) + timedelta(days=n) for n in range(0, 365, 3)]
    try:
        wanted = [day.astimezone(tz).utcoffset() for day in days]
    except (ValueError, OverflowError, TypeError):
        return None
    candidates = dict.fromkeys([*PREFERRED_ZONES, *WINDOWS_TO_OLSON.values()])
    for zone in candidates:
        if not is_iana(zone):
            continue
        candidate = ZoneInfo(zone)
        if all(
            day.astimezone(candidate).utcoffset() == offset
            for day, offset in zip(days, wanted, strict=True)
        ):
            return zone
    return None


def calendar_zone(calendar: icalendar.Calendar) -> str | None:
    """The zone a calendar's floating and all-day times are in, when it says.

    X-WR-TIMEZONE (Google, Apple), a stray calendar-level TZID (WordPress
    Events Manager), the only local VTIMEZONE, or the only zone its events
    name, in that order.
    """
    for name in ("X-WR-TIMEZONE", "TZID"):
        declared = first(calendar.get(name))
        zone = resolve_tzid(str(declared)) if isinstance(declared, str) else None
        if zone:
            return zone
    defined = [component.get("TZID") for component in calendar.walk("VTIMEZONE")]
    used = [
        getattr(first(component.get("DTSTART")), "params", {}).get("TZID")
        for component in calendar.walk("VEVENT")
    ]
    for tzids in (defined, used):
        zones = {resolve_tzid(tzid) for tzid in tzids if isinstance(tzid, str)}
        zones -= {None, *UTC_NAMES}
        if len(zones) == 1:
            return zones.pop()
    return None


def is_utc(value: datetime) -> bool:
    tz = value.tzinfo
    if tz is UTC:
        return True
    if isinstance(tz, ZoneInfo):
        return tz.key in UTC_NAMES
    return value.utcoffset() == timedelta(0) and type(tz).__name__ == "tzutc"


def display_zone(value: datetime, default_zone: str | None) -> str | None:
    """The IANA zone to show a time in.

    Floating and UTC times take the calendar's zone (a Google feed written
    in UTC still belongs to its X-WR-TIMEZONE); a zone built from a
    VTIMEZONE that matches no IANA zone has no name to give.
    """
    if value.tzinfo is None or is_utc(value):
        return default_zone
    return value.tzinfo.key if isinstance(value.tzinfo, ZoneInfo) else None


def in_zone(value: datetime, zone: str | None) -> datetime:
    """``value`` made aware: floating times read in ``zone``, UTC times shown in it."""
    if value.tzinfo is None:
        return value.replace(tzinfo=ZoneInfo(zone) if zone else UTC)
    if zone and is_utc(value):
        return value.astimezone(ZoneInfo(zone))
    return value


class CalendarZones:
    """The time zone each TZID of one calendar means.

    An IANA zone when the name resolves (trusted over the feed's VTIMEZONE,
    which pretalx writes with wrong offsets); otherwise the zone the
    calendar's own VTIMEZONE rules match; otherwise that VTIMEZONE itself.
    icalendar caches VTIMEZONEs by TZID for the whole process, so two feeds
    that both say "Customized Time Zone" would share the first one's rules:
    rebuilding from this calendar's component keeps feeds apart.
    """

    def __init__(self, calendar: icalendar.Calendar) -> None:
        self.definitions: dict[str, icalendar.Component] = {}
        for component in calendar.subcomponents:
            tzid = component.get("TZID") if component.name == "VTIMEZONE" else None
            if isinstance(tzid, str):
                self.definitions.setdefault(tzid.strip().strip('"'), component)
        self.resolved: dict[str, tzinfo | None] = {}

    def zone(self, tzid: str, year: int) -> tzinfo | None:
        """The tzinfo for ``tzid``, or None when its times are floating."""
        key = tzid.strip().strip('"')
        if key not in self.resolved:
            self.resolved[key] = self._resolve(key, year)
        return self.resolved[key]

    def _resolve(self, tzid: str, year: int) -> tzinfo | None:
        iana = resolve_tzid(tzid)
        if iana:
            return ZoneInfo(iana)
        definition = self.definitions.get(tzid)
        if definition is None:
            return None
        try:
            own = definition.to_tz(lookup_tzid=False)  # type: ignore[attr-defined]
        except Exception:  # a VTIMEZONE icalendar cannot build has no rules to use
            return None
        guess = zone_from_rules(own, year)
        return ZoneInfo(guess) if guess else own

    def localize(self, component: icalendar.Component) -> None:
        """Put every date-time of ``component`` in the zone its TZID means, in place."""
        for name in DATE_PROPERTIES:
            for prop in _as_list(component.get(name)):
                tzid = getattr(prop, "params", {}).get("TZID")
                if not isinstance(tzid, str):
                    continue
                for holder in _holders(prop):
                    value = holder.dt
                    sample = value[0] if isinstance(value, tuple) else value
                    if not isinstance(sample, datetime) or is_utc(sample):
                        continue  # a "Z" time is an instant whatever TZID says
                    holder.dt = _relocalize(value, self.zone(tzid, sample.year))


def _holders(prop: Any) -> list[Any]:
    try:
        return list(prop.dts)
    except (AttributeError, icalendar.InvalidCalendar):
        return []


def _relocalize(value: Any, zone: tzinfo | None) -> Any:
    if isinstance(value, tuple):
        return tuple(_relocalize(part, zone) for part in value)
    if not isinstance(value, datetime) or value.tzinfo is zone:
        return value
    return value.replace(tzinfo=None).replace(tzinfo=zone) if zone else value.replace(tzinfo=None)


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def repair_event(component: icalendar.Component) -> str | None:
    """Fix what can be fixed in place; return why the event is unusable, if it is.

    A property written twice keeps its first value (tzurl's Fiji sample has
    two DTSTARTs); a broken end, duration, EXDATE, RDATE or GEO is removed so
    the event survives without it; a missing or broken DTSTART ends it.
    """
    for name in SINGLE_PROPERTIES:
        if isinstance(component.get(name), list):
            component[name] = first(component[name])
    for name in OPTIONAL_DATES:
        values = _as_list(component.get(name))
        kept = [value for value in values if not isinstance(value, icalendar.vBroken)]
        if len(kept) == len(values):
            continue
        del component[name]
        if kept:
            component[name] = kept if len(kept) > 1 else kept[0]
    start = component.get("DTSTART")
    if start is None:
        return "no DTSTART"
    if isinstance(start, icalendar.vBroken):
        return f"broken DTSTART {str(start)!r}"
    if isinstance(component.get("RECURRENCE-ID"), icalendar.vBroken):
        return "broken RECURRENCE-ID"
    return None


def salvage(text: str) -> tuple[list[icalendar.Calendar], list[str]]:
    """Parse a feed the parser rejects as a whole, one component at a time.

    Keeps every component that parses on its own and names the ones that do
    not. The Events Calendar (WordPress) writes two TZIDs into one VTIMEZONE,
    which fails the whole file in icalendar 7.3.2; alone, only that VTIMEZONE
    is lost, and its events still resolve their IANA TZIDs.
    """
    calendars: list[icalendar.Calendar] = []
    lost: list[str] = []
    for header, blocks in _split_calendars(text):
        calendar, refused = _calendar_header(header)
        lost.extend(refused)
        ordered = sorted(blocks, key=lambda block: not block[0].upper().startswith("BEGIN:VTIMEZ"))
        for block in ordered:
            try:
                calendar.add_component(icalendar.Component.from_ical("\r\n".join([*block, ""])))
            except Exception as exc:  # icalendar raises many types on bad input
                lost.append(f"{block[0].strip()[6:]}: {type(exc).__name__}: {exc}"[:200])
        calendars.append(calendar)
    return calendars, lost


def _calendar_header(header: list[str]) -> tuple[icalendar.Calendar, list[str]]:
    """A VCALENDAR with every calendar-level property that parses; names the others.

    Tockify declares ``REFRESH-INTERVAL:P15M`` (15 months, meant as
    minutes), which icalendar refuses, and the whole header with it: kept
    property by property, the calendar keeps its X-WR-TIMEZONE.
    """

    def parse(lines: list[str]) -> icalendar.Calendar:
        return icalendar.Calendar.from_ical(
            "\r\n".join(["BEGIN:VCALENDAR", *lines, "END:VCALENDAR", ""])
        )

    try:
        return parse(header), []
    except Exception:  # icalendar raises many types on bad input
        pass
    kept: list[str] = []
    refused: list[str] = []
    for prop in _unfolded(header):
        try:
            parse([*kept, prop])
        except Exception as exc:  # this property alone is left out
            name = prop.split(":", 1)[0].split(";", 1)[0]
            refused.append(f"VCALENDAR {name}: {type(exc).__name__}: {exc}"[:200])
            continue
        kept.append(prop)
    try:
        return parse(kept), refused
    except Exception:  # a header that does not parse still has events under it
        return icalendar.Calendar(), refused


def _unfolded(lines: list[str]) -> list[str]:
    """Content lines with their folded continuations joined back on."""
    joined: list[str] = []
    for line in lines:
        if line[:1] in (" ", "\t") and joined:
            joined[-1] += line[1:]
        else:
            joined.append(line)
    return joined


def _split_calendars(text: str) -> Iterator[tuple[list[str], list[list[str]]]]:
    """Each VCALENDAR of ``text`` as its own lines and its top-level components' lines."""
    depth = 0
    header: list[str] = []
    blocks: list[list[str]] = []
    for line in re.split(r"\r\n|\n|\r", text):
        if not line.strip():
            continue
        folded = line[:1] in (" ", "\t")
        upper = line.upper()
        if not folded and upper.startswith("BEGIN:"):
            depth += 1
            if depth == 1:
                header, blocks = [], []
                continue
            if depth == 2:
                blocks.append([])
        if depth >= 2:
            blocks[-1].append(line)
        elif depth == 1 and not (not folded and upper.startswith("END:")):
            header.append(line)
        if not folded and upper.startswith("END:"):
            depth -= 1
            if depth == 0:
                yield header, blocks
            depth = max(depth, 0)


HTML_TAG = re.compile(r"</?[a-zA-Z][^>]*(?:>|$)")
BLOCK_BREAK = re.compile(r"</?(?:p|div|br|li|ol|ul|h[1-6]|tr|td)\b[^>]*(?:>|$)", re.IGNORECASE)
LOCATION_LABEL = re.compile(r"^(?:location|venue|where|address)\s*:\s*", re.IGNORECASE)
NAME_THEN_ADDRESS = re.compile(r"\s+-\s+(?=\d)")
"""CivicPlus: "Big Ivy Community Center - 540 Dillingham Rd.  Barnardsville NC 28709"."""
UNDECIDED = re.compile(r"^(?:tbd|tba|to be (?:announced|determined|confirmed))\.?$", re.IGNORECASE)
STREET_ADDRESS = re.compile(
    r"^\d+[a-z]?\s.*\b(?:st|street|rd|road|ave|avenue|blvd|boulevard|plaza|dr|drive|ln|lane|"
    r"way|hwy|highway|pike|pkwy|parkway|ct|court|pl|place)\b",
    re.IGNORECASE,
)
AREA_ONLY = re.compile(r"^[\w .'-]+ (?:county|parish|borough)$", re.IGNORECASE)
NAME_WORDS = 12
"""More words than this is a sentence of a description, not a place's name."""


def _without_html(text: str) -> str:
    """LOCATION as plain text: CivicPlus sends the HTML of its rich-text box.

    Blocks (paragraphs, list items, line breaks) become commas, other tags
    go (even one cut off at the end), entities are decoded.
    """
    if not HTML_TAG.search(text):
        return text
    text = BLOCK_BREAK.sub(", ", text)
    text = replace_entities(HTML_TAG.sub("", text))
    parts = (collapse(part).strip(" -") for part in text.split(","))
    return ", ".join(part for part in parts if part)


def location_text(component: icalendar.Component) -> str | None:
    """LOCATION as a place a person could go to; None for links and template leftovers."""
    text = collapse(_without_html(str(first(component.get("LOCATION")) or "")))
    text = LOCATION_LABEL.sub("", text).strip(" -")
    if not text or URL_TEXT.match(text) or PLACEHOLDER.match(text) or UNDECIDED.match(text):
        return None
    return text


MEETING_LINK = re.compile(
    r"https?://(?:[\w-]+\.)*(?:zoom\.us/[jw]/|meet\.google\.com/|teams\.microsoft\.com/l/meetup-join"
    r"|teams\.live\.com/meet/|[\w-]+\.webex\.com/|meet\.jit\.si/|whereby\.com/)",
    re.IGNORECASE,
)


PAGE_LABEL = re.compile(
    r"\b(?:more info(?:rmation)?|details|learn more|read more|event page|register|registration"
    r"|tickets|rsvp)\b[\s:,.-]{0,3}(?:(?:at|here|on|visit)\b[\s:,-]{0,3}){0,2}"
    r"(?P<link>https?://[^\s<>\"'\]]+)",
    re.IGNORECASE,
)
LAST_LINK = re.compile(r"(?P<link>https?://[^\s<>\"'\]]+)\W*$")
PAGE_PATH = re.compile(r"calendar|event", re.IGNORECASE)
LINK_END = ".,;:)!?"


def page_in_description(description: str) -> str | None:
    """The event's own page, where a feed gives no URL but its description names one: a link
    after "More info:", "Details:", "Register at" and the like (Show Up Toronto), or a calendar's
    or an event's page ending the description (CivicPlus: "...calendar.aspx?EID=10690"). Never a
    video meeting's join link, nor any other link (a project's GitHub, a Facebook page)."""
    text = description[:20_000]
    labelled = PAGE_LABEL.search(text)
    found = labelled or LAST_LINK.search(text.rstrip())
    if found is None:
        return None
    link = found.group("link").rstrip(LINK_END)
    if MEETING_LINK.match(link):
        return None
    if labelled is None:
        parts = urlsplit(link)
        if not PAGE_PATH.search(f"{parts.path}?{parts.query}"):
            return None
    return link


ONLINE_EVENT = re.compile(
    r"\b(?:webinars?|webcast|(?:virtual|online) (?:event|session|meetup|meeting))\b", re.IGNORECASE
)


def location_is_online(component: icalendar.Component) -> bool:
    """Online when the location is a link or says so, or, with no location at all, when the
    description carries a video-meeting link (community calls) or the title or description
    calls it a webinar or a virtual event (a Meetup group's online talks)."""
    text = collapse(first(component.get("LOCATION")))
    if text:
        return bool(URL_TEXT.match(text) or ONLINE_LOCATION.search(text))
    description = str(first(component.get("DESCRIPTION", "")))[:20_000]
    title = collapse(first(component.get("SUMMARY")))
    return bool(MEETING_LINK.search(description) or ONLINE_EVENT.search(f"{title}\n{description}"))


def venue_name(location: str) -> str | None:
    """The place's own name: before " @ " (Upcoming), " - <number>" (CivicPlus) or the
    first comma; None when that is an area ("Monroe County, IN"), a street address or
    reads as a sentence."""
    if " @ " in location:
        name = location.split(" @ ", 1)[0]
    else:
        name = NAME_THEN_ADDRESS.split(location, maxsplit=1)[0].split(",", 1)[0]
    name = name.strip(" -")
    if not name or AREA_ONLY.match(name) or STREET_ADDRESS.match(name):
        return None
    if len(name.split()) > NAME_WORDS:
        return None
    if name[-1] in ".!?" and len(name.split()) > 3:
        return None
    return name


def calendar_name(calendar: Any) -> str | None:
    """The calendar's own name: RFC 7986 NAME, else X-WR-CALNAME."""
    for key in ("NAME", "X-WR-CALNAME"):
        name = collapse(first(calendar.get(key)))
        if name and not EMAIL.search(name):
            return name
    return None


def organizer_name(value: Any) -> str | None:
    """The organizer's common name, never an e-mail address."""
    prop = first(value)
    params = getattr(prop, "params", None)
    name = collapse(params.get("CN", "")).strip('"').strip() if params else ""
    if not name or EMAIL.search(name) or name.lower().startswith("mailto:"):
        return None
    return name


def category_names(value: Any) -> list[str]:
    """Every category, from one line or many, comma lists or not."""
    names: list[str] = []
    for group in _as_list(value):
        items: Iterable[Any] = getattr(group, "cats", None) or [group]
        for item in items:
            text = collapse(item)
            if text and text not in names:
                names.append(text)
    return names


def status_from_title(title: str) -> Status | None:
    """What a title says when the feed's STATUS does not ("Der Treff fällt aus")."""
    if CANCELLED_TITLE.search(title):
        return Status.CANCELLED
    if POSTPONED_TITLE.search(title):
        return Status.POSTPONED
    return None


def pretalx_speakers(title: str) -> str | None:
    """pretalx writes "Talk title - Speaker, Speaker" as the SUMMARY."""
    talk, sep, speakers = title.rpartition(" - ")
    return speakers.strip() or None if sep and talk.strip() else None


def recurrence_slot(
    occurrence: icalendar.Component, series: list[icalendar.Component]
) -> date | datetime | None:
    """The place in its series an occurrence fills, stable across crawls.

    Its RECURRENCE-ID, except after a RANGE=THISANDFUTURE change: every later
    occurrence then carries that change's RECURRENCE-ID, so the slot is its
    start moved back by as much as the change moved the series.
    """
    recurrence = first(occurrence.get("RECURRENCE-ID"))
    if recurrence is None:
        return None
    slot: date | datetime = recurrence.dt
    if str(recurrence.params.get("RANGE", "")).upper() != "THISANDFUTURE":
        return slot
    start: date | datetime = date_value(occurrence, "DTSTART")
    for change in series:
        original, moved = date_value(change, "RECURRENCE-ID"), date_value(change, "DTSTART")
        if original is None or moved is None:
            continue
        try:
            if original == slot:
                shifted: date | datetime = start - (moved - original)
                return shifted
        except TypeError:  # a date against a date-time: no shift to undo
            return start
    return start


def instant(value: date | datetime) -> str:
    """A stable text form of a start: UTC for aware times, as written otherwise."""
    if isinstance(value, datetime):
        return (value.astimezone(UTC) if value.tzinfo else value).isoformat()
    return value.isoformat()


ADVICE_PROPERTY = re.compile(
    rb"^(?:REFRESH-INTERVAL|X-PUBLISHED-TTL)(?:;[^:\r\n]*)?:[ \t]*([^\r\n]+)", re.MULTILINE
)
ICAL_DURATION = re.compile(
    r"\+?P(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+)S)?)?"
)
MINUTES_WITHOUT_T = re.compile(r"\+?P(?P<minutes>\d+)M")


def advised_refresh(body: bytes) -> timedelta | None:
    """How often a feed asks to be polled: its ``REFRESH-INTERVAL`` (RFC 7986), else
    Microsoft's ``X-PUBLISHED-TTL``; None when it says neither, or nothing readable.

    Tockify writes ``P15M``: a duration has no months in iCalendar, and the feed
    means fifteen minutes, so a bare ``P<n>M`` is read as minutes.
    """
    found: dict[bytes, timedelta] = {}
    for match in ADVICE_PROPERTY.finditer(body):
        name = match.group(0).split(b":")[0].split(b";")[0]
        value = match.group(1).decode("ascii", "replace").strip().upper()
        duration = _duration(value)
        if duration is not None and duration > timedelta(0):
            found.setdefault(name, duration)
    return found.get(b"REFRESH-INTERVAL") or found.get(b"X-PUBLISHED-TTL")


def _duration(value: str) -> timedelta | None:
    quirk = MINUTES_WITHOUT_T.fullmatch(value)
    if quirk:
        return timedelta(minutes=int(quirk["minutes"]))
    parts = ICAL_DURATION.fullmatch(value)
    if parts is None or value.rstrip("T") in ("P", "+P") or value.endswith("T"):
        return None
    amounts = {unit: int(amount) for unit, amount in parts.groupdict().items() if amount}
    return timedelta(**amounts)
