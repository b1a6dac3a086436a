"""The ``confs_tech`` spider on saved files of the real dataset."""

from __future__ import annotations

import json
from datetime import date

from crawlers.sources import Source
from crawlers.spiders.confs_tech import ConfsTechSpider
from service.model import Attendance, Kind
from tests.conftest import FIXTURES, NOW, file_response


def make_spider(**fields: object) -> ConfsTechSpider:
    source = Source(
        name="confs-tech", type="confs_tech", url="https://example.org/conferences", **fields
    )
    return ConfsTechSpider(source=source, now=NOW)


def parse(relative: str, topic: str, spider: ConfsTechSpider | None = None) -> list:
    spider = spider or make_spider()
    return list(spider.parse(file_response(f"confs-tech/{relative}"), topic=topic))


def test_parse_python_2026_maps_every_record() -> None:
    records = json.loads((FIXTURES / "confs-tech/2026/python.json").read_bytes())
    events = parse("2026/python.json", "python")
    assert len(events) == len(records)
    first, record = events[0], records[0]
    assert first.title == record["name"]
    assert first.url == record["url"]
    assert first.all_day is True
    assert first.local_start().date() == date.fromisoformat(record["startDate"])
    assert first.kind is Kind.CONFERENCE
    assert first.categories == ["python"]


def test_parse_end_is_exclusive_day_after_last_day() -> None:
    records = json.loads((FIXTURES / "confs-tech/2026/python.json").read_bytes())
    events = parse("2026/python.json", "python")
    for event, record in zip(events, records, strict=True):
        last = date.fromisoformat(record["endDate"])
        assert (event.local_end().date() - last).days == 1


def test_parse_us_city_splits_state_into_region() -> None:
    events = parse("2026/general.json", "general")
    us = [e for e in events if e.venue.region]
    assert us, "the general file lists US conferences"
    assert all("," not in (e.venue.city or "") for e in us)


def test_parse_online_and_hybrid_attendance() -> None:
    records = json.loads((FIXTURES / "confs-tech/2026/general.json").read_bytes())
    events = parse("2026/general.json", "general")
    for event, record in zip(events, records, strict=True):
        if record.get("online") and record.get("city"):
            assert event.attendance is Attendance.MIXED
        elif record.get("online"):
            assert event.attendance is Attendance.ONLINE
        else:
            assert event.attendance is Attendance.IN_PERSON


def test_parse_same_conference_in_two_topics_has_one_id() -> None:
    spider = make_spider()
    python = parse("2026/python.json", "python", spider)
    general = parse("2026/general.json", "general", spider)
    shared = {e.id for e in python} & {e.id for e in general}
    names_py = {e.title for e in python}
    names_general = {e.title for e in general}
    assert len(shared) == len(names_py & names_general)


def test_parse_bad_records_are_dropped_and_counted() -> None:
    from scrapy.http import Request, TextResponse

    body = json.dumps(
        [
            {"name": "No dates", "url": "https://a.example"},
            {
                "name": "Bad date",
                "url": "https://b.example",
                "startDate": "2026-13-01",
                "endDate": "2026-13-02",
            },
            "not an object",
            {
                "name": "Good",
                "url": "https://c.example",
                "startDate": "2026-12-01",
                "endDate": "2026-12-02",
                "city": "Berlin",
                "country": "Germany",
            },
        ]
    ).encode()
    spider = make_spider()
    response = TextResponse(
        url="https://example.org/2026/x.json",
        body=body,
        request=Request("https://example.org/2026/x.json"),
    )
    events = list(spider.parse(response, topic="x"))
    assert [e.title for e in events] == ["Good"]
    assert spider.report.dropped == {"missing_required_field": 2, "bad_date": 1}


def test_parse_not_json_fails_the_file() -> None:
    spider = make_spider()
    events = list(spider.parse(file_response("ics/outlook-live-empty-calendar.ics"), topic="x"))
    assert events == []
    assert spider.report.errors["bad_json"] == 1


def test_years_default_to_this_year_and_next() -> None:
    assert make_spider().years() == (2026, 2027)
    assert make_spider(years=(2025,)).years() == (2025,)
