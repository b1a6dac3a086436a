"""``ics``: any iCalendar feed, recurring events expanded inside the window."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import icalendar
import recurring_ical_events
import scrapy
from icalendar.timezone import tzid_from_dt
from scrapy.http import Response

from crawlers.spiders.base import SourceSpider
from service.model import (
    Attendance,
    Event,
    Kind,
    Status,
    Venue,
    all_day_start,
    make_event_id,
)

STATUSES = {
    "CANCELLED": Status.CANCELLED,
    "TENTATIVE": Status.SCHEDULED,
    "CONFIRMED": Status.SCHEDULED,
}
ONLINE_HINTS = ("zoom.us", "meet.google", "teams.microsoft", "webex", "online", "virtual")


class FeedError(ValueError):
    """The response is not a complete iCalendar feed."""


def read_calendars(body: bytes) -> list[icalendar.Calendar]:
    """Parse a feed, refusing what is empty, not iCalendar, or cut short."""
    text = body.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not text:
        raise FeedError("empty response")
    if not text[:15].upper().startswith(b"BEGIN:VCALENDAR"):
        raise FeedError("not an iCalendar feed (no BEGIN:VCALENDAR)")
    if b"END:VCALENDAR" not in text.rstrip()[-64:].upper():
        raise FeedError("truncated feed (no END:VCALENDAR at the end)")
    try:
        return list(icalendar.Calendar.from_ical(text, multiple=True))
    except Exception as exc:  # icalendar raises many types on bad input
        raise FeedError(f"unparseable iCalendar: {exc}"[:300]) from exc


def zone_name(value: datetime) -> str | None:
    """The IANA name of an aware datetime's zone, if it has one."""
    tz = value.tzinfo
    if tz is None:
        return None
    if isinstance(tz, ZoneInfo):
        return tz.key
    if value.utcoffset() == timedelta(0) and tz in (UTC,):
        return "UTC"
    name = tzid_from_dt(value)
    return name if name and _is_iana(name) else None


def _is_iana(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


class IcsSpider(SourceSpider):
    """Reads one feed; every VEVENT occurrence in the window becomes an event."""

    name = "ics"
    source_type = "ics"

    async def start(self) -> AsyncIterator[Any]:
        yield scrapy.Request(self.source.url, callback=self.parse, errback=self.on_error)

    def parse(self, response: Response, **kwargs: Any) -> Iterator[Event]:
        self.record_response(response)
        try:
            calendars = read_calendars(response.body)
        except FeedError as exc:
            self.logger.warning("%s: %s", self.source.name, exc)
            self.report.fail("bad_feed", str(exc))
            return
        self.report.fetched += 1
        for calendar in calendars:
            yield from self.parse_calendar(calendar, response.url)

    def parse_calendar(self, calendar: icalendar.Calendar, feed_url: str) -> Iterator[Event]:
        default_zone = self._default_zone(calendar)
        self._series = series_uids(calendar)
        try:
            occurrences = recurring_ical_events.of(calendar, skip_bad_series=True).between(
                self.window_start, self.window_end
            )
        except Exception as exc:  # a broken series must not cost the whole feed
            self.report.fail("bad_recurrence", f"cannot expand recurrences: {exc}"[:300])
            return
        for component in occurrences:
            self.report.found += 1
            try:
                yield self.parse_event(component, default_zone, feed_url)
            except (ValueError, TypeError, KeyError, AttributeError) as exc:
                self.report.drop("unparseable_event")
                self.logger.info("%s: skipped an event: %s", self.source.name, exc)

    def parse_event(
        self, component: icalendar.Event, default_zone: str | None, feed_url: str
    ) -> Event:
        start, end, all_day, zone = self._parse_times(component, default_zone)
        venue = self._parse_venue(component)
        return Event(
            id=self._parse_id(component, start),
            title=str(component.get("SUMMARY", "")),
            start=start,
            end=end,
            timezone=zone,
            all_day=all_day,
            kind=self.source.kind or Kind.OTHER,
            sectors=list(self.source.sectors),
            attendance=self._parse_attendance(component),
            venue=venue,
            url=self._parse_url(component),
            organizer=self._parse_organizer(component),
            description=str(component.get("DESCRIPTION", "")) or None,
            status=STATUSES.get(str(component.get("STATUS", "")).upper(), Status.SCHEDULED),
            source=self.source.name,
            source_url=feed_url,
            categories=self._parse_categories(component),
        )

    def _default_zone(self, calendar: icalendar.Calendar) -> str | None:
        """The zone floating times are in: the source's, the feed's, or its only VTIMEZONE."""
        if self.source.timezone:
            return self.source.timezone
        declared = str(calendar.get("X-WR-TIMEZONE", "")).strip()
        if declared and _is_iana(declared):
            return declared
        zones = [str(tz.get("TZID", "")) for tz in calendar.walk("VTIMEZONE")]
        iana = [zone for zone in zones if _is_iana(zone)]
        return iana[0] if len(iana) == 1 else None

    def _parse_id(self, component: icalendar.Event, start: datetime) -> str:
        uid = str(component.get("UID", "")).strip()
        recurrence = component.get("RECURRENCE-ID")
        if uid and (recurrence is None or uid not in getattr(self, "_series", ())):
            # A single event keeps its id when it is moved; only occurrences of
            # a series need the original start to tell them apart.
            return make_event_id(self.source.name, uid)
        if uid:
            return make_event_id(self.source.name, uid, _instant(recurrence.dt))
        url = str(component.get("URL", ""))
        return make_event_id(
            self.source.name, url, start.isoformat(), str(component.get("SUMMARY", ""))
        )

    def _parse_times(
        self, component: icalendar.Event, default_zone: str | None
    ) -> tuple[datetime, datetime | None, bool, str | None]:
        raw_start = component["DTSTART"].dt
        raw_end = component["DTEND"].dt if "DTEND" in component else None
        if raw_end is None and "DURATION" in component:
            raw_end = raw_start + component["DURATION"].dt
        if not isinstance(raw_start, datetime):
            zone = default_zone
            start = all_day_start(raw_start, zone)
            last = raw_end if isinstance(raw_end, date) and raw_end > raw_start else None
            end = all_day_start(last, zone) if last else start + timedelta(days=1)
            return start, end, True, zone
        zone = zone_name(raw_start) if raw_start.tzinfo else default_zone
        start = self._aware(raw_start, zone)
        end = self._aware(raw_end, zone) if isinstance(raw_end, datetime) else None
        if end is not None and end < start:
            end = None
        return start, end, False, zone

    @staticmethod
    def _aware(value: datetime, zone: str | None) -> datetime:
        if value.tzinfo is not None:
            return value
        tz: tzinfo = ZoneInfo(zone) if zone else UTC
        return value.replace(tzinfo=tz)

    def _parse_venue(self, component: icalendar.Event) -> Venue:
        venue = self.default_venue()
        location = " ".join(str(component.get("LOCATION", "")).split())
        if location and not location.lower().startswith(("http://", "https://")):
            venue.address = location
            venue.name = location.split(",")[0].strip() or None
        geo = component.get("GEO")
        if geo is not None:
            venue.lat, venue.lon = float(geo.latitude), float(geo.longitude)
        return venue

    def _parse_attendance(self, component: icalendar.Event) -> Attendance:
        location = str(component.get("LOCATION", "")).lower()
        if not location:
            return Attendance.IN_PERSON
        if any(hint in location for hint in ONLINE_HINTS):
            return Attendance.ONLINE
        return Attendance.IN_PERSON

    def _parse_url(self, component: icalendar.Event) -> str | None:
        url = str(component.get("URL", "")).strip()
        if url.startswith(("http://", "https://")):
            return url
        location = str(component.get("LOCATION", "")).strip()
        return location if location.startswith(("http://", "https://")) else None

    @staticmethod
    def _parse_organizer(component: icalendar.Event) -> str | None:
        organizer = component.get("ORGANIZER")
        if organizer is None:
            return None
        name = organizer.params.get("CN") if hasattr(organizer, "params") else None
        return str(name).strip('"') or None if name else None

    @staticmethod
    def _parse_categories(component: icalendar.Event) -> list[str]:
        values = component.get("CATEGORIES")
        if values is None:
            return []
        groups = values if isinstance(values, list) else [values]
        names: list[str] = []
        for group in groups:
            for item in getattr(group, "cats", [group]):
                text = str(item).strip()
                if text and text not in names:
                    names.append(text)
        return names


def series_uids(calendar: icalendar.Calendar) -> set[str]:
    """UIDs of recurring series (RRULE, RDATE or overridden instances) in the feed.

    recurring-ical-events gives every occurrence a RECURRENCE-ID, even of a
    single event, so the feed itself says which events are series.
    """
    return {
        str(component.get("UID", "")).strip()
        for component in calendar.walk("VEVENT")
        if any(name in component for name in ("RRULE", "RDATE", "RECURRENCE-ID"))
    }


def _instant(value: date | datetime) -> str:
    if isinstance(value, datetime):
        return (value.astimezone(UTC) if value.tzinfo else value).isoformat()
    return value.isoformat()
