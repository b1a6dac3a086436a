"""The ``ics`` spider on the local calendars of the bundled recording, one quirk per test.

Every feed is a real file of community-calendar's recording of 2026-08-22
(``tests/fixtures/README.md``), read as a calendar app reads it.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path

import pytest

from crawlers.ical_quirks import resolve_tzid
from crawlers.sources import Source
from crawlers.spiders.ics import IcsSpider
from service.model import Event, Status
from service.settings import Settings
from service.store import EventQuery, EventStore, make_engine
from tests.support.crawling import crawl
from tests.support.saved import FIXTURES, file_response

RECORDED = datetime(2026, 8, 22, 2, 23, 29, tzinfo=UTC)
"""When community-calendar archived these files."""
LOCAL = "community-calendar"


def read(feed: str, **fields: object) -> tuple[IcsSpider, list[Event]]:
    source = Source(name="local", type="ics", url="https://example.org/feed.ics", **fields)
    spider = IcsSpider(source=source, now=RECORDED)
    return spider, list(spider.parse(file_response(f"{LOCAL}/{feed}")))


def local(event: Event) -> str:
    return event.local_start().strftime("%Y-%m-%d %H:%M %z")


@pytest.mark.parametrize(
    ("name", "zone"),
    [
        ("Eastern Time (US & Canada)", "America/New_York"),
        ("Indiana (East)", "America/Indiana/Indianapolis"),
    ],
)
def test_resolve_bare_rails_zone_names(name: str, zone: str) -> None:
    assert resolve_tzid(name) == zone


def test_parse_windows_zone_name_in_x_wr_timezone_shows_local_times() -> None:
    # Localist's icalendar-ruby: X-WR-TIMEZONE:Eastern Time (US & Canada), times in UTC.
    _, events = read("raleighdurham/calendar_group_gregg_museum_of_art_design.ics")
    sale = next(event for event in events if event.title == "Poster Invasion Sale")

    assert {event.timezone for event in events} == {"America/New_York"}
    assert sale.start == datetime(2026, 8, 15, 13, tzinfo=UTC)  # DTSTART:20260815T130000Z
    assert local(sale) == "2026-08-15 09:00 -0400"


def test_parse_tockify_p15m_keeps_the_calendar_and_its_zone(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # REFRESH-INTERVAL:P15M fails the whole calendar in icalendar 7.3.2.
    with caplog.at_level(logging.WARNING):
        spider, events = read("toronto/tockify_jamaalmyers.ics")

    assert len(events) == spider.report.found == 6
    assert {event.timezone for event in events} == {"America/Toronto"}
    assert spider.report.outcome.value == "ok"
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1
    assert "REFRESH-INTERVAL" in warnings[0]
    assert all(record.exc_info is None for record in caplog.records)


def test_parse_feed_in_another_zone_than_the_place_shows_it_in_the_place() -> None:
    # A New Jersey chamber's GrowthZone events, written in Los Angeles time.
    _, events = read(
        "montclair/north_essex_chamber.ics",
        timezone="America/New_York",
        location={"city": "Montclair", "region": "NJ", "country": "US"},
    )
    seminar = next(event for event in events if event.title.startswith("AI For Small Business"))

    assert seminar.timezone == "America/New_York"
    assert seminar.start == datetime(2026, 9, 24, 0, 30, tzinfo=UTC)  # 17:30 in Los Angeles
    assert local(seminar) == "2026-09-23 20:30 -0400"


def test_parse_html_served_as_ics_is_one_counted_line(caplog: pytest.LogCaptureFixture) -> None:
    # A Cloudflare "Just a moment..." page saved under a .ics name.
    with caplog.at_level(logging.INFO):
        spider, events = read("toronto/culturelink.ics")

    assert events == []
    assert spider.report.errors == {"bad_feed": 1}
    assert spider.report.outcome.value == "failed"
    lines = [record for record in caplog.records if record.levelno >= logging.WARNING]
    assert len(lines) == 1
    assert lines[0].exc_info is None
    assert "not an iCalendar feed" in lines[0].getMessage()


def test_crawl_feed_cut_at_ten_keeps_events_beyond_the_cut(
    tmp_path: Path, settings: Settings
) -> None:
    # Meetup lists a group's next 10 events: when the cut moves, the last
    # event drops out of the feed without having been cancelled.
    feed = (FIXTURES / LOCAL / "asheville/meetup_avltech.ics").read_bytes()
    last = feed.rindex(b"BEGIN:VEVENT")
    end = feed.index(b"END:VEVENT", last) + len(b"END:VEVENT\r\n")
    settings.sources.write_text('[[source]]\nname = "avltech"\ntype = "ics"\nurl = "m.ics"\n')
    (tmp_path / "m.ics").write_bytes(feed)
    assert crawl(settings, RECORDED)["avltech"]["stored"] == 10

    (tmp_path / "m.ics").write_bytes(feed[:last] + feed[end:])
    crawl(settings, RECORDED)
    crawl(settings, RECORDED)

    engine = make_engine(settings.database_url)
    events = EventStore(engine).search(query=EventQuery(sources=["avltech"]))
    engine.dispose()
    assert len(events) == 10
    assert {event.status for event in events} == {Status.SCHEDULED}
