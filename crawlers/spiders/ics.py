"""``ics``: any iCalendar feed, recurring events expanded inside the window.

Real feeds bend the standard in producer-specific ways; the spider reads
them through :mod:`crawlers.ical_quirks` and counts what it cannot read
instead of failing the feed.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import scrapy
from recurring_ical_events.adapters.event import EventAdapter
from recurring_ical_events.series import Series
from scrapy.http import Response

from crawlers.ical_quirks import (
    CalendarZones,
    advised_refresh,
    calendar_name,
    calendar_zone,
    category_names,
    collapse,
    date_value,
    display_zone,
    first,
    in_zone,
    instant,
    location_is_online,
    location_text,
    organizer_name,
    page_in_description,
    pretalx_speakers,
    recurrence_slot,
    repair_event,
    salvage,
    status_from_title,
    venue_name,
)
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
SERIES_PROPERTIES = ("RRULE", "RDATE", "RECURRENCE-ID")


PRODUCER_KINDS = {"-//meetup//": Kind.MEETUP}
"""Producers (PRODID, lower case) all of whose events have one format: Meetup's calendars list
its groups' meetups. The kind rules still read each event's text first."""


def producer_kind(producer: str) -> Kind:
    """The format every event of a feed by ``producer`` has; other when it has none."""
    for mark, kind in PRODUCER_KINDS.items():
        if mark in producer:
            return kind
    return Kind.OTHER


class FeedError(ValueError):
    """The response is not a complete iCalendar feed."""


@dataclass(frozen=True, slots=True)
class Feed:
    """What one VCALENDAR says about all of its events."""

    url: str
    default_zone: str | None
    producer: str
    host: str | None = None
    """The calendar's own name (X-WR-CALNAME), when the source says it is one host's."""


def read_calendars(body: bytes) -> tuple[list[icalendar.Calendar], list[str]]:
    """Parse a feed, refusing what is empty, not iCalendar, or cut short.

    Returns the calendars and the components that had to be left out when
    the feed only parsed component by component.
    """
    text = body.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not text:
        raise FeedError("empty response")
    if not text[:15].upper().startswith(b"BEGIN:VCALENDAR"):
        raise FeedError("not an iCalendar feed (no BEGIN:VCALENDAR)")
    if b"END:VCALENDAR" not in text.rstrip()[-64:].upper():
        raise FeedError("truncated feed (no END:VCALENDAR at the end)")
    try:
        return list(icalendar.Calendar.from_ical(text, multiple=True)), []
    except Exception as exc:  # icalendar raises many types on bad input
        calendars, lost = salvage(text.decode("utf-8", errors="replace"))
        if not any(calendar.subcomponents for calendar in calendars):
            raise FeedError(f"unparseable iCalendar: {exc}"[:300]) from exc
        # What salvage names was lost; the parser's complaint only when it names nothing.
        return calendars, lost or [f"feed: {type(exc).__name__}: {exc}"[:200]]


class IcsSpider(SourceSpider):
    """Reads one feed; every VEVENT occurrence in the window becomes an event."""

    name = "ics"
    source_type = "ics"

    async def start(self) -> AsyncIterator[Any]:
        yield scrapy.Request(self.source.url, callback=self.parse, errback=self.on_error)

    def parse(self, response: Response, **kwargs: Any) -> Iterator[Event]:
        self.record_response(response)
        try:
            calendars, lost = read_calendars(response.body)
        except FeedError as exc:
            self.logger.warning("%s: %s", self.source.name, exc)
            self.report.fail("bad_feed", str(exc))
            return
        self.report.fetched += 1
        self.report.advised_refresh = advised_refresh(response.body)
        for problem in lost:
            self.logger.warning("%s: left out of the feed: %s", self.source.name, problem)
            if problem.startswith("VEVENT"):
                self.report.drop("unparseable_event")
        earlier: set[str] = set()
        latest: datetime | None = None
        for index, calendar in enumerate(calendars):
            ids: set[str] = set()
            try:
                for event in self.parse_calendar(calendar, response.url):
                    if event.id in earlier:
                        # Concatenated exports (Apple iCal) repeat a UID across
                        # VCALENDARs for different events.
                        event.id = make_event_id(self.source.name, event.id, f"vcalendar-{index}")
                    ids.add(event.id)
                    latest = event.start if latest is None else max(latest, event.start)
                    yield event
            except Exception as exc:  # one broken VCALENDAR must not cost the others
                self.report.fail("bad_calendar", f"{type(exc).__name__}: {exc}"[:300])
            earlier |= ids
        self._listed_until(latest)

    def _listed_until(self, latest: datetime | None) -> None:
        """A feed vouches for the days it lists, up to its last event.

        Meetup lists a group's next 10 events and The Events Calendar its
        next 30: an event beyond today's cut has not vanished, so only the
        events up to the last one listed can be missing (and, twice missing,
        cancelled).
        """
        if latest is not None and self.report.window_end is not None:
            self.report.window_end = min(self.report.window_end, latest)

    def parse_calendar(self, calendar: icalendar.Calendar, feed_url: str) -> Iterator[Event]:
        own_name = calendar_name(calendar)
        if own_name and own_name not in self.host_names:
            self.host_names.append(own_name)
        feed = Feed(
            url=feed_url,
            default_zone=self.source.timezone or calendar_zone(calendar),
            producer=str(calendar.get("PRODID", "")).lower(),
            host=own_name if self.source.single_host else None,
        )
        for uid, components in self._series(calendar).items():
            recurring = len(components) > 1 or any(
                name in component for component in components for name in SERIES_PROPERTIES
            )
            try:
                series = Series([EventAdapter(component) for component in components])
                occurrences = [
                    occurrence.as_component(False)
                    for occurrence in series.between(self.window_start, self.window_end)
                ]
            except Exception as exc:  # a broken series must not cost the whole feed
                self.report.fail("bad_recurrence", f"{uid}: cannot expand: {exc}"[:300])
                continue
            for component in occurrences:
                self.report.found += 1
                try:
                    slot = recurrence_slot(component, components) if recurring else None
                    yield self.parse_event(component, feed, slot=slot)
                except (ValueError, TypeError, KeyError, AttributeError) as exc:
                    self.report.drop("unparseable_event")
                    self.logger.info("%s: skipped an event: %s", self.source.name, exc)

    def _series(self, calendar: icalendar.Calendar) -> dict[str, list[icalendar.Component]]:
        """The calendar's usable VEVENTs by UID, repaired and in their real zones."""
        zones = CalendarZones(calendar)
        groups: dict[str, list[icalendar.Component]] = {}
        for component in calendar.subcomponents:
            if component.name != "VEVENT":
                continue
            uid = collapse(first(component.get("UID"))) or f"#{id(component)}"
            problem = repair_event(component)
            if problem is None:
                try:
                    zones.localize(component)
                except Exception as exc:  # a zone icalendar cannot build
                    problem = f"time zone: {exc}"
            if problem is not None:
                self._skip(component, uid, problem)
                continue
            groups.setdefault(uid, []).append(component)
        return groups

    def _skip(self, component: icalendar.Component, uid: str, problem: str) -> None:
        """Count an unreadable event; a single one still counts as seen, not vanished."""
        self.report.drop("unparseable_event")
        self.logger.info("%s: skipped event %s: %s", self.source.name, uid, problem)
        if not uid.startswith("#") and not any(name in component for name in SERIES_PROPERTIES):
            self.report.seen_ids.add(make_event_id(self.source.name, uid))

    def parse_event(
        self, component: icalendar.Component, feed: Feed, *, slot: date | datetime | None = None
    ) -> Event:
        """One occurrence as an event; ``slot`` tells occurrences of a series apart."""
        start, end, all_day, zone = self._parse_times(component, feed.default_zone)
        title = collapse(first(component.get("SUMMARY")))
        raw_start = date_value(component, "DTSTART")
        floating = isinstance(raw_start, datetime) and raw_start.tzinfo is None and zone is None
        organizer = organizer_name(component.get("ORGANIZER"))
        details = {"floating_time": "no zone given; read as UTC"} if floating else {}
        uid = collapse(first(component.get("UID")))
        if slot is not None and uid:
            # Occurrences of one series share it: lists show the series once.
            details["series"] = make_event_id(self.source.name, uid)
        return Event(
            id=self._parse_id(component, start, slot=slot),
            title=title,
            start=start,
            end=end,
            timezone=zone,
            all_day=all_day,
            kind=self.source.kind or producer_kind(feed.producer),
            sectors=list(self.source.sectors),
            attendance=self._parse_attendance(component),
            venue=self._parse_venue(component),
            url=self._parse_url(component),
            organizer=organizer or feed.host,
            organizer_url=self.source.host_url if organizer is None and feed.host else None,
            performer=pretalx_speakers(title) if "pretalx" in feed.producer else None,
            description=str(first(component.get("DESCRIPTION", ""))).strip() or None,
            status=self._parse_status(component, title),
            source=self.source.name,
            source_url=feed.url,
            categories=category_names(component.get("CATEGORIES")),
            # A floating time is read as UTC for now; the locate stage moves it to the venue's zone.
            details=details,
        )

    def _parse_id(
        self, component: icalendar.Component, start: datetime, *, slot: date | datetime | None
    ) -> str:
        uid = collapse(first(component.get("UID")))
        if uid and slot is None:
            # A single event keeps its id when it is moved; only occurrences of
            # a series need their place in the series to tell them apart.
            return make_event_id(self.source.name, uid)
        if uid and slot is not None:
            return make_event_id(self.source.name, uid, instant(slot))
        url = str(first(component.get("URL", "")))
        title = str(first(component.get("SUMMARY", "")))
        return make_event_id(self.source.name, url, start.isoformat(), title)

    def _parse_times(
        self, component: icalendar.Component, default_zone: str | None
    ) -> tuple[datetime, datetime | None, bool, str | None]:
        raw_start = date_value(component, "DTSTART")
        raw_end = date_value(component, "DTEND")
        duration = date_value(component, "DURATION")
        if raw_end is None and isinstance(duration, timedelta):
            raw_end = raw_start + duration
        if not isinstance(raw_start, datetime):
            start = all_day_start(raw_start, default_zone)
            last = raw_end.date() if isinstance(raw_end, datetime) else raw_end
            end_day = last if isinstance(last, date) and last > raw_start else None
            end = all_day_start(end_day, default_zone) if end_day else start + timedelta(days=1)
            return start, end, True, default_zone
        zone = display_zone(raw_start, default_zone)
        start = in_zone(raw_start, zone)
        until: datetime | None = None
        if isinstance(raw_end, datetime):
            until = in_zone(raw_end, zone)
        elif isinstance(raw_end, date):
            until = all_day_start(raw_end, zone)
        if until is not None and until < start:
            until = None
        place = self.source.timezone
        if place and zone != place:
            # Written in another zone than the place's (GrowthZone chambers of
            # New Jersey in Los Angeles time): the same instant, shown where it is.
            here = ZoneInfo(place)
            start = start.astimezone(here)
            until = until.astimezone(here) if until is not None else None
            zone = place
        return start, until, False, zone

    def _parse_venue(self, component: icalendar.Component) -> Venue:
        venue = self.default_venue()
        location = location_text(component)
        if location:
            venue.address = location
            venue.name = venue_name(location)
            self.unlend_place(venue)
        geo = first(component.get("GEO"))
        try:
            lat, lon = float(geo.latitude), float(geo.longitude)
        except (AttributeError, TypeError, ValueError, icalendar.InvalidCalendar):
            return venue
        if -90 <= lat <= 90 and -180 <= lon <= 180 and (lat, lon) != (0.0, 0.0):
            self.place_at(venue, lat, lon)
        return venue

    @staticmethod
    def _parse_attendance(component: icalendar.Component) -> Attendance:
        return Attendance.ONLINE if location_is_online(component) else Attendance.IN_PERSON

    @staticmethod
    def _parse_url(component: icalendar.Component) -> str | None:
        """URL; else a LOCATION that is a link; else the page the description names."""
        values = component.get("URL")
        for value in values if isinstance(values, list) else [values]:
            url = str(value or "").strip()
            if url.startswith(("http://", "https://")):
                return url
        location = collapse(first(component.get("LOCATION")))
        if location.startswith(("http://", "https://")):
            return location
        return page_in_description(str(first(component.get("DESCRIPTION", ""))))

    @staticmethod
    def _parse_status(component: icalendar.Component, title: str) -> Status:
        status = STATUSES.get(str(first(component.get("STATUS", ""))).upper(), Status.SCHEDULED)
        if status is Status.SCHEDULED:
            return status_from_title(title) or status
        return status
