"""iCalendar feeds: events in, RFC 5545 bytes out.

A subscribed calendar is polled for months, so everything here is stable for
the same events: UIDs come from event ids, SEQUENCE from the event, and
"now" (DTSTAMP) is a parameter. Every text value goes through ``_text`` or
``_line`` and is written as an escaped TEXT value, so no title, description
or venue can add a content line to the feed. The words and the advice come
from ``service.text``, the VTIMEZONEs from :mod:`feeds.vtimezone`.

Pure: the standard library, icalendar, ``service.model`` and ``service.text`` only.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import lru_cache
from pathlib import Path
from typing import Literal
from urllib.parse import quote, urlsplit
from zoneinfo import ZoneInfo

from icalendar import Alarm, Calendar, vDuration
from icalendar import Event as VEvent
from icalendar.prop import vInline, vText

from feeds import vtimezone
from service.model import Attendance, Event, Kind, Status
from service.text import advice, labels, phrases
from service.text.advice import CALENDAR_FOLLOW_UP, CALENDAR_TIPS
from service.text.labels import ATTENDANCE_LABELS, KIND_LABELS, STATUS_NOTES

PRODID = "-//meetscout//meetscout events//EN"
CancelledPolicy = Literal["keep", "mark", "hide"]
StampPolicy = Literal["now", "updated"]

SUMMARY_LIMIT = 250
"""Characters of a title kept in SUMMARY: a calendar cell shows far fewer."""
DESCRIPTION_LIMIT = 2000
"""Characters of the source's own description kept; the link has the rest."""
LINE_LIMIT = 200
"""Characters kept of other one-line values (organiser, reasons, sectors)."""
URL_LIMIT = 2000
DEFAULT_DURATION = timedelta(hours=2)
FOLLOWUP_START = time(9, 0)
FOLLOWUP_LENGTH = timedelta(minutes=15)
FOLLOWUP_CATEGORY = "follow-up"

STATUS_VALUES: Mapping[str, str] = {
    Status.SCHEDULED: "CONFIRMED",
    Status.CANCELLED: "CANCELLED",
    Status.POSTPONED: "TENTATIVE",
}

SOURCE_FILES: tuple[Path, ...] = (
    Path(__file__),
    *(Path(str(module.__file__)) for module in (vtimezone, advice, labels, phrases)),
)
"""Every file whose code or words decide a feed's bytes: what a cache of feeds must key on."""

UTC_ZONE_KEYS = frozenset({"UTC", "Etc/UTC", "Etc/UCT", "UCT", "Universal", "Etc/Universal"})
"""Zones written in the 'Z' form, which needs no VTIMEZONE."""

_LINE_BREAKS = re.compile(r"\r\n|[\r\n\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_SPACES = re.compile(r"\s+")
_BLANK_LINES = re.compile(r"\n{3,}")
_DOMAIN = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?")
_URL_SAFE = ":/?#[]@!$&'()*+,;=%~"
_UNSAFE_IN_URL = re.compile(r"[\s\x00-\x1f\x7f-\x9f]")


# Text and URLs


def _text(value: str | None) -> str:
    """Plain multi-line text: one kind of line break, no other control characters."""
    if not value:
        return ""
    text = _CONTROLS.sub("", _LINE_BREAKS.sub("\n", value))
    lines = [line.rstrip() for line in text.split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def _line(value: str | None, *, limit: int = LINE_LIMIT) -> str:
    """One line of text (a title, a name): every run of white space becomes a space."""
    return _truncate(_SPACES.sub(" ", _text(value)), limit)


def _truncate(text: str, limit: int) -> str:
    """At most ``limit`` characters, cut at a word boundary when one is near."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit * 0.8:
        cut = cut[:space]
    return cut.rstrip() + "…"


def safe_url(value: object) -> str | None:
    """An http(s) URL as a URI value: anything unsafe percent-encoded, else None.

    Every renderer (calendars, digests) links only through this.
    """
    if not value or not isinstance(value, str):
        return None
    text = _line(value, limit=URL_LIMIT * 2)
    if len(text) > URL_LIMIT:
        return None
    url = quote(text, safe=_URL_SAFE)
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return url


@dataclass(frozen=True)
class FeedOptions:
    """What a subscriber chose; the same options always give the same feed."""

    name: str = "meetscout events"
    description: str | None = None
    cancelled: CancelledPolicy = "keep"
    alarm_minutes: int | None = None
    followup: bool = False
    refresh: timedelta = timedelta(hours=6)
    base_url: str = "http://127.0.0.1:8000"
    uid_domain: str = "meetscout"
    stamp: StampPolicy = "now"
    """DTSTAMP: the moment of rendering, or each event's last change (``updated``).

    ``updated`` keeps a feed byte-identical until its events change, which is
    what lets an HTTP server validate it with a strong ETag and reuse each
    event's serialised block.
    """

    def __post_init__(self) -> None:
        if self.cancelled not in ("keep", "mark", "hide"):
            raise ValueError(f"cancelled must be keep, mark or hide, got {self.cancelled!r}")
        if self.stamp not in ("now", "updated"):
            raise ValueError(f"stamp must be now or updated, got {self.stamp!r}")
        if self.alarm_minutes is not None and self.alarm_minutes < 0:
            raise ValueError(f"alarm_minutes must be 0 or more, got {self.alarm_minutes}")
        if self.refresh <= timedelta(0):
            raise ValueError(f"refresh must be a positive duration, got {self.refresh}")
        if _UNSAFE_IN_URL.search(self.base_url) or safe_url(self.base_url) is None:
            raise ValueError(f"base_url must be an http(s) URL, got {self.base_url!r}")
        if not _DOMAIN.fullmatch(self.uid_domain):
            raise ValueError(f"uid_domain must be a host name, got {self.uid_domain!r}")

    def block_key(self) -> tuple[object, ...]:
        """The options one event's block depends on; the calendar's name and refresh are not."""
        return (
            self.cancelled,
            self.alarm_minutes,
            self.followup,
            self.base_url,
            self.uid_domain,
            self.stamp,
        )


@dataclass(frozen=True, slots=True)
class EventBlock:
    """One event's VEVENT (and its follow-up) as finished bytes.

    With the TZIDs and years it uses, so that a calendar can be assembled
    from blocks rendered earlier without parsing them again.
    """

    data: bytes = b""
    tzids: frozenset[str] = frozenset()
    years: tuple[int, int] | None = None


def render_calendar(
    events: Iterable[Event],
    *,
    now: datetime,
    options: FeedOptions = FeedOptions(),
    why: Mapping[str, list[str]] | None = None,
) -> bytes:
    """A whole subscribable VCALENDAR for ``events``.

    Events are de-duplicated by id (the highest SEQUENCE wins) and sorted by
    start, so the same events give the same bytes apart from DTSTAMP.
    """
    _utc_now(now)
    reasons = why or {}
    blocks = [
        render_block(event, now=now, options=options, why=reasons.get(event.id))
        for event in _unique(events)
    ]
    return assemble_calendar(blocks, options=options)


def render_block(
    event: Event,
    *,
    now: datetime,
    options: FeedOptions = FeedOptions(),
    why: Sequence[str] | None = None,
) -> EventBlock:
    """One event as it appears in any feed with these options (empty when hidden).

    The bytes depend only on the event, ``options.block_key()``, ``why`` and,
    when ``options.stamp`` is ``now``, on ``now``; a caller may keep them per
    event version and pass them to :func:`assemble_calendar` again.
    """
    rendered = _utc_now(now)
    if event.status == Status.CANCELLED and options.cancelled == "hide":
        return EventBlock()
    stamp = _stamp(event, rendered, options)
    components = [_vevent(event, now=stamp, options=options, why=why)]
    if options.followup and event.status == Status.SCHEDULED:
        components.append(_followup(event, now=stamp, options=options))
    tzids = {
        str(params["TZID"])
        for component in components
        for _, value in component.property_items(sorted=False)
        if "TZID" in (params := getattr(value, "params", {}))
    }
    return EventBlock(
        data=b"".join(component.to_ical() for component in components),
        tzids=frozenset(tzids),
        years=_years(components),
    )


def assemble_calendar(blocks: Iterable[EventBlock], *, options: FeedOptions) -> bytes:
    """The VCALENDAR around ``blocks``, in their order, with a VTIMEZONE for every TZID."""
    kept = [block for block in blocks if block.data]
    parts = [_calendar_head(options)]
    tzids = sorted(frozenset().union(*(block.tzids for block in kept)))
    if tzids:
        spans = [block.years for block in kept if block.years is not None]
        first_year = max(min(span[0] for span in spans), 1900)
        last_year = min(max(span[1] for span in spans), 2200)
        parts.extend(vtimezone.vtimezone_bytes(tzid, first_year, last_year) for tzid in tzids)
    parts.extend(block.data for block in kept)
    parts.append(_CALENDAR_END)
    return b"".join(parts)


def render_event(
    event: Event,
    *,
    now: datetime,
    options: FeedOptions = FeedOptions(),
    why: list[str] | None = None,
) -> bytes:
    """A VCALENDAR with one event, for an "add to calendar" link."""
    reasons = {event.id: why} if why else None
    return render_calendar([event], now=now, options=options, why=reasons)


class _Text(vText):
    """A TEXT value escaped by RFC 5545 3.3.11 alone.

    icalendar's own escaping first turns a literal backslash-N into a line
    break, which would corrupt a title such as ``C:\\Notes``.
    """

    def to_ical(self) -> bytes:
        return _escape(str(self)).encode("utf-8")


def _escape(text: str) -> str:
    """Backslash, semicolon and comma escaped; every line break written as ``\\n``."""
    escaped = text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return _LINE_BREAKS.sub("\\\\n", escaped)


# The calendar


def _calendar(options: FeedOptions) -> Calendar:
    """The VCALENDAR properties, with both the RFC 7986 and the X-WR names."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    name = _line(options.name) or FeedOptions.name
    calendar.add("name", _Text(name))
    calendar.add("x-wr-calname", _Text(name))
    description = _text(options.description)
    if description:
        calendar.add("description", _Text(description))
        calendar.add("x-wr-caldesc", _Text(description))
    calendar.add("refresh-interval", vDuration(options.refresh), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(options.refresh))
    return calendar


_CALENDAR_END = b"END:VCALENDAR\r\n"


@lru_cache(maxsize=64)
def _calendar_head(options: FeedOptions) -> bytes:
    """The VCALENDAR's opening lines and properties, without its closing line.

    icalendar folds at 75 octets between whole characters and ends every
    line with CRLF, so its output needs no fixing up, here or in the blocks.
    """
    data = _calendar(options).to_ical()
    if not data.endswith(_CALENDAR_END):
        raise ValueError("icalendar wrote a calendar that does not end with END:VCALENDAR")
    return data[: -len(_CALENDAR_END)]


def _unique(events: Iterable[Event]) -> list[Event]:
    """One event per id, so no UID repeats; the newest SEQUENCE wins."""
    chosen: dict[str, Event] = {}
    for event in events:
        kept = chosen.get(event.id)
        if kept is None or event.sequence > kept.sequence:
            chosen[event.id] = event
    return sorted(chosen.values(), key=lambda event: (event.start, event.id))


# One event


def _vevent(
    event: Event, *, now: datetime, options: FeedOptions, why: Sequence[str] | None
) -> VEvent:
    start, end = _span(event)
    vevent = VEvent()
    vevent.add("uid", _Text(_uid(event.id, options)))
    vevent.add("dtstamp", now)
    vevent.add("sequence", max(event.sequence, 0))
    _add_history(vevent, event)
    vevent.add("dtstart", start)
    vevent.add("dtend", end)
    vevent.add("summary", _Text(_summary(event, options)))
    vevent.add("description", _Text(_description(event, options, why or ())))
    location = _location(event)
    if location:
        vevent.add("location", _Text(location))
    geo = _geo(event)
    if geo:
        vevent.add("geo", vInline(geo))
    vevent.add("url", _event_url(event, options))
    vevent.add("categories", [_Text(value) for value in _categories(event)])
    vevent.add("status", STATUS_VALUES.get(event.status, "CONFIRMED"))
    vevent.add("transp", "TRANSPARENT" if event.all_day else "OPAQUE")
    vevent.add("class", "PUBLIC")
    if options.alarm_minutes is not None and event.status != Status.CANCELLED:
        vevent.add_component(_alarm(_title(event), options.alarm_minutes))
    return vevent


def _followup(event: Event, *, now: datetime, options: FeedOptions) -> VEvent:
    """A short, free (TRANSPARENT) nudge on the morning after the event ends."""
    local = _zone(event) or UTC
    day = _last_day(event, local) + timedelta(days=1)
    start = datetime.combine(day, FOLLOWUP_START, tzinfo=local)
    title = _title(event)
    vevent = VEvent()
    vevent.add("uid", _Text(_uid(event.id, options, suffix="-followup")))
    vevent.add("dtstamp", now)
    vevent.add("sequence", max(event.sequence, 0))
    _add_history(vevent, event)
    vevent.add("dtstart", start)
    vevent.add("dtend", start + FOLLOWUP_LENGTH)
    vevent.add("summary", _Text(f"Follow up with the people you met at {title}"))
    vevent.add("description", _Text(_followup_description(event, options)))
    vevent.add("url", _event_url(event, options))
    vevent.add("categories", [_Text(FOLLOWUP_CATEGORY)])
    vevent.add("related-to", _Text(_uid(event.id, options)))
    vevent.add("status", "CONFIRMED")
    vevent.add("transp", "TRANSPARENT")
    vevent.add("class", "PUBLIC")
    return vevent


def _alarm(title: str, minutes: int) -> Alarm:
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", _Text(f"Starting soon: {title}"))
    alarm.add("trigger", vInline(f"-PT{int(minutes)}M"))
    return alarm


def _add_history(vevent: VEvent, event: Event) -> None:
    """CREATED and LAST-MODIFIED, which let clients tell what changed."""
    if event.first_seen is not None:
        vevent.add("created", event.first_seen.astimezone(UTC))
    modified = event.updated or event.first_seen
    if modified is not None:
        vevent.add("last-modified", modified.astimezone(UTC))


def _uid(event_id: str, options: FeedOptions, suffix: str = "") -> str:
    """``<id>@<domain>``: from the stable id, never from the title."""
    identity = _line(event_id, limit=URL_LIMIT)
    if not identity:
        raise ValueError(f"an event needs an id to get a UID, got {event_id!r}")
    return f"{identity}{suffix}@{options.uid_domain}"


def _title(event: Event) -> str:
    return _line(event.title, limit=SUMMARY_LIMIT) or KIND_LABELS[event.kind]


def _summary(event: Event, options: FeedOptions) -> str:
    title = _title(event)
    if event.status == Status.CANCELLED and options.cancelled == "mark":
        return f"Cancelled: {title}"
    return title


def _location(event: Event) -> str:
    label = _line(event.venue.label(), limit=LINE_LIMIT * 2)
    if not label and event.attendance == Attendance.ONLINE:
        return ATTENDANCE_LABELS[Attendance.ONLINE]
    return label


def _geo(event: Event) -> str | None:
    """``lat;lon`` in plain decimals (a float's repr may use an exponent)."""
    lat, lon = event.venue.lat, event.venue.lon
    if lat is None or lon is None or not (math.isfinite(lat) and math.isfinite(lon)):
        return None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return f"{lat:.6f};{lon:.6f}"


def _categories(event: Event) -> list[str]:
    """The kind and the sector slugs, as the API names them."""
    return list(dict.fromkeys([str(event.kind), *_sectors(event)]))


def _sectors(event: Event) -> list[str]:
    cleaned = (_line(sector, limit=LINE_LIMIT) for sector in event.sectors)
    return list(dict.fromkeys(sector for sector in cleaned if sector))


def _event_url(event: Event, options: FeedOptions) -> str:
    """The organiser's page, else the source's, else the event on meetscout."""
    return safe_url(event.url) or safe_url(event.source_url) or _meetscout_url(event, options)


def _meetscout_url(event: Event, options: FeedOptions, suffix: str = "") -> str:
    base = options.base_url.strip().rstrip("/")
    return f"{base}/events/{quote(event.id, safe='')}{suffix}"


# Descriptions (plain text)


def _description(event: Event, options: FeedOptions, why: Sequence[str]) -> str:
    """What it is, who runs it, why it is listed, how to prepare, and the links."""
    header = [
        STATUS_NOTES.get(event.status, ""),
        _what(event),
        _who(event),
        _why(why),
    ]
    blocks = [
        "\n".join(line for line in header if line),
        _truncate(_text(event.description), DESCRIPTION_LIMIT),
        _preparation(event),
        _links(event, options),
    ]
    return "\n\n".join(block for block in blocks if block)


def _preparation(event: Event) -> str:
    """A one-line tip for this kind of event; none for one that will not happen."""
    if event.status == Status.CANCELLED:
        return ""
    return f"Before you go: {CALENDAR_TIPS.get(event.kind, CALENDAR_TIPS[Kind.OTHER])}"


def _followup_description(event: Event, options: FeedOptions) -> str:
    steps = "\n".join(f"- {line}" for line in CALENDAR_FOLLOW_UP)
    return f"You went to {_title(event)}.\n\n{steps}\n\n{_links(event, options)}"


def _what(event: Event) -> str:
    parts = [KIND_LABELS[event.kind]]
    sectors = ", ".join(_sectors(event))
    if sectors:
        parts.append(sectors)
    if event.attendance != Attendance.IN_PERSON:
        parts.append(ATTENDANCE_LABELS[event.attendance].lower())
    price = _price(event)
    if price:
        parts.append(price)
    return " · ".join(parts)


def _price(event: Event) -> str:
    if event.is_free:
        return "free"
    if event.price is None:
        return ""
    return phrases.amount_text(event.price, _line(event.currency, limit=10))


def _who(event: Event) -> str:
    organizer = _line(event.organizer, limit=LINE_LIMIT)
    return f"Organised by {organizer}" if organizer else ""


def _why(reasons: Sequence[str]) -> str:
    cleaned = [_line(reason, limit=LINE_LIMIT) for reason in reasons]
    kept = [reason for reason in cleaned if reason]
    return f"Why: {'; '.join(kept)}" if kept else ""


def _links(event: Event, options: FeedOptions) -> str:
    lines: list[str] = []
    url, source = safe_url(event.url), safe_url(event.source_url)
    if url:
        lines.append(f"Event page: {url}")
    if source and source != url:
        lines.append(f"Source: {source}")
    lines.append(f"On meetscout: {_meetscout_url(event, options)}")
    lines.append(f"Add to your calendar: {_meetscout_url(event, options, '.ics')}")
    return "\n".join(lines)


# Times


def _utc_now(now: datetime) -> datetime:
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError(f"now must be timezone-aware, got {now!r}")
    return now.astimezone(UTC)


def _stamp(event: Event, now: datetime, options: FeedOptions) -> datetime:
    """DTSTAMP in UTC: ``now``, or the event's last change when the options say so."""
    if options.stamp == "updated":
        changed = event.updated or event.first_seen
        if changed is not None:
            return changed.astimezone(UTC)
    return now


def _zone(event: Event) -> ZoneInfo | None:
    """The event's IANA zone, or None when unknown, invalid or UTC (then 'Z' times)."""
    if not event.timezone:
        return None
    try:
        zone = ZoneInfo(event.timezone)
    except (KeyError, ValueError, OSError):
        return None
    return None if zone.key in UTC_ZONE_KEYS else zone


def _span(event: Event) -> tuple[date | datetime, date | datetime]:
    """DTSTART and DTEND: local times with TZID, UTC, or dates with an exclusive end."""
    local = _zone(event) or UTC
    start = event.start.astimezone(local)
    if event.all_day:
        return start.date(), _last_day(event, local) + timedelta(days=1)
    end = event.effective_end.astimezone(local)
    if end <= start:
        end = (start.astimezone(UTC) + DEFAULT_DURATION).astimezone(local)
    return _unambiguous(start), _unambiguous(end)


def _unambiguous(moment: datetime) -> datetime:
    """The local time, or UTC when that wall-clock time happens twice.

    RFC 5545 says a repeated local time means its first occurrence, but
    ical.js and vobject read the second, so only UTC says it for everyone.
    """
    if moment.replace(fold=1 - moment.fold).utcoffset() != moment.utcoffset():
        return moment.astimezone(UTC)
    return moment


def _last_day(event: Event, local: tzinfo) -> date:
    """The last local day the event occupies (an end at midnight belongs to the day before)."""
    start = event.start.astimezone(local)
    end = event.effective_end.astimezone(local)
    if end <= start:
        return start.date()
    return (end - timedelta(microseconds=1)).date()


def _years(components: Sequence[VEvent]) -> tuple[int, int]:
    """The years the VTIMEZONEs must cover: every DTSTART and DTEND of these components."""
    years = [moment.year for component in components for moment in (component.start, component.end)]
    return min(years), max(years)
