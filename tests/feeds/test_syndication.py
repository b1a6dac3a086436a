"""Atom, JSON Feed 1.1 and CSV from events: read back by feedparser, the spec's fields, csv."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import feedparser
import pytest

from feeds.syndication import (
    CSV_COLUMNS,
    JSON_FEED_VERSION,
    SyndicationOptions,
    render_block,
    render_feed,
)
from service.model import Event, Kind, Status, Venue
from tests.factories import NOW, make_event


def options(format: str) -> SyndicationOptions:
    return SyndicationOptions(
        format=format,  # type: ignore[arg-type]
        name="Events within 25 km of Toronto",
        feed_url=f"https://meetscout.example/feeds/events.{format}?near=Toronto",
        home_url="https://meetscout.example/?near=Toronto",
        base_url="https://meetscout.example",
        updated_floor=NOW - timedelta(days=3),
    )


def stored(key: object, **fields: object) -> Event:
    """An event as the store returns it: first seen and updated."""
    values: dict[str, object] = {"first_seen": NOW - timedelta(days=2), "updated": NOW}
    values.update(fields)
    return make_event(key, **values)


def events() -> list[Event]:
    return [
        stored(
            "a",
            title="Health & Tech <Meetup>",
            kind=Kind.MEETUP,
            sectors=["health", "tech"],
            timezone="America/Toronto",
            organizer="Toronto Health Tech",
            url="https://example.org/a",
            venue=Venue(name="MaRS", city="Toronto", lat=43.66, lon=-79.39),
            description="Talks, then drinks.\x0bAll welcome.",
        ),
        stored("b", title='=HYPERLINK("http://evil")', status=Status.CANCELLED, days=3),
        stored("c", title="Café ☕ morning", is_free=True, days=5, updated=NOW - timedelta(days=9)),
    ]


def test_atom_reads_back_with_feedparser() -> None:
    parsed = feedparser.parse(render_feed(events(), options=options("atom")))

    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    assert parsed.feed.title == "Events within 25 km of Toronto"
    assert parsed.feed.updated == "2026-11-27T12:00:00Z"
    assert [entry.title for entry in parsed.entries] == [
        "Health & Tech <Meetup>",
        'Cancelled: =HYPERLINK("http://evil")',
        "Café ☕ morning",
    ]
    first = parsed.entries[0]
    assert first.id == f"https://meetscout.example/e/{events()[0].id}"
    assert first.link == first.id
    assert first.published == "2026-11-25T12:00:00Z"
    assert first.author == "Toronto Health Tech"
    assert [tag.term for tag in first.tags] == ["meetup", "health", "tech"]
    assert "Talks, then drinks.All welcome." in first.summary
    assert "MaRS, Toronto" in first.summary


def test_atom_feed_updated_is_the_floor_without_newer_events() -> None:
    old = [stored("old", updated=NOW - timedelta(days=30))]
    parsed = feedparser.parse(render_feed(old, options=options("atom")))
    assert parsed.feed.updated == "2026-11-24T12:00:00Z"
    empty = feedparser.parse(render_feed([], options=options("atom")))
    assert not empty.bozo
    assert empty.entries == []


def test_json_feed_has_the_spec_fields() -> None:
    feed = json.loads(render_feed(events(), options=options("json")))

    assert feed["version"] == JSON_FEED_VERSION
    assert feed["title"] == "Events within 25 km of Toronto"
    assert feed["feed_url"].startswith("https://meetscout.example/feeds/events.json")
    assert feed["home_page_url"] == "https://meetscout.example/?near=Toronto"
    assert len(feed["items"]) == 3
    for item in feed["items"]:
        assert isinstance(item["id"], str) and item["id"]
        assert item["content_text"]
        assert item["url"].startswith("https://meetscout.example/e/")
        for name in ("date_published", "date_modified"):
            assert item[name].endswith("Z")
    first = feed["items"][0]
    assert first["external_url"] == "https://example.org/a"
    assert first["authors"] == [{"name": "Toronto Health Tech"}]
    assert first["_meetscout"]["venue"]["lat"] == 43.66
    assert first["_meetscout"]["start"] == events()[0].start.isoformat()
    assert feed["items"][1]["_meetscout"]["status"] == "cancelled"


def test_csv_round_trips_through_the_csv_module() -> None:
    body = render_feed(events(), options=options("csv")).decode("utf-8")
    rows = list(csv.DictReader(io.StringIO(body, newline="")))

    assert list(rows[0]) == list(CSV_COLUMNS)
    assert [row["id"] for row in rows] == [event.id for event in events()]
    first = rows[0]
    assert first["title"] == "Health & Tech <Meetup>"
    assert first["sectors"] == "health;tech"
    assert float(first["lat"]) == 43.66 and float(first["lon"]) == -79.39
    assert first["start"] == events()[0].start.isoformat()
    assert rows[2]["is_free"] == "true"
    assert rows[2]["title"] == "Café ☕ morning"


def test_csv_cell_that_a_spreadsheet_would_run_is_quoted() -> None:
    body = render_feed(events(), options=options("csv")).decode("utf-8")
    rows = list(csv.DictReader(io.StringIO(body, newline="")))
    assert rows[1]["title"] == '\'=HYPERLINK("http://evil")'
    assert rows[0]["lon"] == "-79.39"


@pytest.mark.parametrize("format", ["atom", "json", "csv"])
def test_block_does_not_depend_on_the_moment_of_rendering(format: str) -> None:
    event = events()[0]
    first = render_block(event, now=NOW, options=options(format), why=["3.2 km away"])
    later = render_block(
        event, now=NOW + timedelta(days=40), options=options(format), why=["3.2 km away"]
    )
    assert first == later
    assert b"3.2 km away" in first.data


def test_options_refuse_an_unknown_format_and_a_non_web_url() -> None:
    with pytest.raises(ValueError, match="format"):
        SyndicationOptions(format="rss")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="feed_url"):
        SyndicationOptions(format="atom", feed_url="javascript:alert(1)")
