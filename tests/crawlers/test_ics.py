"""The ``ics`` spider on saved real feeds, with a frozen clock."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from crawlers.sources import Source
from crawlers.spiders.ics import IcsSpider
from service.model import Attendance, Kind, Status
from tests.factories import NOW
from tests.support.saved import file_response


def make_spider(name: str = "test-feed", now: datetime = NOW, **fields: object) -> IcsSpider:
    source = Source(name=name, type="ics", url="https://example.org/feed.ics", **fields)
    return IcsSpider(source=source, now=now)


def crawl(fixture: str, **fields: object) -> tuple[IcsSpider, list]:
    spider = make_spider(**fields)
    return spider, list(spider.parse(file_response(f"ics/{fixture}")))


@pytest.fixture(scope="module")
def finos() -> tuple[IcsSpider, list]:
    return crawl("google-finos-community-calendar-large.ics", kind="meetup", sectors=("finance",))


def test_parse_finos_expands_recurrences_inside_window(finos) -> None:
    spider, events = finos
    assert len(events) == 577
    assert all(spider.window_start <= e.effective_end for e in events)
    assert all(e.start <= spider.window_end for e in events)


def test_parse_finos_gives_unique_ids(finos) -> None:
    _, events = finos
    assert len({e.id for e in events}) == len(events)


def test_parse_finos_keeps_zone_and_local_time(finos) -> None:
    _, events = finos
    kdb = next(e for e in events if e.title == "KDB Project call")
    assert kdb.timezone == "America/New_York"
    assert kdb.local_start().strftime("%H:%M") == "09:30"
    assert kdb.local_end().strftime("%H:%M") == "10:30"
    assert kdb.start.tzinfo == ZoneInfo("America/New_York")


def test_parse_finos_applies_source_defaults(finos) -> None:
    _, events = finos
    assert {e.kind for e in events} == {Kind.MEETUP}
    assert all(e.sectors == ["finance"] for e in events)
    assert all(e.source == "test-feed" for e in events)


def test_parse_finos_webex_location_is_online(finos) -> None:
    _, events = finos
    kdb = next(e for e in events if e.title == "KDB Project call")
    assert kdb.attendance is Attendance.ONLINE
    assert kdb.url and kdb.url.startswith("https://finos.webex.com/")


def test_parse_ids_stable_across_crawls(finos) -> None:
    _, first = finos
    _, second = crawl(
        "google-finos-community-calendar-large.ics", kind="meetup", sectors=("finance",)
    )
    assert [e.id for e in first] == [e.id for e in second]


def test_parse_cancelled_instance_kept_as_cancelled() -> None:
    then = datetime(2020, 1, 27, tzinfo=ZoneInfo("UTC"))
    spider = make_spider(now=then)
    events = list(spider.parse(file_response("ics/thunderbird-cancelled-instance.ics")))
    by_day = {e.local_start().date().isoformat(): e for e in events}
    assert by_day["2020-01-29"].status is Status.CANCELLED
    assert by_day["2020-01-28"].status is Status.SCHEDULED


def test_parse_moved_instance_keeps_its_series_id() -> None:
    then = datetime(2021, 11, 20, tzinfo=ZoneInfo("UTC"))
    spider = make_spider(now=then)
    events = list(spider.parse(file_response("ics/google-moved-recurring-instance.ics")))
    moved = [e for e in events if e.local_start().date().isoformat() == "2021-12-17"]
    assert len(moved) == 1
    assert len({e.id for e in events}) == len(events)


def test_parse_floating_times_use_the_feeds_only_zone() -> None:
    then = datetime(2024, 6, 1, tzinfo=ZoneInfo("UTC"))
    spider = make_spider(now=then)
    events = list(spider.parse(file_response("ics/gdg-toulouse-tech-hub-meetups.ics")))
    assert events
    assert {e.timezone for e in events} == {"Europe/Paris"}


def test_parse_floating_times_prefer_the_sources_zone() -> None:
    then = datetime(2024, 6, 1, tzinfo=ZoneInfo("UTC"))
    spider = make_spider(now=then, timezone="Europe/London")
    events = list(spider.parse(file_response("ics/gdg-toulouse-tech-hub-meetups.ics")))
    assert {e.timezone for e in events} == {"Europe/London"}


def test_parse_html_served_as_ics_fails_the_source() -> None:
    spider, events = crawl("broken-feed-html-login-page-served-as-ics.ics")
    assert events == []
    assert spider.report.outcome.value == "failed"
    assert "BEGIN:VCALENDAR" in (spider.report.last_error or "")


def test_parse_empty_calendar_is_ok_with_no_events() -> None:
    spider, events = crawl("outlook-live-empty-calendar.ics")
    assert events == []
    assert spider.report.outcome.value == "ok"


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"", "empty response"),
        (b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:1\r\nDTSTART:2026", "truncated"),
        (b'{"events": []}', "not an iCalendar feed"),
    ],
)
def test_parse_bad_body_is_counted_not_raised(body: bytes, reason: str) -> None:
    from scrapy.http import Request, TextResponse

    spider = make_spider()
    response = TextResponse(
        url="https://example.org/feed.ics",
        body=body,
        request=Request("https://example.org/feed.ics"),
    )
    assert list(spider.parse(response)) == []
    assert reason in (spider.report.last_error or "")
    assert spider.report.errors["bad_feed"] == 1


def test_parse_finos_occurrences_of_a_series_share_it(finos) -> None:
    _, events = finos
    kdb = [e for e in events if e.title == "KDB Project call"]
    families = {e.details["series"] for e in kdb}
    assert len(families) < len(kdb)
    assert all(sum(e.details["series"] == f for e in kdb) > 1 for f in families)
    singles = [e for e in events if "series" not in e.details]
    assert all(e.title != "KDB Project call" for e in singles)
