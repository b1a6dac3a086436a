"""The ``confs_tech`` spider on saved files of the real dataset."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest

from crawlers.sources import Source
from crawlers.spiders.confs_tech import ConfsTechSpider
from service.model import Attendance, Event, Kind, merge_events
from tests.factories import NOW
from tests.support.saved import FIXTURES, file_response


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


FILES = [
    ("2020/dotnet.json", "dotnet"),
    ("2026/data.json", "data"),
    ("2026/general.json", "general"),
    ("2026/javascript.json", "javascript"),
    ("2026/python.json", "python"),
    ("2027/general.json", "general"),
]


def pairs() -> list[tuple[Event, dict[str, Any]]]:
    """Every event of the saved files next to the record it came from."""
    found: list[tuple[Event, dict[str, Any]]] = []
    for relative, topic in FILES:
        records = json.loads((FIXTURES / "confs-tech" / relative).read_bytes())
        events = parse(relative, topic)
        assert len(events) == len(records)
        found.extend(zip(events, records, strict=True))
    return found


def with_field(name: str) -> list[tuple[Event, dict[str, Any]]]:
    chosen = [(event, record) for event, record in pairs() if name in record]
    assert chosen, f"the saved files have records with {name}"
    return chosen


def test_parse_name_is_the_title() -> None:
    assert all(event.title == record["name"].strip() for event, record in pairs())


def test_parse_url_is_the_url() -> None:
    assert all(event.url == record["url"].strip() for event, record in pairs())


def test_parse_start_date_is_the_first_local_day() -> None:
    for event, record in pairs():
        assert event.all_day
        assert event.local_start().date() == date.fromisoformat(record["startDate"])
        assert event.local_start().strftime("%H:%M") == "00:00"


def test_parse_city_without_state_has_no_region() -> None:
    plain = [(event, record) for event, record in with_field("city") if "," not in record["city"]]

    assert plain, "the saved files have cities without a state"
    for event, record in plain:
        assert (event.venue.city, event.venue.region) == (record["city"].strip(), None)


def test_parse_country_stays_as_the_dataset_writes_it() -> None:
    countries = {event.venue.country for event, _ in with_field("country")}
    assert {"U.S.A.", "U.K.", "Germany"} <= countries
    assert all(event.venue.country == record["country"] for event, record in with_field("country"))


def test_parse_online_without_place_has_no_venue() -> None:
    online = [
        (event, record)
        for event, record in with_field("online")
        if record["online"] and not record.get("city")
    ]

    assert online, "the saved files have online-only conferences"
    for event, _ in online:
        assert event.attendance is Attendance.ONLINE
        assert event.venue.city is None and event.venue.country is None


def test_parse_locales_go_to_details() -> None:
    for event, record in with_field("locales"):
        assert event.details["locales"] == record["locales"].replace(" ", "").upper()


@pytest.mark.parametrize(
    ("field", "key"),
    [
        ("cfpUrl", "cfp_url"),
        ("cocUrl", "coc_url"),
        ("twitter", "twitter"),
        ("mastodon", "mastodon"),
        ("bluesky", "bluesky"),
    ],
)
def test_parse_text_field_goes_to_details_as_given(field: str, key: str) -> None:
    for event, record in with_field(field):
        assert event.details[key] == record[field].strip()
    absent = [event for event, record in pairs() if field not in record]
    assert all(key not in event.details for event in absent)


def test_parse_cfp_end_date_goes_to_details() -> None:
    for event, record in with_field("cfpEndDate"):
        assert event.details["cfp_end_date"] == record["cfpEndDate"]


def test_parse_sign_language_or_captions_goes_to_details() -> None:
    for event, record in with_field("offersSignLanguageOrCC"):
        flag = "true" if record["offersSignLanguageOrCC"] else "false"
        assert event.details["sign_language_or_captions"] == flag


def test_parse_github_goes_to_details() -> None:
    # The validator allows github but no saved record has it, so this record is minimal.
    record = {
        "name": "Open Source Summit",
        "url": "https://oss.example",
        "startDate": "2026-12-01",
        "endDate": "2026-12-02",
        "online": True,
        "github": "https://github.com/oss-summit",
    }
    event = make_spider().parse_record(record, topic="opensource", file_url="https://x/o.json")
    assert event.details["github"] == "https://github.com/oss-summit"
    assert "GitHub: https://github.com/oss-summit" in (event.description or "")


def test_parse_topic_becomes_category_and_topics_detail() -> None:
    events = parse("2026/javascript.json", "javascript")
    assert all(e.categories == ["javascript"] for e in events)
    assert all(e.details["topics"] == "javascript" for e in events)


def test_parse_topics_of_one_conference_merge_across_files() -> None:
    spider = make_spider()
    data = {e.id: e for e in parse("2026/data.json", "data", spider)}
    python = {e.id: e for e in parse("2026/python.json", "python", spider)}
    shared = sorted(data.keys() & python.keys())
    assert len(shared) == 2
    merged = [merge_events(data[key], python[key]) for key in shared]
    assert all(event.categories == ["data", "python"] for event in merged)
    assert all(event.details["topics"] == "data,python" for event in merged)


def test_parse_description_stays_human_readable() -> None:
    for event, record in with_field("cfpUrl"):
        until = f" until {record['cfpEndDate']}" if "cfpEndDate" in record else ""
        assert f"Call for papers{until}: {record['cfpUrl']}" in (event.description or "")


def test_parse_record_with_only_required_fields_has_only_its_topic() -> None:
    record = {"name": "Minimal", "url": "https://m.example", "startDate": "2026-12-01"}
    event = make_spider().parse_record(
        {**record, "endDate": "2026-12-01", "cfpEndDate": "2026-13-40"},
        topic="general",
        file_url="https://x/g.json",
    )
    assert event.details == {"topics": "general"}
    assert event.description is None
