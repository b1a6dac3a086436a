"""The ``deadlines`` spider on LiGHT's health conference lists (ai-deadlines YAML).

Saved real files (``tests/fixtures/README.md``); the clock at the moment the
bundled recording is replayed.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from scrapy.http import Request, TextResponse

from crawlers.sources import Source
from crawlers.spiders.deadlines import DeadlinesSpider
from service.model import Attendance, Event, Kind
from tests.support.saved import file_response

NOW = datetime(2026, 8, 22, 2, 23, 29, tzinfo=UTC)


def read(name: str, **fields: object) -> tuple[DeadlinesSpider, list[Event]]:
    source = Source(name="light", type="deadlines", url="https://example.org/x.yaml", **fields)
    spider = DeadlinesSpider(source=source, now=NOW, days_back=3650, days_ahead=3650)
    return spider, list(spider.parse(file_response(f"health-conferences/{name}")))


def by_title(events: list[Event], title: str) -> Event:
    return next(event for event in events if event.title == title)


def test_parse_summit_fields() -> None:
    _, events = read("summits.yaml")
    hlth = by_title(events, "HLTH USA")

    assert hlth.start.date().isoformat() == "2026-11-15"
    assert hlth.end is not None and hlth.end.date().isoformat() == "2026-11-19"
    assert hlth.all_day
    assert hlth.kind is Kind.CONFERENCE
    assert hlth.sectors == ["healthcare", "technology"]  # sub: Health AI
    assert hlth.categories == ["Health AI"]
    assert hlth.venue.address == "Las Vegas, Nevada, USA"
    assert hlth.url == "https://hlth.com/events/usa/"
    assert hlth.attendance is Attendance.IN_PERSON
    assert hlth.description is not None and "Dates: November 15-18, 2026" in hlth.description


def test_parse_every_summit_with_dates_has_a_stable_id() -> None:
    spider, first = read("summits.yaml")
    _, second = read("summits.yaml")

    assert spider.report.found == 33
    assert len(first) == 33
    assert [event.id for event in first] == [event.id for event in second]
    assert len({event.id for event in first}) == 33


def test_parse_place_partly_online_is_mixed() -> None:
    _, events = read("summits.yaml")
    mixed = [event for event in events if event.attendance is Attendance.MIXED]

    assert [event.venue.address for event in mixed] == ["Nairobi, Kenya & Worldwide Online"]


def test_parse_workshops_record_without_dates_is_counted() -> None:
    spider, events = read("workshops.yaml")

    assert spider.report.dropped == {"no_dates": 1}
    assert len(events) == 11
    assert {event.kind for event in events} == {Kind.WORKSHOP}


@pytest.mark.parametrize(
    ("body", "reason"),
    [(b"title: [unclosed", "bad_yaml"), (b"title: not a list\n", "bad_yaml")],
)
def test_parse_not_a_list_of_records_is_a_counted_failure(body: bytes, reason: str) -> None:
    source = Source(name="light", type="deadlines", url="https://example.org/x.yaml")
    spider = DeadlinesSpider(source=source, now=NOW)
    url = "https://example.org/x.yaml"
    response = TextResponse(url=url, body=body, request=Request(url))

    assert list(spider.parse(response)) == []
    assert spider.report.errors == {reason: 1}
