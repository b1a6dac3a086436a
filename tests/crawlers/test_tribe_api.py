"""``tribe_api``: The Events Calendar's REST API, read from a saved real page of beltline.org."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import scrapy

from crawlers.sources import Source
from crawlers.spiders.tribe_api import TribeApiSpider
from service.model import Attendance, Event
from service.settings import Settings
from service.store import EventQuery, EventStore, make_engine
from tests.support.crawling import crawl as crawl_in_a_process
from tests.support.saved import FIXTURES, file_response
from tests.support.serving import serving

SAVED = "tribe-api/beltline-rest-api-events-page-1.json"
URL = "https://beltline.org/wp-json/tribe/events/v1/events"
NOW = datetime(2022, 8, 9, 12, 0, tzinfo=UTC)


def spider(**fields: object) -> TribeApiSpider:
    source = Source(name="beltline", type="tribe_api", url=URL, **fields)  # type: ignore[arg-type]
    return TribeApiSpider(source=source, now=NOW)


def crawl(crawler: TribeApiSpider) -> tuple[list[Event], list[scrapy.Request]]:
    out = list(crawler.parse(file_response(SAVED, url=f"{URL}?page=1")))
    return [x for x in out if isinstance(x, Event)], [
        x for x in out if isinstance(x, scrapy.Request)
    ]


def test_the_first_request_asks_for_the_crawl_window() -> None:
    query = parse_qs(urlsplit(spider().first_url()).query)
    assert query["start_date"] == ["2022-08-02"]
    assert query["end_date"] == ["2023-08-09"]
    assert query["per_page"] == ["50"]


def test_every_event_of_the_page_is_read() -> None:
    crawler = spider()
    events, _ = crawl(crawler)
    assert len(events) == 24
    assert crawler.report.found == 24 and not crawler.report.dropped


def test_times_are_the_utc_instants_in_the_events_zone() -> None:
    events, _ = crawl(spider())
    board = next(
        e for e in events if e.title == "Atlanta BeltLine, Inc. Board of Directors Meeting"
    )
    assert board.start == datetime(2022, 8, 10, 12, 30, tzinfo=UTC)
    assert board.start.isoformat() == "2022-08-10T08:30:00-04:00"
    assert board.timezone == "America/New_York"
    assert board.end == datetime(2022, 8, 10, 14, 0, tzinfo=UTC)


def test_venue_organiser_categories_and_cost() -> None:
    events, _ = crawl(spider())
    yoga = next(e for e in events if e.title.startswith("Self-ies Yoga"))
    assert yoga.venue.name == "Grant Park (Parking Deck)"
    assert yoga.venue.address == "718 Boulevard Southeast"
    assert (yoga.venue.city, yoga.venue.region) == ("Atlanta", "GA")
    assert yoga.venue.country == "United States"
    assert yoga.organizer == "Atlanta BeltLine Partnership"
    assert yoga.is_free is True
    assert yoga.url is not None and yoga.url.startswith("https://beltline.org/event/")


def test_html_entities_are_text_and_a_virtual_venue_is_online() -> None:
    events, _ = crawl(spider())
    assert any(e.venue.name == "Lee & White" for e in events)
    board = next(
        e for e in events if e.title == "Atlanta BeltLine, Inc. Board of Directors Meeting"
    )
    assert board.attendance == Attendance.ONLINE
    assert board.categories == ["ABI Board Meetings"]


def test_the_next_page_is_followed_on_the_same_host_within_max_pages() -> None:
    _, requests = crawl(spider())
    assert [r.url for r in requests] == [
        "https://beltline.org/wp-json/tribe/events/v1/events/?per_page=24&start_date=2022-08-10"
        "+00%3A00%3A00&end_date=2024-08-11+23%3A59%3A59&status=publish&page=2"
    ]
    limited = spider(max_pages=1)
    _, requests = crawl(limited)
    assert requests == []
    assert limited.report.partial_reason == "stopped at max_pages (1): the calendar goes on"


def test_ids_are_stable_and_distinct() -> None:
    first, _ = crawl(spider())
    again, _ = crawl(spider())
    assert [e.id for e in first] == [e.id for e in again]
    assert len({e.id for e in first}) == 24


@pytest.mark.parametrize(
    ("body", "reason"),
    [(b"<html>not json</html>", "bad_json"), (b'{"error": "rest_forbidden"}', "bad_json")],
)
def test_an_answer_that_is_not_the_api_is_a_counted_failure(body: bytes, reason: str) -> None:
    crawler = spider()
    response = file_response(SAVED, url=URL).replace(body=body)
    assert list(crawler.parse(response)) == []
    assert crawler.report.errors[reason] == 1


def test_a_record_without_a_readable_date_is_dropped_and_counted() -> None:
    data = json.loads((FIXTURES / SAVED).read_bytes())
    data["events"][0]["utc_start_date"] = "next Tuesday"
    data["next_rest_url"] = None
    crawler = spider()
    response = file_response(SAVED, url=URL).replace(body=json.dumps(data).encode())
    events = [x for x in crawler.parse(response) if isinstance(x, Event)]
    assert len(events) == 23
    assert crawler.report.dropped["bad_date"] == 1


def test_a_tribe_api_source_is_crawled_into_the_store(tmp_path: Path) -> None:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'crawl.db'}", sources=tmp_path / "sources.toml"
    )
    with serving(FIXTURES / "tribe-api") as base:
        settings.sources.write_text(
            f'[[source]]\nname = "beltline"\ntype = "tribe_api"\n'
            f'url = "{base}/beltline-rest-api-events-page-1.json"\n'
        )
        reports = crawl_in_a_process(settings, now=NOW)
    assert reports["beltline"]["outcome"] == "ok", reports
    assert reports["beltline"]["stored"] == 24
    engine = make_engine(settings.database_url)
    try:
        stored = EventStore(engine).search(query=EventQuery())
    finally:
        engine.dispose()
    assert {event.source for event in stored} == {"beltline"}


def test_a_venue_placed_far_from_the_source_keeps_the_source_place() -> None:
    # The saved page, one event's venue coordinates moved to Illinois: the source's place
    # is Atlanta and the address names no town there, so they are left out and counted.
    data = json.loads((FIXTURES / SAVED).read_bytes())
    placed = [
        e for e in data["events"] if isinstance(e["venue"], dict) and e["venue"].get("geo_lat")
    ]
    moved, kept = placed[0], placed[-1]
    moved["venue"] = {**moved["venue"], "geo_lat": 40.618495, "geo_lng": -89.464654}
    data["next_rest_url"] = None
    crawler = spider(location={"city": "Atlanta", "region": "GA", "lat": 33.749, "lon": -84.388})
    response = file_response(SAVED, url=URL).replace(body=json.dumps(data).encode())
    events = {e.url: e for e in crawler.parse(response) if isinstance(e, Event)}

    far, near = events[moved["url"]].venue, events[kept["url"]].venue
    assert (far.lat, far.lon) == (33.749, -84.388)
    assert (near.lat, near.lon) == (
        float(kept["venue"]["geo_lat"]),
        float(kept["venue"]["geo_lng"]),
    )
    assert crawler.report.dropped["coordinates_far_off"] == 1
