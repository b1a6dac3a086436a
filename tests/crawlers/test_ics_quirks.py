"""The ``ics`` spider on what real producers get wrong, one quirk per test.

Every feed is a saved real file (see tests/fixtures/README.md) unless the
test says it builds a minimal feed for a form no saved file has.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
from scrapy.http import Request, TextResponse

from crawlers.ical_quirks import page_in_description, resolve_tzid, salvage, zone_from_rules
from crawlers.pipelines.normalize import html_to_text
from crawlers.sources import Source
from crawlers.spiders.ics import IcsSpider
from service.model import Attendance, Event, Status, make_event_id
from tests.support.crawling import ICS_FEEDS, feed_spider
from tests.support.saved import FIXTURES, file_response


def crawl(feed: str, now: datetime, **fields: object) -> tuple[IcsSpider, list[Event]]:
    source = Source(name="quirks", type="ics", url="https://example.org/feed.ics", **fields)
    spider = IcsSpider(source=source, now=now)
    return spider, list(spider.parse(file_response(f"ics/{feed}")))


def crawl_text(text: str, now: datetime, **fields: object) -> tuple[IcsSpider, list[Event]]:
    source = Source(name="quirks", type="ics", url="https://example.org/feed.ics", **fields)
    spider = IcsSpider(source=source, now=now)
    body = text.replace("\n", "\r\n").encode()
    response = TextResponse(
        url="https://example.org/feed.ics", body=body, request=Request("https://example.org/f")
    )
    return spider, list(spider.parse(response))


def calendar(*events: str) -> str:
    """A minimal feed holding ``events`` (each a VEVENT's lines, one per line)."""
    body = "".join(f"BEGIN:VEVENT\n{event}END:VEVENT\n" for event in events)
    return f"BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//example//EN\n{body}END:VCALENDAR\n"


def at(year: int, month: int, day: int) -> datetime:
    return datetime(year, month, day, tzinfo=UTC)


def local(event: Event) -> str:
    return event.local_start().strftime("%Y-%m-%d %H:%M %z")


# Time zones


def test_parse_google_utc_events_keep_instant_in_calendar_zone() -> None:
    _, events = crawl("google-x-wr-timezone-utc-events.ics", at(2021, 12, 20))
    noon = next(e for e in events if e.title.startswith("Google Calendar says this is noon"))
    assert noon.start == datetime(2021, 12, 22, 17, tzinfo=UTC)
    assert noon.timezone == "America/New_York"
    assert local(noon) == "2021-12-22 12:00 -0500"


def test_parse_x_wr_timezone_applies_to_floating_times() -> None:
    # No saved Google feed has a floating timed event, so this one is minimal.
    feed = (
        "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//Google Inc//Google Calendar 70.9054//EN\n"
        "X-WR-TIMEZONE:Europe/Madrid\nBEGIN:VEVENT\nUID:floating@example.org\n"
        "DTSTART:20261203T183000\nDTEND:20261203T203000\nSUMMARY:Meetup\nEND:VEVENT\n"
        "END:VCALENDAR\n"
    )
    _, (event,) = crawl_text(feed, at(2026, 11, 27))
    assert event.timezone == "Europe/Madrid"
    assert event.start == datetime(2026, 12, 3, 17, 30, tzinfo=UTC)


def test_parse_x_wr_timezone_applies_to_all_day_events() -> None:
    _, events = crawl("google-community-calendar-hulme-moss-side.ics", at(2016, 5, 10))
    all_day = [e for e in events if e.all_day]
    assert all_day
    assert {e.timezone for e in all_day} == {"Europe/London"}
    assert {e.local_start().strftime("%H:%M") for e in all_day} == {"00:00"}


def test_parse_exchange_windows_zone_names_map_to_iana() -> None:
    _, events = crawl("exchange-windows-timezone-names.ics", at(2020, 7, 1))
    assert {e.timezone for e in events} == {"Europe/Berlin", "America/Los_Angeles"}
    test = next(e for e in events if e.title == "test")
    assert local(test) == "2020-09-10 09:00 +0200"


def test_parse_outlook_gmt_standard_time_is_london() -> None:
    _, events = crawl("outlook-office365-zion-centre-whats-on.ics", at(2018, 4, 1))
    assert {e.timezone for e in events} == {"Europe/London"}
    assert local(events[0]) == "2018-04-04 09:30 +0100"


def test_parse_exchange_customized_zone_matched_by_its_rules() -> None:
    _, events = crawl("exchange-customized-time-zone.ics", at(2020, 8, 20))
    assert {e.timezone for e in events} == {"America/New_York"}
    assert local(events[0]) == "2020-08-25 10:35 -0400"
    assert events[0].start == datetime(2020, 8, 25, 14, 35, tzinfo=UTC)


def test_parse_non_ascii_windows_display_name_is_sao_paulo() -> None:
    _, (event,) = crawl("non-ascii-windows-tzid-brasilia.ics", at(2017, 5, 1))
    assert event.timezone == "America/Sao_Paulo"
    assert local(event) == "2017-05-11 13:30 -0300"


def test_parse_quoted_windows_display_name_is_eastern() -> None:
    _, events = crawl("windows-quoted-tzid-exdate.ics", at(2015, 7, 1))
    assert {e.timezone for e in events} == {"America/New_York"}
    assert {e.local_start().strftime("%H:%M %z") for e in events} == {"12:00 -0400"}
    days = [e.local_start().day for e in events]
    assert days == [6, 7, 9, 11, 12, 13, 14, 15]


def test_parse_prefixed_tzid_resolves_to_its_iana_suffix() -> None:
    spider, (event,) = crawl("tzurl-custom-prefixed-tzid-fiji.ics", at(2014, 8, 20))
    assert event.timezone == "Pacific/Fiji"
    assert local(event) == "2014-08-29 08:00 +1200"
    assert not spider.report.errors


def test_parse_pretalx_trusts_iana_tzid_over_its_wrong_vtimezone() -> None:
    _, events = crawl("pretalx-pycon-au-2023-schedule.ics", at(2023, 8, 10))
    assert {e.timezone for e in events} == {"Australia/Adelaide"}
    assert {e.start.utcoffset() for e in events} == {timedelta(hours=9, minutes=30)}


def test_parse_same_custom_zone_name_in_two_feeds_keeps_each_feeds_rules() -> None:
    # icalendar caches VTIMEZONEs by TZID for the whole process.
    feed = (
        "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:Microsoft Exchange Server 2010\n"
        "BEGIN:VTIMEZONE\nTZID:Customized Time Zone\nBEGIN:STANDARD\n"
        "DTSTART:16010101T000000\nTZOFFSETFROM:{offset}\nTZOFFSETTO:{offset}\n"
        "END:STANDARD\nEND:VTIMEZONE\nBEGIN:VEVENT\nUID:custom@example.org\n"
        "DTSTART;TZID=Customized Time Zone:20261201T100000\nSUMMARY:Talk\nEND:VEVENT\n"
        "END:VCALENDAR\n"
    )
    _, (first,) = crawl_text(feed.format(offset="+0530"), at(2026, 11, 27))
    _, (second,) = crawl_text(feed.format(offset="-0300"), at(2026, 11, 27))
    assert first.start == datetime(2026, 12, 1, 4, 30, tzinfo=UTC)
    assert second.start == datetime(2026, 12, 1, 13, tzinfo=UTC)


@pytest.mark.parametrize(
    ("tzid", "zone"),
    [
        ("Europe/Berlin", "Europe/Berlin"),
        ("Europe/Kiev", "Europe/Kiev"),
        ("W. Europe Standard Time", "Europe/Berlin"),
        ('"GMT Standard Time"', "Europe/London"),
        ("(UTC-03:00) Brasília", "America/Sao_Paulo"),
        ("(UTC-05:00) Eastern Time (US & Canada)", "America/New_York"),
        ("(UTC+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna", "Europe/Amsterdam"),
        ("(UTC+09:00) Osaka, Sapporo, Tokyo", "Asia/Tokyo"),
        ("/mozilla.org/20050126_1/Europe/Berlin", "Europe/Berlin"),
        ("/softwarestudio.org/Olson_20011030_5/America/New_York", "America/New_York"),
        ("custom_Pacific/Fiji", "Pacific/Fiji"),
        ("Customized Time Zone", None),
        ("(UTC+01:00) Tokyo", None),
        ("", None),
    ],
)
def test_resolve_tzid_names(tzid: str, zone: str | None) -> None:
    assert resolve_tzid(tzid) == zone


def test_zone_from_rules_prefers_the_populous_zone() -> None:
    assert zone_from_rules(ZoneInfo("America/Toronto"), 2020) == "America/New_York"
    assert zone_from_rules(ZoneInfo("Europe/Rome"), 2020) == "Europe/Berlin"
    assert zone_from_rules(ZoneInfo("Asia/Kolkata"), 2020) == "Asia/Kolkata"


# Producers and recurrence


def test_parse_icloud_open_ended_rrules_are_capped_by_the_window() -> None:
    spider, events = crawl("icloud-published-calendar-yellowbird.ics", at(2018, 5, 1))
    assert Counter(e.title for e in events) == {
        "YellowBird Age Friendly Drop-in": 51,
        "Age Friendly Community Soup": 12,
    }
    assert max(e.start for e in events) <= spider.window_end


def test_parse_multiple_vcalendars_in_one_file() -> None:
    _, events = crawl("apple-ical3-multiple-vcalendars-in-one-file.ics", at(2010, 4, 1))
    assert [e.title for e in events] == ["Coffee with Jason", "Coffee with Mike", "Coffee with Kim"]
    assert len({e.id for e in events}) == 3, "one UID in three VCALENDARs, three events"


def test_parse_meetup_group_feed() -> None:
    _, events = crawl(
        "meetup-london-bisexual-women-games-group.ics", at(2026, 1, 20), days_ahead=400
    )
    assert len(events) == 8
    assert all(e.url and e.url.startswith("https://www.meetup.com/") for e in events)
    assert events[0].id == make_event_id("quirks", "event_310825987@meetup.com")
    assert local(events[0]) == "2026-01-30 19:00 +0000"


def test_parse_pretalx_speakers_become_performer() -> None:
    _, events = crawl("pretalx-pycon-au-2023-schedule.ics", at(2023, 8, 10))
    talk = next(e for e in events if e.title.startswith("Roll for Initiative"))
    assert talk.performer == "J. Rosenbaum"
    assert talk.title.endswith(" - J. Rosenbaum")
    assert talk.venue.name == "Hall C (Plenary)"


def test_parse_the_events_calendar_survives_two_tzids_in_one_vtimezone() -> None:
    spider, events = crawl("the-events-calendar-ecp-public-meetings.ics", at(2024, 5, 1))
    assert len(events) == 30
    assert not spider.report.errors and not spider.report.dropped
    meeting = next(e for e in events if e.title == "Outreach Meeting")
    assert local(meeting) == "2024-05-09 08:30 -0500"
    day = next(e for e in events if e.title == "Administrative Day")
    assert (day.all_day, day.timezone) == (True, "America/Chicago")


def test_salvage_keeps_every_component_that_parses_alone() -> None:
    text = (FIXTURES / "ics/the-events-calendar-ecp-public-meetings.ics").read_text()
    (calendar,), lost = salvage(text)
    assert len(calendar.walk("VEVENT")) == 30
    assert [problem.split(":")[0] for problem in lost] == ["VTIMEZONE"]
    assert str(calendar["X-WR-CALNAME"]) == "CLIHTF"


@pytest.mark.parametrize(
    ("feed", "now", "kept"),
    [
        ("lanyrd-nodejs-conferences.ics", at(2011, 3, 1), 8),
        ("exchange-windows-timezone-names.ics", at(2020, 7, 1), 137),
    ],
)
def test_parse_broken_dtstart_is_skipped_and_counted(feed: str, now: datetime, kept: int) -> None:
    spider, events = crawl(feed, now)
    assert len(events) == kept
    assert spider.report.dropped == {"unparseable_event": 1}
    assert not spider.report.errors


def test_parse_broken_single_event_is_not_taken_for_vanished() -> None:
    spider, _ = crawl("lanyrd-nodejs-conferences.ics", at(2011, 3, 1))
    assert make_event_id("quirks", "sdfkf09fsd0") in spider.report.seen_ids


def test_parse_exdate_removes_occurrences() -> None:
    _, events = crawl("davx5-ical4j-exdate.ics", at(2019, 10, 10))
    calendar = icalendar.Calendar.from_ical((FIXTURES / "ics/davx5-ical4j-exdate.ics").read_bytes())
    excluded = {dt.dt for dt in calendar.walk("VEVENT")[0]["EXDATE"].dts}
    assert len(events) == 7
    assert not {e.start for e in events} & excluded


def test_parse_rdate_only_series() -> None:
    _, events = crawl("data-ical-hacker-public-radio-rdate.ics", at(2013, 8, 1))
    assert len(events) == 12
    assert {e.start.astimezone(UTC).strftime("%a %H:%M") for e in events} == {"Sat 19:00"}
    assert len({e.id for e in events}) == 12


def test_parse_range_thisandfuture_moves_the_rest_of_the_series() -> None:
    _, events = crawl("reservas-range-thisandfuture.ics", at(2024, 9, 1))
    later = [e for e in events if e.start > datetime(2024, 9, 22, tzinfo=UTC)]
    assert later and {e.title for e in later} == {"EDITED EVENT"}
    assert {e.start.strftime("%H:%M") for e in later} == {"14:22"}
    assert len({e.id for e in events}) == len(events)


def test_parse_orphan_recurrence_ids_are_kept() -> None:
    _, events = crawl("google-derived-orphan-recurrence-ids.ics", at(2026, 1, 1))
    assert len(events) == 34
    assert len({e.id for e in events}) == 34
    assert {e.timezone for e in events} == {"America/Chicago"}


def test_parse_all_day_series_with_utc_until_and_overrides() -> None:
    _, events = crawl("exchange-rrule-until-utc-allday.ics", at(2020, 4, 1))
    assert len(events) == 24
    assert all(e.all_day and e.timezone == "Europe/London" for e in events)
    moved = [e for e in events if e.local_start().date().isoformat() == "2020-04-17"]
    assert [e.title for e in moved] == ["Refuse black bin"]


# Fields


def test_parse_geo_sets_coordinates() -> None:
    _, events = crawl("tripit-itinerary-escaping.ics", at(2011, 10, 1))
    stay = next(e for e in events if e.title == "South San Francisco, CA, October 2011;")
    assert (stay.venue.lat, stay.venue.lon) == (37.654656, -122.40775)


BLOOMINGTON_IN = {
    "city": "Bloomington",
    "region": "IN",
    "country": "US",
    "lat": 39.1653,
    "lon": -86.5264,
}
"""A source's own place, as sources.toml gives Bloomington's."""


def test_parse_geo_far_from_the_source_and_outside_its_region_is_left_out() -> None:
    # Monroe County (Indiana) government's feed, minimal: its platform put the county's
    # Showers Building in Illinois; a room of the county courthouse it placed rightly.
    feed = calendar(
        "UID:far@example.org\nDTSTART:20260901T170000Z\nSUMMARY:Plan Commission\n"
        "LOCATION:Showers Building\\, 100B\nGEO:40.618495;-89.464654\n",
        "UID:near@example.org\nDTSTART:20260902T170000Z\nSUMMARY:County Council\n"
        "LOCATION:Nat U. Hill Meeting Room\nGEO:39.16700;-86.53400\n",
    )
    spider, events = crawl_text(feed, at(2026, 8, 22), location=BLOOMINGTON_IN)
    far, near = sorted(events, key=lambda e: e.start)

    assert (far.venue.lat, far.venue.lon) == (39.1653, -86.5264)
    assert far.venue.address == "Showers Building, 100B"
    assert (near.venue.lat, near.venue.lon) == (39.167, -86.534)
    assert spider.report.dropped["coordinates_far_off"] == 1


def test_parse_location_naming_a_far_town_is_not_at_the_source_place() -> None:
    # Bloomington Rotary's feed, minimal: its district's institute in New Orleans, and a
    # meeting at home whose room is named like no town.
    feed = calendar(
        "UID:far@example.org\nDTSTART:20260827T140000Z\nSUMMARY:Zone Institute - New Orleans\n"
        "LOCATION:Hilton New Orleans Riverside Two Poydras St\\, New Orleans\\, LA 70130\n",
        "UID:home@example.org\nDTSTART:20260902T170000Z\nSUMMARY:Weekly meeting\n"
        "LOCATION:Fort York\\, Program Room\n",
    )
    _, events = crawl_text(feed, at(2026, 8, 22), location=BLOOMINGTON_IN)
    far, home = sorted(events, key=lambda e: e.start)

    # Left to the locate step, which reads the town from the address.
    assert (far.venue.lat, far.venue.lon, far.venue.city) == (None, None, None)
    assert far.venue.address == "Hilton New Orleans Riverside Two Poydras St, New Orleans, LA 70130"
    assert (home.venue.lat, home.venue.lon, home.venue.city) == (39.1653, -86.5264, "Bloomington")


def test_parse_location_text_is_venue_address_and_name() -> None:
    _, events = crawl("upcoming-org-silicon-florist-tech-events.ics", at(2008, 7, 1))
    summit = next(e for e in events if e.title == "Substance Summit")
    assert summit.venue.address == "Lucky Lab beer hall @ 1945 NW Quimby, Portland, Oregon US"
    assert summit.venue.name == "Lucky Lab beer hall"
    assert summit.attendance is Attendance.IN_PERSON


def test_parse_url_location_means_online() -> None:
    _, events = crawl("exchange-windows-timezone-names.ics", at(2020, 7, 1))
    call = next(e for e in events if e.title == "Not the actual summary either")
    assert call.attendance is Attendance.ONLINE
    assert call.url == "https://bluejeans.com/7999979999"
    assert call.venue.address is None


def test_parse_named_online_location_means_online() -> None:
    _, events = crawl("google-finos-community-calendar-large.ics", at(2019, 8, 1))
    webex = [e for e in events if e.venue.address == "WebEx (Info Below)"]
    assert webex and {e.attendance for e in webex} == {Attendance.ONLINE}


def test_parse_template_placeholder_location_is_no_venue() -> None:
    _, events = crawl("wordpress-events-manager-community-centre.ics", at(2023, 9, 15))
    assert all(e.venue.address is None for e in events)


def test_parse_empty_url_is_none() -> None:
    _, events = crawl("icloud-published-calendar-yellowbird.ics", at(2018, 5, 1))
    assert {e.url for e in events} == {None}


def test_parse_categories_from_a_real_feed() -> None:
    _, events = crawl("upcoming-org-silicon-florist-tech-events.ics", at(2008, 7, 1))
    assert Counter(c for e in events for c in e.categories)["Social"] >= 8
    _, fablab = crawl("icalcreator-fablab-cottbus-makerspace.ics", at(2016, 12, 1))
    assert all(e.categories == [] for e in fablab), "an empty CATEGORIES line is no category"


def test_parse_categories_in_every_form() -> None:
    # No saved feed has comma lists or repeated lines, so this one is minimal.
    feed = (
        "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//test//EN\nBEGIN:VEVENT\nUID:c@example.org\n"
        "DTSTART:20261201T180000Z\nSUMMARY:Meetup\nCATEGORIES:Tech,Careers\n"
        "CATEGORIES:Food\\, Drink\nCATEGORIES:Tech\nCATEGORIES:\nEND:VEVENT\nEND:VCALENDAR\n"
    )
    _, (event,) = crawl_text(feed, at(2026, 11, 27))
    assert event.categories == ["Tech", "Careers", "Food, Drink"]


def test_parse_organizer_email_is_never_exposed() -> None:
    _, events = crawl("google-finos-community-calendar-large.ics", at(2019, 1, 1))
    assert all(e.organizer is None or "@" not in e.organizer for e in events)


def test_parse_organizer_common_name_is_kept() -> None:
    _, events = crawl("upcoming-org-silicon-florist-tech-events.ics", at(2008, 7, 1))
    summit = next(e for e in events if e.title == "Substance Summit")
    assert summit.organizer == "stlandau"


def test_parse_title_that_says_cancelled_or_postponed() -> None:
    _, events = crawl("icalcreator-fablab-cottbus-makerspace.ics", at(2016, 12, 1), days_ahead=900)
    by_title = {e.title: e.status for e in events}
    assert by_title["Der 3D-Donnerstag fällt aus"] is Status.CANCELLED
    assert by_title["Achtung, verschoben: Repair Café"] is Status.POSTPONED
    assert by_title["Vereinssitzung"] is Status.SCHEDULED


def test_parse_html_description_becomes_text_in_normalize() -> None:
    _, events = crawl("pycon-us-2025-charlas-spanish-track.ics", at(2025, 5, 10))
    assert any("<p>" in (e.description or "") for e in events)
    assert all("<p>" not in (html_to_text(e.description) or "") for e in events)


def test_parse_unfolded_long_lines_are_read_whole() -> None:
    _, events = crawl("pycon-us-2025-charlas-spanish-track.ics", at(2025, 5, 10))
    assert max(len(e.description or "") for e in events) > 3000


def test_parse_escaped_commas_and_semicolons() -> None:
    _, events = crawl("tripit-itinerary-escaping.ics", at(2011, 10, 1))
    hotel = next(e for e in events if e.title.startswith("Check-in: Embassy Suites"))
    assert hotel.venue.address == "250 GATEWAY BLVD, South San Francisco, CA, 94080"
    assert not any("\\" in e.title for e in events)


def test_parse_empty_slot_placeholders_are_kept() -> None:
    spider, events = crawl("wordpress-events-manager-community-centre.ics", at(2023, 9, 15))
    assert len(events) == 50
    assert sum(e.title == "Empty slot" for e in events) == 29
    assert {e.timezone for e in events} == {"Europe/London"}
    assert not spider.report.dropped


@pytest.mark.parametrize("feed", ICS_FEEDS)
def test_parse_every_feed_gives_aware_times_iana_zones_and_unique_ids(feed: str) -> None:
    spider = feed_spider(feed)
    events = list(spider.parse(file_response(f"ics/{feed}")))
    assert all(e.start.utcoffset() is not None for e in events)
    assert all(e.timezone is None or ZoneInfo(e.timezone) for e in events)
    assert len({e.id for e in events}) == len(events)


@pytest.mark.parametrize(
    ("location", "description", "online"),
    [
        ("", "Join: https://finos.zoom.us/j/123456", True),
        ("", "Meeting link: https://finos.webex.com/finos/j.php?MTID=m1", True),
        ("", "Bring a laptop. Slides: https://example.org/slides", False),
        ("Room 317", "Also streamed at https://meet.google.com/abc-defg-hij", False),
        ("https://zoom.us/j/1", "", True),
    ],
)
def test_location_is_online_reads_meeting_links(
    location: str, description: str, online: bool
) -> None:
    from icalendar import Event as VEvent

    from crawlers.ical_quirks import location_is_online

    component = VEvent()
    if location:
        component.add("LOCATION", location)
    if description:
        component.add("DESCRIPTION", description)
    assert location_is_online(component) is online


def test_civicplus_html_location_gives_the_places_name() -> None:
    """CivicPlus sends its rich-text box: the name is the first paragraph, the address
    follows " - ", and no tag or entity reaches the venue."""
    _, events = crawl("civicplus-durham-parks-html-location.ics", at(2026, 8, 22))
    names = Counter(e.venue.name for e in events)
    assert names["Sandy Creek Park"] == 1
    assert names["West Point on the Eno"] >= 1
    assert names["Holton Career & Resource Center"] >= 1
    assert names["City Hall"] == 2
    for event in events:
        assert event.venue.name and "<" not in event.venue.name and "&amp" not in event.venue.name
        assert event.venue.address and "<" not in event.venue.address
    park = next(e for e in events if e.venue.name == "Sandy Creek Park")
    assert park.venue.address == "Sandy Creek Park, 3510 Sandy Creek Road Durham NC 27707"


@pytest.mark.parametrize(
    ("location", "name"),
    [
        (
            "Location: <span style='color: rgb(34\\, 34\\, 34)'>Rohnert Park Senior Center</span>",
            "Rohnert Park Senior Center",
        ),
        (
            "Bartlett Arms Apartment - 121 Bartlett St.  Asheville NC 28801",
            "Bartlett Arms Apartment",
        ),
        (
            "Monroe County Public Library - Downtown\\, 303 E Kirkwood Ave",
            "Monroe County Public Library - Downtown",
        ),
        ("Monroe County\\, IN", None),  # an area, not a place to walk into
        (" - 101 City Hall Plaza Council Chambers/1st Floor Durham NC 27701", None),
        (
            "Join us in the park for an afternoon of games and food with your neighbours.\\, "
            "Monroe County",
            None,
        ),
        ("Location: TBD", None),
    ],
)
def test_location_is_a_place_name_or_none(location: str, name: str | None) -> None:
    _, [event] = crawl_text(
        "BEGIN:VCALENDAR\nVERSION:2.0\nBEGIN:VEVENT\nUID:1\nDTSTART:20260905T100000Z\n"
        f"SUMMARY:Open house\nLOCATION:{location}\nEND:VEVENT\nEND:VCALENDAR\n",
        at(2026, 9, 1),
    )
    assert event.venue.name == name


def test_parse_the_page_a_description_calls_more_info_is_the_events_url() -> None:
    """Show Up Toronto's feed has no URL property: each description opens "More info: <link>"."""
    source = Source(
        name="show-up-toronto", type="ics", url="https://example.org/showupto.ics", days_ahead=365
    )
    spider = IcsSpider(source=source, now=at(2026, 8, 14))
    feed = "community-calendar/toronto/showuptoronto_static_showupto_ics.ics"

    events = list(spider.parse(file_response(feed)))

    assert len(events) > 50
    for event in events:
        said = re.search(r"More info:\s*(\S+)", event.description or "")
        assert said is not None
        if said.group(1).startswith("https://meet.google.com/"):
            assert event.url is None  # a meeting's join link is no page about the event
        else:
            assert event.url == said.group(1)


def test_parse_a_civicplus_events_page_ending_its_description_is_its_url() -> None:
    _, events = crawl("civicplus-durham-parks-html-location.ics", at(2026, 8, 22))

    pages = {e.url for e in events}
    assert all(
        re.fullmatch(r"https://www\.dprplaymore\.org/calendar\.aspx\?EID=\d+", str(page))
        for page in pages
    )
    assert len(pages) == len(events) == 16  # each its own page, "Pride Paddle" twice included


def test_parse_registration_pages_in_descriptions_become_urls() -> None:
    _, events = crawl("google-finos-community-calendar-large.ics", at(2019, 8, 1))

    pages = {e.title: e.url for e in events}
    assert pages["OpenFin Summer Meetup"] == (
        "https://www.eventbrite.com/e/openfin-summer-meetup-nyc-july-31-tickets-64608331258"
    )
    assert pages["Open Core Summit"] == "https://ti.to/open-core-summit/open-core-summit/en"
    assert pages["The Trading Show"] == (
        "https://www.terrapinn.com/conference/the-trading-show-new-york/index.stm"
    )


@pytest.mark.parametrize(
    "description",
    [
        # Monroe County Public Library, Duke Chapel and FINOS, in the bundled recording.
        "Age 14 and up. Virtual meeting link: https://zoom.mcpl.info",
        "all are welcome to attend in person or via live stream at https://zoom.mcpl.info.",
        "online via the livestream on the Duke Chapel Facebook page: https://www.facebook.com/DukeChapel.",
        "Github: https://github.com/finos/open-source-readiness/issues",
        "Register here: https://finos.zoom.us/j/94505380463",
    ],
)
def test_a_link_a_description_does_not_call_the_events_page_is_no_url(description: str) -> None:
    assert page_in_description(description) is None


WITHOUT_LOCATION = calendar(
    "UID:event_315068280@meetup.com\n"
    "DTSTART;TZID=America/New_York:20260916T140000\n"
    "DTEND;TZID=America/New_York:20260916T150000\n"
    "SUMMARY:{title}\n"
    "DESCRIPTION:Data Science Raleigh\\n{description}\n"
    "URL;VALUE=URI:https://www.meetup.com/data-science-nc/events/315068280/\n"
)
"""A Meetup group's event without LOCATION (Data Science Raleigh, bundled recording)."""


@pytest.mark.parametrize(
    ("title", "description", "attendance"),
    [
        (
            "Seeing Is Believing: Observability as the Backbone of Trustworthy AI",
            "This webinar explores the principles and practices of AI observability.",
            Attendance.ONLINE,
        ),
        (
            "AI Demo Day Q4",
            "Join us for AI Demo Day\u2014an exclusive virtual event showcasing AI solutions.",
            Attendance.ONLINE,
        ),
        ("Expressive Writing Webinar", "Write with us.", Attendance.ONLINE),
        ("Data Science Happy Hour", "Meet the group over drinks.", Attendance.IN_PERSON),
    ],
)
def test_parse_no_location_and_a_webinar_or_virtual_event_in_its_words_means_online(
    title: str, description: str, attendance: Attendance
) -> None:
    text = WITHOUT_LOCATION.format(title=title, description=description)
    _, (event,) = crawl_text(text, at(2026, 9, 1))
    assert event.attendance is attendance


def test_parse_a_webcast_location_means_online() -> None:
    """Duke's calendar places its online classes at "Webcast"."""
    text = WITHOUT_LOCATION.format(title="Mindful Moment", description="Breathe.").replace(
        "URL;", "LOCATION:Webcast\nURL;"
    )
    _, (event,) = crawl_text(text, at(2026, 9, 1))
    assert event.attendance is Attendance.ONLINE
