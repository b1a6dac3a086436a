"""Ids come from the source's identity and survive a change of time."""

from __future__ import annotations

from datetime import UTC, datetime

from scrapy.http import Request, TextResponse

from crawlers.sources import Source
from crawlers.spiders.ics import IcsSpider
from service.model import make_event_id

FEED = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n"
    "BEGIN:VEVENT\r\nUID:single@example.org\r\nDTSTAMP:20261101T000000Z\r\n"
    "DTSTART:{start}\r\nDTEND:{end}\r\nSUMMARY:Career fair\r\nEND:VEVENT\r\n"
    "BEGIN:VEVENT\r\nUID:weekly@example.org\r\nDTSTAMP:20261101T000000Z\r\n"
    "DTSTART:20261202T180000Z\r\nDTEND:20261202T200000Z\r\nRRULE:FREQ=WEEKLY;COUNT=3\r\n"
    "SUMMARY:Python meetup\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
)
NOW = datetime(2026, 11, 27, tzinfo=UTC)


def parse(start: str, end: str) -> dict[str, list[str]]:
    spider = IcsSpider(source=Source(name="s", type="ics", url="https://x.example/f.ics"), now=NOW)
    body = FEED.format(start=start, end=end).encode()
    response = TextResponse(
        url="https://x.example/f.ics", body=body, request=Request("https://x.example/f.ics")
    )
    ids: dict[str, list[str]] = {}
    for event in spider.parse(response):
        ids.setdefault(event.title, []).append(event.id)
    return ids


def test_single_event_moved_keeps_its_id() -> None:
    before = parse("20261210T170000Z", "20261210T190000Z")
    after = parse("20261211T170000Z", "20261211T190000Z")
    assert before["Career fair"] == after["Career fair"]
    assert before["Career fair"] == [make_event_id("s", "single@example.org")]


def test_series_occurrences_get_distinct_stable_ids() -> None:
    first = parse("20261210T170000Z", "20261210T190000Z")["Python meetup"]
    second = parse("20261211T170000Z", "20261211T190000Z")["Python meetup"]
    assert len(first) == len(set(first)) == 3
    assert first == second
