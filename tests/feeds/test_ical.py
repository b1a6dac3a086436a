"""The iCalendar renderer, checked by parsing its output back.

Most tests render ``march_meetup()`` (``tests/factories.py``): the Toronto
health-tech meetup of 10 March 2026, 18:30-21:00 local, at MaRS. Every feed a
test renders is parsed by icalendar and by vobject (``render`` does it); the
scenarios in ``scenario_feeds`` also go through Mozilla's ical.js under node.
"now" is always a fixed parameter.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import time as system_time
import unicodedata
from collections.abc import Iterator, Mapping
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import vobject
from icalendar import Calendar, Component, vCategory, vGeo

from feeds.ical import FeedOptions, render_calendar, render_event
from service.model import Attendance, Event, Kind, Status, Venue
from service.text.labels import KIND_LABELS
from tests.factories import (
    ADELAIDE,
    HOSTILE,
    LONDON,
    TORONTO,
    all_day_conference,
    dst_edge_events,
    march_meetup,
    zoned_events,
)
from tests.support.ical import begin_lines, property_names, unfolded_lines

NOW = datetime(2026, 2, 1, 12, 0, tzinfo=UTC)
LATER = datetime(2026, 2, 9, 8, 15, tzinfo=UTC)
JS_DIR = Path(__file__).parent / "js"
ASK = "Who do you know that you think I should meet?"


# Parsing helpers


def render(*events: Event, now: datetime = NOW, why: Any = None, **options: Any) -> bytes:
    """``render_calendar`` whose output has already parsed cleanly twice."""
    data = render_calendar(list(events), now=now, options=FeedOptions(**options), why=why)
    parse(data)
    return data


def parse(data: bytes) -> Calendar:
    """Parse with icalendar and vobject; fail on any error either reports."""
    calendar = Calendar.from_ical(data)
    for component in calendar.walk():
        assert component.errors == [], f"{component.name}: {component.errors}"
    parsed = vobject.readOne(data.decode("utf-8"))
    assert parsed.validate(raiseException=True)
    for vevent in getattr(parsed, "vevent_list", []):
        assert vevent.dtstart.value is not None
        assert vevent.dtend.value is not None
    return calendar


def vevents(data: bytes) -> list[Component]:
    return parse(data).walk("VEVENT")


def only_vevent(data: bytes) -> Component:
    (vevent,) = vevents(data)
    return vevent


def by_uid(data: bytes) -> dict[str, Component]:
    return {str(vevent["UID"]): vevent for vevent in vevents(data)}


def vobject_events(data: bytes) -> dict[str, Any]:
    parsed = vobject.readOne(data.decode("utf-8"))
    return {vevent.uid.value: vevent for vevent in parsed.vevent_list}


def raw_line(data: bytes, name: str) -> str:
    """The first unfolded content line with this property name, VTIMEZONEs left out."""
    inside_timezone = False
    for line in unfolded_lines(data):
        if line in ("BEGIN:VTIMEZONE", "END:VTIMEZONE"):
            inside_timezone = line.startswith("BEGIN")
        elif not inside_timezone and re.match(rf"{name}[;:]", line):
            return line
    raise AssertionError(f"no {name} line")


def uid_of(event: Event, suffix: str = "") -> str:
    return f"{event.id}{suffix}@meetscout"


def text(vevent: Component, name: str) -> str:
    return str(vevent[name])


# The calendar


def test_render_calendar_headers_default() -> None:
    calendar = parse(render(march_meetup()))

    assert str(calendar["PRODID"]) == "-//meetscout//meetscout events//EN"
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["CALSCALE"]) == "GREGORIAN"
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert str(calendar["X-WR-CALNAME"]) == "meetscout events"
    assert str(calendar["NAME"]) == "meetscout events"
    assert "DESCRIPTION" not in calendar
    assert "X-WR-CALDESC" not in calendar
    assert "X-WR-TIMEZONE" not in calendar


def test_render_calendar_refresh_default_six_hours() -> None:
    data = render(march_meetup())

    assert raw_line(data, "REFRESH-INTERVAL") == "REFRESH-INTERVAL;VALUE=DURATION:PT6H"
    assert raw_line(data, "X-PUBLISHED-TTL") == "X-PUBLISHED-TTL:PT6H"
    assert parse(data).refresh_interval == timedelta(hours=6)


def test_render_calendar_refresh_from_options() -> None:
    data = render(march_meetup(), refresh=timedelta(minutes=90))

    assert raw_line(data, "REFRESH-INTERVAL") == "REFRESH-INTERVAL;VALUE=DURATION:PT1H30M"
    assert raw_line(data, "X-PUBLISHED-TTL") == "X-PUBLISHED-TTL:PT1H30M"


def test_render_calendar_name_and_description_from_options() -> None:
    words = "Healthcare and tech meetups within 25 km of Toronto"
    calendar = parse(render(march_meetup(), name="Toronto health tech", description=words))

    assert str(calendar["X-WR-CALNAME"]) == "Toronto health tech"
    assert str(calendar["NAME"]) == "Toronto health tech"
    assert str(calendar["X-WR-CALDESC"]) == words
    assert str(calendar["DESCRIPTION"]) == words


def test_render_calendar_empty_is_valid() -> None:
    data = render()

    assert vevents(data) == []
    assert parse(data).walk("VTIMEZONE") == []
    assert data.startswith(b"BEGIN:VCALENDAR\r\n")
    assert data.endswith(b"END:VCALENDAR\r\n")


def test_render_calendar_events_sorted_by_start() -> None:
    late, early = (
        march_meetup("late"),
        march_meetup("early", start=datetime(2026, 3, 1, tzinfo=UTC)),
    )

    uids = [str(vevent["UID"]) for vevent in vevents(render(late, early))]

    assert uids == [uid_of(early), uid_of(late)]


def test_render_calendar_duplicate_ids_keep_newest_sequence() -> None:
    old = march_meetup(title="Old title", sequence=1)
    new = march_meetup(title="New title", sequence=3)

    (vevent,) = vevents(render(new, old))

    assert text(vevent, "SUMMARY") == "New title"
    assert vevent.decoded("SEQUENCE") == 3


def test_render_calendar_same_bytes_under_other_system_tz(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    events = [
        *zoned_events(),
        all_day_conference("all-day", date(2026, 6, 1), 2, "Australia/Adelaide"),
    ]
    expected = render(*events, followup=True)

    monkeypatch.setenv("TZ", "Pacific/Chatham")
    system_time.tzset()
    try:
        assert render(*events, followup=True) == expected
    finally:
        monkeypatch.undo()
        system_time.tzset()


def test_render_calendar_same_events_same_bytes() -> None:
    events = zoned_events()

    assert render(*events) == render(*reversed(events))


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"cancelled": "drop"}, "cancelled"),
        ({"alarm_minutes": -5}, "alarm_minutes"),
        ({"refresh": timedelta(0)}, "refresh"),
        ({"base_url": "javascript:alert(1)"}, "base_url"),
        ({"base_url": "http://x\r\nX-EVIL:1"}, "base_url"),
        ({"uid_domain": "meet scout"}, "uid_domain"),
        ({"uid_domain": "evil\r\nX:1"}, "uid_domain"),
    ],
)
def test_create_feed_options_invalid_raises(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        FeedOptions(**changes)


def test_render_calendar_naive_now_raises() -> None:
    with pytest.raises(ValueError, match="now"):
        render_calendar([march_meetup()], now=datetime(2026, 2, 1, 12, 0))  # noqa: DTZ001


# One event: identity and history


def test_render_event_uid_from_event_id() -> None:
    event = march_meetup()

    assert text(only_vevent(render(event)), "UID") == f"{event.id}@meetscout"


def test_render_event_uid_stable_across_renders_and_titles() -> None:
    event = march_meetup()
    retitled = march_meetup(title="Toronto Health-Tech Meetup (new venue!)")

    first = only_vevent(render(event, now=NOW))
    second = only_vevent(render(retitled, now=LATER))

    assert text(first, "UID") == text(second, "UID")
    assert first.decoded("DTSTAMP") != second.decoded("DTSTAMP")


def test_render_event_uid_domain_from_options() -> None:
    event = march_meetup()

    vevent = only_vevent(render(event, uid_domain="events.example.org"))

    assert text(vevent, "UID") == f"{event.id}@events.example.org"


def test_render_event_dtstamp_is_now_in_utc() -> None:
    data = render(march_meetup(), now=datetime(2026, 2, 1, 7, 0, tzinfo=TORONTO))

    assert raw_line(data, "DTSTAMP") == "DTSTAMP:20260201T120000Z"


def test_render_event_sequence_carried() -> None:
    vevent = only_vevent(render(march_meetup(sequence=7)))

    assert vevent.decoded("SEQUENCE") == 7


def test_render_event_created_and_last_modified_in_utc() -> None:
    data = render(march_meetup(updated=datetime(2026, 1, 20, 11, 0, tzinfo=TORONTO)))

    assert raw_line(data, "CREATED") == "CREATED:20260105T090000Z"
    assert raw_line(data, "LAST-MODIFIED") == "LAST-MODIFIED:20260120T160000Z"


def test_render_event_last_modified_falls_back_to_first_seen() -> None:
    vevent = only_vevent(render(march_meetup(updated=None)))

    assert vevent.decoded("LAST-MODIFIED") == datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def test_render_event_history_absent_when_unknown() -> None:
    vevent = only_vevent(render(march_meetup(first_seen=None, updated=None)))

    assert "CREATED" not in vevent
    assert "LAST-MODIFIED" not in vevent


# One event: when


def test_render_event_timed_uses_event_tzid() -> None:
    data = render(march_meetup())

    assert raw_line(data, "DTSTART") == "DTSTART;TZID=America/Toronto:20260310T183000"
    assert raw_line(data, "DTEND") == "DTEND;TZID=America/Toronto:20260310T210000"


def test_render_event_timed_converts_start_to_event_zone() -> None:
    start = datetime(2026, 3, 10, 22, 30, tzinfo=UTC)
    data = render(march_meetup(start=start, end=start + timedelta(hours=2)))

    assert raw_line(data, "DTSTART") == "DTSTART;TZID=America/Toronto:20260310T183000"
    assert only_vevent(data).decoded("DTSTART") == start


@pytest.mark.parametrize("timezone", [None, "Not/AZone", "UTC", "Etc/UTC"])
def test_render_event_timed_without_zone_uses_utc(timezone: str | None) -> None:
    start = datetime(2026, 3, 10, 22, 30, tzinfo=UTC)
    data = render(march_meetup(start=start, end=start + timedelta(hours=2), timezone=timezone))

    assert raw_line(data, "DTSTART") == "DTSTART:20260310T223000Z"
    assert raw_line(data, "DTEND") == "DTEND:20260311T003000Z"
    assert parse(data).walk("VTIMEZONE") == []


@pytest.mark.parametrize("fold", [0, 1], ids=["first-occurrence", "second-occurrence"])
def test_render_event_timed_repeated_local_time_in_utc(fold: int) -> None:
    start = datetime(2026, 11, 1, 1, 30, fold=fold, tzinfo=TORONTO)
    data = render(march_meetup(start=start, end=datetime(2026, 11, 1, 4, 0, tzinfo=TORONTO)))

    expected = start.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    assert raw_line(data, "DTSTART") == f"DTSTART:{expected}"
    assert raw_line(data, "DTEND") == "DTEND;TZID=America/Toronto:20261101T040000"
    assert vobject_events(data)[uid_of(march_meetup())].dtstart.value == start.astimezone(UTC)


def test_render_event_timed_missing_end_lasts_two_hours() -> None:
    vevent = only_vevent(render(march_meetup(end=None)))

    assert vevent.decoded("DTEND") - vevent.decoded("DTSTART") == timedelta(hours=2)


def test_render_event_timed_end_before_start_still_after_start() -> None:
    start = datetime(2026, 3, 10, 18, 30, tzinfo=TORONTO)
    vevent = only_vevent(render(march_meetup(start=start, end=start - timedelta(hours=1))))

    assert vevent.decoded("DTEND") > vevent.decoded("DTSTART")


def test_render_event_timed_is_opaque() -> None:
    assert text(only_vevent(render(march_meetup())), "TRANSP") == "OPAQUE"


def test_render_event_all_day_value_date() -> None:
    data = render(all_day_conference("one-day", date(2026, 3, 10), 1, "America/Toronto"))

    assert raw_line(data, "DTSTART") == "DTSTART;VALUE=DATE:20260310"
    assert raw_line(data, "DTEND") == "DTEND;VALUE=DATE:20260311"
    assert parse(data).walk("VTIMEZONE") == []


@pytest.mark.parametrize(
    "end",
    [
        datetime(2026, 3, 13, 0, 0, tzinfo=ADELAIDE),
        datetime(2026, 3, 12, 23, 59, 59, tzinfo=ADELAIDE),
        datetime(2026, 3, 12, 18, 0, tzinfo=ADELAIDE),
    ],
    ids=["exclusive-midnight", "last-second", "last-evening"],
)
def test_render_event_all_day_end_is_day_after_last_day(end: datetime) -> None:
    event = all_day_conference("three-days", date(2026, 3, 10), 3, "Australia/Adelaide", end=end)

    vevent = only_vevent(render(event))

    assert vevent.decoded("DTSTART") == date(2026, 3, 10)
    assert vevent.decoded("DTEND") == date(2026, 3, 13)


def test_render_event_all_day_uses_local_dates() -> None:
    event = all_day_conference("adelaide-day", date(2026, 3, 10), 1, "Australia/Adelaide")
    assert event.start.astimezone(UTC).date() == date(2026, 3, 9)

    vevent = only_vevent(render(event))

    assert vevent.decoded("DTSTART") == date(2026, 3, 10)
    assert vevent.decoded("DTEND") == date(2026, 3, 11)


def test_render_event_all_day_without_end_lasts_one_day() -> None:
    event = all_day_conference("no-end", date(2026, 3, 10), 1, None, end=None)

    vevent = only_vevent(render(event))

    assert vevent.decoded("DTSTART") == date(2026, 3, 10)
    assert vevent.decoded("DTEND") == date(2026, 3, 11)


def test_render_event_all_day_is_transparent() -> None:
    event = all_day_conference("one-day", date(2026, 3, 10), 1, "America/Toronto")

    assert text(only_vevent(render(event)), "TRANSP") == "TRANSPARENT"


# Time zones


def test_render_calendar_vtimezone_for_each_tzid() -> None:
    calendar = parse(render(*zoned_events()))

    used = {vevent["DTSTART"].params["TZID"] for vevent in calendar.walk("VEVENT")}
    defined = [str(timezone["TZID"]) for timezone in calendar.walk("VTIMEZONE")]

    assert used == {"America/Toronto", "Europe/London", "Australia/Adelaide"}
    assert sorted(defined) == sorted(used)
    assert calendar.get_missing_tzids() == set()


def test_render_calendar_vtimezones_before_events() -> None:
    names = [component.name for component in parse(render(*zoned_events())).subcomponents]

    assert names == ["VTIMEZONE"] * 3 + ["VEVENT"] * 3


@pytest.mark.parametrize("zone_name", ["America/Toronto", "Europe/London", "Australia/Adelaide"])
def test_render_calendar_vtimezone_onsets_match_zoneinfo(zone_name: str) -> None:
    """Each onset is local time in TZOFFSETFROM (RFC 5545 3.6.5), exactly when zoneinfo changes."""
    zone = ZoneInfo(zone_name)
    calendar = parse(render(*dst_edge_events()))
    (timezone,) = [tz for tz in calendar.walk("VTIMEZONE") if str(tz["TZID"]) == zone_name]
    observances = timezone.subcomponents

    assert len(observances) == 3
    for observance in observances[1:]:
        offset_from = observance.decoded("TZOFFSETFROM")
        offset_to = observance.decoded("TZOFFSETTO")
        instant = (observance.decoded("DTSTART") - offset_from).replace(tzinfo=UTC)
        assert (instant - timedelta(seconds=1)).astimezone(zone).utcoffset() == offset_from
        assert instant.astimezone(zone).utcoffset() == offset_to
        is_daylight = instant.astimezone(zone).dst() != timedelta(0)
        assert observance.name == ("DAYLIGHT" if is_daylight else "STANDARD")


def test_render_calendar_vtimezone_covers_first_event() -> None:
    calendar = parse(render(*zoned_events()))

    for timezone in calendar.walk("VTIMEZONE"):
        first_onset = min(observance.decoded("DTSTART") for observance in timezone.subcomponents)
        assert first_onset.isoformat() == "2026-01-01T00:00:00"


def test_parse_dst_edges_with_vobject_vtimezones() -> None:
    """vobject reads times through the feed's VTIMEZONEs, not a time zone database."""
    events = dst_edge_events()
    parsed = vobject_events(render(*events))

    for event in events:
        vevent = parsed[uid_of(event)]
        assert vevent.dtstart.value.astimezone(UTC) == event.start.astimezone(UTC), event.title
        assert vevent.dtend.value.astimezone(UTC) == event.effective_end.astimezone(UTC), (
            event.title
        )


# One event: what and where


def test_render_event_summary_is_title() -> None:
    assert text(only_vevent(render(march_meetup())), "SUMMARY") == "Toronto Health Tech Meetup"


def test_render_event_location_is_venue_label() -> None:
    vevent = only_vevent(render(march_meetup()))

    assert text(vevent, "LOCATION") == "MaRS Discovery District, 101 College St, Toronto, ON, CA"


def test_render_event_location_online_without_venue() -> None:
    event = march_meetup(venue=Venue(), attendance=Attendance.ONLINE)

    assert text(only_vevent(render(event)), "LOCATION") == "Online"


def test_render_event_location_absent_without_venue() -> None:
    assert "LOCATION" not in only_vevent(render(march_meetup(venue=Venue())))


def test_render_event_geo_from_venue() -> None:
    data = render(march_meetup())

    assert raw_line(data, "GEO") == "GEO:43.659800;-79.388600"
    geo = only_vevent(data)["GEO"]
    assert isinstance(geo, vGeo)
    assert (geo.latitude, geo.longitude) == (43.6598, -79.3886)


def test_render_event_geo_near_zero_without_exponent() -> None:
    data = render(march_meetup(venue=Venue(name="Null Island", lat=0.00001, lon=-0.00002)))

    assert raw_line(data, "GEO") == "GEO:0.000010;-0.000020"


@pytest.mark.parametrize(
    "venue",
    [
        Venue(name="Somewhere", lat=43.6, lon=None),
        Venue(name="Somewhere", lat=None, lon=-79.3),
        Venue(name="Somewhere", lat=float("nan"), lon=-79.3),
        Venue(name="Somewhere", lat=95.0, lon=-79.3),
    ],
    ids=["no-lon", "no-lat", "nan", "out-of-range"],
)
def test_render_event_geo_absent_without_coordinates(venue: Venue) -> None:
    assert "GEO" not in only_vevent(render(march_meetup(venue=venue)))


@pytest.mark.parametrize(
    ("url", "source_url", "expected"),
    [
        ("https://example.org/e/1", "https://example.org/cal", "https://example.org/e/1"),
        (None, "https://example.org/cal", "https://example.org/cal"),
        ("javascript:alert(1)", "https://example.org/cal", "https://example.org/cal"),
        (None, None, "http://127.0.0.1:8000/events/{id}"),
        ("https://example.org/a b", None, "https://example.org/a%20b"),
    ],
    ids=["event-url", "source-url", "unsafe-scheme", "meetscout-page", "space-encoded"],
)
def test_render_event_url_with_fallbacks(
    url: str | None, source_url: str | None, expected: str
) -> None:
    event = march_meetup(url=url, source_url=source_url)

    vevent = only_vevent(render(event))

    assert str(vevent["URL"]) == expected.format(id=event.id)


def test_render_event_url_fallback_uses_base_url() -> None:
    event = march_meetup(url=None, source_url=None)

    vevent = only_vevent(render(event, base_url="https://meetscout.example.org/"))

    assert str(vevent["URL"]) == f"https://meetscout.example.org/events/{event.id}"


def test_render_event_categories_kind_and_sectors() -> None:
    vevent = only_vevent(render(march_meetup()))

    categories = vevent["CATEGORIES"]
    assert isinstance(categories, vCategory)
    assert categories.cats == ["meetup", "technology", "healthcare"]


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (Status.SCHEDULED, "CONFIRMED"),
        (Status.CANCELLED, "CANCELLED"),
        (Status.POSTPONED, "TENTATIVE"),
    ],
)
def test_render_event_status_from_event(status: Status, expected: str) -> None:
    assert text(only_vevent(render(march_meetup(status=status))), "STATUS") == expected


def test_render_event_class_public() -> None:
    assert text(only_vevent(render(march_meetup())), "CLASS") == "PUBLIC"


# One event: the description


def test_render_event_description_says_what_who_why() -> None:
    event = march_meetup()

    description = text(
        only_vevent(render(event, why={event.id: ["3.2 km away", "technology"]})), "DESCRIPTION"
    )

    assert description.startswith(
        "Meetup · technology, healthcare\n"
        "Organised by Health Tech Toronto\n"
        "Why: 3.2 km away; technology\n\n"
        "Lightning talks, then open networking.\n\n"
    )


def test_render_event_description_has_preparation_tip() -> None:
    description = text(only_vevent(render(march_meetup())), "DESCRIPTION")

    assert f"Before you go: Research the host before you go, and ask: {ASK}" in description


def test_render_event_description_has_links() -> None:
    event = march_meetup()

    description = text(only_vevent(render(event)), "DESCRIPTION")

    assert description.endswith(
        "Event page: https://example.org/events/health-tech\n"
        "Source: https://example.org/calendar.ics\n"
        f"On meetscout: http://127.0.0.1:8000/events/{event.id}\n"
        f"Add to your calendar: http://127.0.0.1:8000/events/{event.id}.ics"
    )


def test_render_event_description_is_plain_text() -> None:
    description = text(only_vevent(render(march_meetup())), "DESCRIPTION")

    assert "<" not in description
    assert "\r" not in description


@pytest.mark.parametrize("kind", list(Kind))
def test_render_event_description_tip_per_kind(kind: Kind) -> None:
    description = text(only_vevent(render(march_meetup(kind=kind))), "DESCRIPTION")

    tip = next(line for line in description.split("\n") if line.startswith("Before you go: "))
    assert tip.endswith(ASK)


def test_render_event_description_tips_differ_by_kind() -> None:
    tips = {
        text(only_vevent(render(march_meetup(kind=kind))), "DESCRIPTION")
        .split("Before you go: ")[1]
        .split("\n")[0]
        for kind in Kind
    }

    assert len(tips) == len(Kind)


def test_render_event_description_price_and_attendance() -> None:
    event = march_meetup(attendance=Attendance.MIXED, price=25.0, currency="CAD")

    description = text(only_vevent(render(event)), "DESCRIPTION")

    assert description.startswith("Meetup · technology, healthcare · in person or online · 25 CAD")


@pytest.mark.parametrize("kind", list(Kind))
def test_render_event_description_names_the_kind_as_the_page_and_the_digest_do(kind: Kind) -> None:
    description = text(only_vevent(render(march_meetup(kind=kind))), "DESCRIPTION")

    assert description.split(" · ")[0] == KIND_LABELS[kind]


def test_render_event_untitled_event_of_no_known_kind_is_called_event() -> None:
    event = march_meetup(title="", kind=Kind.OTHER)

    assert text(only_vevent(render(event)), "SUMMARY") == "Event"


def test_render_event_description_cancelled_note_without_tip() -> None:
    description = text(only_vevent(render(march_meetup(status=Status.CANCELLED))), "DESCRIPTION")

    assert description.startswith("This event was cancelled.\n")
    assert "Before you go" not in description


def test_render_event_description_long_text_truncated() -> None:
    vevent = only_vevent(render(march_meetup(description="networking " * 1000)))

    description = text(vevent, "DESCRIPTION")

    assert len(description) < 3000
    assert "networking…" in description


# Cancelled events


def test_render_calendar_cancelled_keep() -> None:
    event = march_meetup(status=Status.CANCELLED)

    vevent = only_vevent(render(event, cancelled="keep"))

    assert text(vevent, "STATUS") == "CANCELLED"
    assert text(vevent, "SUMMARY") == "Toronto Health Tech Meetup"


def test_render_calendar_cancelled_mark() -> None:
    event = march_meetup(status=Status.CANCELLED)

    vevent = only_vevent(render(event, cancelled="mark"))

    assert text(vevent, "STATUS") == "CANCELLED"
    assert text(vevent, "SUMMARY") == "Cancelled: Toronto Health Tech Meetup"


def test_render_calendar_cancelled_mark_leaves_scheduled() -> None:
    vevent = only_vevent(render(march_meetup(), cancelled="mark"))

    assert text(vevent, "SUMMARY") == "Toronto Health Tech Meetup"


def test_render_calendar_cancelled_hide() -> None:
    cancelled = march_meetup("gone", status=Status.CANCELLED)
    postponed = march_meetup("later", status=Status.POSTPONED)
    scheduled = march_meetup("on")

    uids = set(by_uid(render(cancelled, postponed, scheduled, cancelled="hide")))

    assert uids == {uid_of(postponed), uid_of(scheduled)}


# Alarms


def test_render_event_alarm_display_before_start() -> None:
    data = render(march_meetup(), alarm_minutes=30)

    (alarm,) = only_vevent(data).walk("VALARM")

    assert text(alarm, "ACTION") == "DISPLAY"
    assert text(alarm, "DESCRIPTION") == "Starting soon: Toronto Health Tech Meetup"
    assert alarm.decoded("TRIGGER") == timedelta(minutes=-30)
    assert raw_line(data, "TRIGGER") == "TRIGGER:-PT30M"


def test_render_event_alarm_in_every_event() -> None:
    data = render(*zoned_events(), alarm_minutes=90)

    assert all(len(vevent.walk("VALARM")) == 1 for vevent in vevents(data))
    assert unfolded_lines(data).count("TRIGGER:-PT90M") == 3


def test_render_event_alarm_absent_by_default() -> None:
    assert only_vevent(render(march_meetup())).walk("VALARM") == []


def test_render_event_alarm_absent_when_cancelled() -> None:
    vevent = only_vevent(render(march_meetup(status=Status.CANCELLED), alarm_minutes=30))

    assert vevent.walk("VALARM") == []


# Follow-ups


def test_render_calendar_followup_uids_stable_and_distinct() -> None:
    events = zoned_events()

    first = set(by_uid(render(*events, followup=True, now=NOW)))
    second = set(by_uid(render(*events, followup=True, now=LATER)))

    expected = {uid_of(event) for event in events} | {
        uid_of(event, "-followup") for event in events
    }
    assert first == expected
    assert second == expected


def test_render_calendar_followup_next_morning_local() -> None:
    event = march_meetup()

    data = render(event, followup=True)
    followup = by_uid(data)[uid_of(event, "-followup")]

    assert followup.decoded("DTSTART") == datetime(2026, 3, 11, 9, 0, tzinfo=TORONTO)
    assert followup.decoded("DTEND") == datetime(2026, 3, 11, 9, 15, tzinfo=TORONTO)
    assert followup["DTSTART"].params["TZID"] == "America/Toronto"


def test_render_calendar_followup_properties() -> None:
    event = march_meetup(sequence=4)

    followup = by_uid(render(event, followup=True))[uid_of(event, "-followup")]

    assert text(followup, "SUMMARY") == (
        "Follow up with the people you met at Toronto Health Tech Meetup"
    )
    assert text(followup, "TRANSP") == "TRANSPARENT"
    assert text(followup, "RELATED-TO") == uid_of(event)
    assert followup.decoded("SEQUENCE") == 4
    assert followup.decoded("DTSTAMP") == NOW


@pytest.mark.parametrize(
    "advice",
    ["within a day", "something specific", "introduction", "professional network", ASK],
)
def test_render_calendar_followup_description_advice(advice: str) -> None:
    event = march_meetup()

    followup = by_uid(render(event, followup=True))[uid_of(event, "-followup")]

    assert advice in text(followup, "DESCRIPTION")


def test_render_calendar_followup_after_multi_day_event() -> None:
    event = all_day_conference("conference", date(2026, 3, 10), 3, "Europe/London")

    followup = by_uid(render(event, followup=True))[uid_of(event, "-followup")]

    assert followup.decoded("DTSTART") == datetime(2026, 3, 13, 9, 0, tzinfo=LONDON)


def test_render_calendar_followup_after_event_ending_at_midnight() -> None:
    start = datetime(2026, 3, 10, 20, 0, tzinfo=TORONTO)
    event = march_meetup(start=start, end=datetime(2026, 3, 11, 0, 0, tzinfo=TORONTO))

    followup = by_uid(render(event, followup=True))[uid_of(event, "-followup")]

    assert followup.decoded("DTSTART") == datetime(2026, 3, 11, 9, 0, tzinfo=TORONTO)


def test_render_calendar_followup_in_utc_when_zone_unknown() -> None:
    start = datetime(2026, 3, 10, 22, 30, tzinfo=UTC)
    event = march_meetup(start=start, end=start + timedelta(hours=1), timezone=None)

    data = render(event, followup=True)

    assert unfolded_lines(data).count("DTSTART:20260311T090000Z") == 1


@pytest.mark.parametrize("status", [Status.CANCELLED, Status.POSTPONED])
def test_render_calendar_followup_skipped_unless_scheduled(status: Status) -> None:
    event = march_meetup(status=status)

    assert set(by_uid(render(event, followup=True))) == {uid_of(event)}


def test_render_calendar_followup_absent_by_default() -> None:
    assert len(vevents(render(*zoned_events()))) == 3


# render_event


def test_render_event_whole_calendar_with_one_event() -> None:
    event = march_meetup()

    data = render_event(event, now=NOW, why=["3.2 km away"])
    calendar = parse(data)

    assert str(calendar["PRODID"]) == "-//meetscout//meetscout events//EN"
    assert [str(vevent["UID"]) for vevent in calendar.walk("VEVENT")] == [uid_of(event)]
    assert "Why: 3.2 km away" in text(calendar.walk("VEVENT")[0], "DESCRIPTION")
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["America/Toronto"]


def test_render_event_options_apply() -> None:
    event = march_meetup()

    data = render_event(event, now=NOW, options=FeedOptions(alarm_minutes=15, followup=True))

    assert set(by_uid(data)) == {uid_of(event), uid_of(event, "-followup")}
    assert raw_line(data, "TRIGGER") == "TRIGGER:-PT15M"


# Bytes on the wire

MULTIBYTE_TITLE = "Café 東京 テック交流会 🎉👩‍💻 Ünïcödé naïve résumé 한국어 " * 4


def test_render_calendar_lines_end_in_crlf() -> None:
    data = render(*zoned_events(), followup=True, alarm_minutes=10)

    assert data.endswith(b"\r\n")
    assert b"\r" not in data.replace(b"\r\n", b"")
    assert b"\n" not in data.replace(b"\r\n", b"")


def test_render_calendar_lines_fold_at_75_octets_multibyte() -> None:
    event = march_meetup(title=MULTIBYTE_TITLE, description=MULTIBYTE_TITLE * 6)

    data = render(event, followup=True, alarm_minutes=10)

    physical = data.split(b"\r\n")[:-1]
    assert max(len(line) for line in physical) == 75
    for line in physical:
        assert len(line) <= 75
        line.decode("utf-8")
    assert any(line.startswith(b" ") for line in physical)


def test_render_calendar_multibyte_text_round_trips() -> None:
    event = march_meetup(title=MULTIBYTE_TITLE, venue=Venue(name="東京ビッグサイト"))

    vevent = only_vevent(render(event))

    assert text(vevent, "SUMMARY") == MULTIBYTE_TITLE.strip()
    assert text(vevent, "LOCATION") == "東京ビッグサイト"


def test_render_calendar_backslash_text_round_trips() -> None:
    title = r"C:\Notes; a\nb, 100\% \\ end"

    data = render(march_meetup(title=title))

    assert text(only_vevent(data), "SUMMARY") == title
    assert vobject_events(data)[uid_of(march_meetup())].summary.value == title


# Hostile text


def render_hostile(words: str) -> bytes:
    """Every text the feed takes from outside, set to ``words``."""
    event = march_meetup(
        title=words,
        description=words,
        venue=Venue(name=words, address=words, city=f"{words} city", lat=43.6, lon=-79.4),
        organizer=words,
        sectors=[words, "technology"],
        url=f"https://example.org/{words}",
        currency=words,
        price=5.0,
        categories=[words],
    )
    return render(
        event,
        why={event.id: [words, "technology"]},
        name=words,
        description=words,
        alarm_minutes=30,
        followup=True,
    )


def control_characters(value: str) -> set[str]:
    """Control characters TEXT should not carry (line feed and tab are allowed)."""
    return {ch for ch in value if unicodedata.category(ch) in ("Cc", "Cs") and ch not in "\n\t"}


@pytest.mark.parametrize("words", HOSTILE.values(), ids=HOSTILE.keys())
def test_render_calendar_hostile_text_adds_no_content_line(words: str) -> None:
    plain, hostile = render_hostile("Plain words"), render_hostile(words)

    assert begin_lines(hostile) == begin_lines(plain)
    assert property_names(hostile) == property_names(plain)


@pytest.mark.parametrize("words", HOSTILE.values(), ids=HOSTILE.keys())
def test_render_calendar_hostile_text_keeps_uids(words: str) -> None:
    event = march_meetup()

    uids = set(by_uid(render_hostile(words)))

    assert uids == {uid_of(event), uid_of(event, "-followup")}


@pytest.mark.parametrize("words", HOSTILE.values(), ids=HOSTILE.keys())
def test_render_calendar_hostile_text_parses_as_text(words: str) -> None:
    data = render_hostile(words)
    vevent = vevents(data)[0]

    for name in ("SUMMARY", "LOCATION"):
        assert "\n" not in text(vevent, name)
        assert control_characters(text(vevent, name)) == set()
    assert control_characters(text(vevent, "DESCRIPTION")) == set()
    assert text(vevent, "STATUS") == "CONFIRMED"
    assert len(vevent.walk("VALARM")) == 1


def test_render_calendar_hostile_newlines_escaped_in_description() -> None:
    data = render(march_meetup(description="first line\r\nsecond line\rthird\nfourth"))

    assert "first line\\nsecond line\\nthird\\nfourth" in raw_line(data, "DESCRIPTION")
    assert "first line\nsecond line\nthird\nfourth" in text(only_vevent(data), "DESCRIPTION")


# Every scenario through ical.js


def scenario_feeds() -> dict[str, bytes]:
    """One feed per behaviour above, for the parsers that run outside Python."""
    cancelled = march_meetup("cancelled", status=Status.CANCELLED)
    all_day = [
        all_day_conference("one-day", date(2026, 3, 10), 1, "America/Toronto"),
        all_day_conference("three-days", date(2026, 3, 10), 3, "Australia/Adelaide"),
        all_day_conference("utc-day", date(2026, 3, 10), 1, None),
    ]
    feeds = {
        "zones": render(*zoned_events()),
        "dst-edges": render(*dst_edge_events()),
        "all-day": render(*all_day, followup=True),
        "cancelled-keep": render(cancelled, march_meetup(), cancelled="keep"),
        "cancelled-mark": render(cancelled, march_meetup(), cancelled="mark"),
        "cancelled-hide": render(cancelled, march_meetup(), cancelled="hide"),
        "alarm-followup": render(*zoned_events(), alarm_minutes=45, followup=True),
        "multibyte": render(march_meetup(title=MULTIBYTE_TITLE, description=MULTIBYTE_TITLE * 6)),
        "unknown-zone": render(march_meetup(timezone=None), followup=True),
        "empty": render(),
        "single-event": render_event(march_meetup(), now=NOW, why=["3.2 km away"]),
    }
    for name, words in HOSTILE.items():
        feeds[f"hostile-{name}"] = render_hostile(words)
    return feeds


def expected_times(data: bytes) -> Iterator[tuple[str, int | None, int | None]]:
    """UID and Unix start/end of each timed VEVENT, read by icalendar (zoneinfo)."""
    for vevent in vevents(data):
        start, end = vevent.decoded("DTSTART"), vevent.decoded("DTEND")
        if isinstance(start, datetime):
            yield str(vevent["UID"]), int(start.timestamp()), int(end.timestamp())
        else:
            yield str(vevent["UID"]), None, None


def run_icaljs(paths: list[Path]) -> subprocess.CompletedProcess[str]:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not on PATH: the ical.js checks need Node.js")
    if not (JS_DIR / "node_modules").is_dir():
        pytest.skip("ical.js is not installed: run `npm ci --prefix tests/feeds/js`")
    command = [node, str(JS_DIR / "parse_ics.mjs"), *map(str, paths)]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


def write_feeds(feeds: Mapping[str, bytes], folder: Path) -> list[Path]:
    paths = []
    for name, data in feeds.items():
        path = folder / f"{name}.ics"
        path.write_bytes(data)
        paths.append(path)
    return paths


def test_parse_scenario_feeds_with_icaljs(tmp_path: Path) -> None:
    feeds = scenario_feeds()
    paths = write_feeds(feeds, tmp_path)

    result = run_icaljs(paths)

    assert result.returncode == 0, result.stderr
    seen = [json.loads(line) for line in result.stdout.splitlines()]
    expected = {
        (f"{tmp_path / name}.ics", uid, start, end)
        for name, data in feeds.items()
        for uid, start, end in expected_times(data)
    }
    got = {
        (row["file"], row["uid"], *((None, None) if row["allDay"] else (row["start"], row["end"])))
        for row in seen
    }
    assert got == expected


def test_parse_broken_feed_with_icaljs_fails(tmp_path: Path) -> None:
    """The ical.js check can fail: a TZID without its VTIMEZONE is caught."""
    data = render(march_meetup())
    start = data.index(b"BEGIN:VTIMEZONE")
    end = data.index(b"END:VTIMEZONE\r\n") + len(b"END:VTIMEZONE\r\n")
    path = tmp_path / "no-vtimezone.ics"
    path.write_bytes(data[:start] + data[end:])

    result = run_icaljs([path])

    assert result.returncode == 1
    assert "without a VTIMEZONE" in result.stderr
