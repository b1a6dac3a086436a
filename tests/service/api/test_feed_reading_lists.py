"""``/feeds/events.atom``, ``.json`` and ``.csv``: the iCalendar feed's search, plan and caching."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import feedparser
import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from service.model import Venue
from service.settings import Settings
from service.store import EventStore
from tests.factories import NOW, make_event
from tests.support.ical import check_feed

IDENTITY = {"Accept-Encoding": "identity"}
FORMATS = ("atom", "json", "csv")


def ids_in(format: str, body: bytes) -> list[str]:
    """The event ids a reading list holds, in its order."""
    if format == "atom":
        parsed = feedparser.parse(body)
        assert not parsed.bozo, parsed.get("bozo_exception")
        return [entry.id.rsplit("/", 1)[1] for entry in parsed.entries]
    if format == "json":
        return [item["id"] for item in json.loads(body)["items"]]
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8"), newline="")))
    return [row["id"] for row in rows]


def ics_ids(client: TestClient, params: dict[str, str]) -> list[str]:
    calendar = check_feed(client.get("/feeds/events.ics", params=params).content)
    return [str(event["UID"]).split("@")[0] for event in calendar.walk("VEVENT")]


@pytest.mark.parametrize("format", FORMATS)
@pytest.mark.parametrize(
    "params",
    [{}, {"kind": "conference"}, {"q": "python"}, {"near": "Berlin", "radius_km": "50"}],
)
def test_reading_list_holds_the_events_of_the_calendar_feed(
    client: TestClient, format: str, params: dict[str, str]
) -> None:
    response = client.get(f"/feeds/events.{format}", params=params)

    assert response.status_code == 200
    assert ids_in(format, response.content) == ics_ids(client, params)


def test_reading_lists_are_not_empty_over_the_saved_events(client: TestClient) -> None:
    assert len(ics_ids(client, {})) > 10


@pytest.mark.parametrize(
    ("format", "media_type"),
    [
        ("atom", "application/atom+xml; charset=utf-8"),
        ("json", "application/feed+json; charset=utf-8"),
        ("csv", "text/csv; charset=utf-8; header=present"),
    ],
)
def test_reading_list_headers(client: TestClient, format: str, media_type: str) -> None:
    response = client.get(f"/feeds/events.{format}", headers=IDENTITY)

    assert response.headers["content-type"] == media_type
    assert response.headers["cache-control"] == "public, max-age=21600"
    assert response.headers["etag"].startswith('"')
    assert "last-modified" in response.headers


@pytest.mark.parametrize("format", FORMATS)
def test_reading_list_answers_304_to_its_etag_and_last_modified(
    client: TestClient, format: str
) -> None:
    url = f"/feeds/events.{format}"
    first = client.get(url, headers=IDENTITY)
    again = client.get(url, headers={**IDENTITY, "If-None-Match": first.headers["etag"]})
    since = client.get(
        url, headers={**IDENTITY, "If-Modified-Since": first.headers["last-modified"]}
    )

    assert again.status_code == 304
    assert again.content == b""
    assert since.status_code == 304
    assert client.get(url, headers=IDENTITY).content == first.content


def test_each_format_has_its_own_etag(client: TestClient) -> None:
    tags = {
        client.get(f"/feeds/events.{format}", headers=IDENTITY).headers["etag"]
        for format in (*FORMATS, "ics")
    }
    assert len(tags) == 4


@pytest.mark.parametrize("format", FORMATS)
def test_reading_list_gzip_and_head(client: TestClient, format: str) -> None:
    url = f"/feeds/events.{format}"
    plain = client.get(url, headers=IDENTITY)
    zipped = client.get(url, headers={"Accept-Encoding": "gzip"})
    head = client.head(url, headers=IDENTITY)

    assert zipped.headers["content-encoding"] == "gzip"
    assert zipped.content == plain.content
    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["etag"] == plain.headers["etag"]


@pytest.mark.parametrize("format", FORMATS)
def test_reading_list_bad_filter_is_422_naming_it(client: TestClient, format: str) -> None:
    response = client.get(f"/feeds/events.{format}", params={"sector": "astrology"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "sector"]


def test_atom_links_to_itself_and_to_the_search_page(client: TestClient) -> None:
    parsed = feedparser.parse(
        client.get("/feeds/events.atom", params={"near": "Berlin", "new": "1"}).content
    )
    links = {link.rel: link.href for link in parsed.feed.links}
    assert links["self"] == "http://testserver/feeds/events.atom?near=Berlin&radius_km=25&new=1"
    assert links["alternate"] == "http://testserver/?near=Berlin&radius_km=25"
    assert parsed.feed.title == "New: Events within 25 km of Berlin"


# What is new since last week


@pytest.fixture
def aged(settings: Settings, store: EventStore) -> TestClient:
    """Two events first seen a month ago, two first seen three days ago (both near Berlin)."""
    berlin = Venue(city="Berlin", country="Germany", lat=52.52, lon=13.405)
    old = [
        make_event(f"old-{n}", days=n + 1, venue=berlin, timezone="Europe/Berlin") for n in (1, 2)
    ]
    new = [
        make_event(f"new-{n}", days=n + 2, venue=berlin, timezone="Europe/Berlin") for n in (1, 2)
    ]
    store.upsert_many(old, now=NOW - timedelta(days=30))
    store.upsert_many([*new, *old], now=NOW - timedelta(days=3))
    return TestClient(create_app(settings, clock=lambda: NOW))


@pytest.mark.parametrize("format", [*FORMATS, "ics"])
@pytest.mark.parametrize("params", [{}, {"near": "Berlin"}])
def test_new_keeps_the_events_first_seen_in_the_last_week(
    aged: TestClient, format: str, params: dict[str, str]
) -> None:
    every = aged.get(f"/feeds/events.{format}", params=params)
    new = aged.get(f"/feeds/events.{format}", params={**params, "new": "1"})
    if format == "ics":
        count = len(check_feed(every.content).walk("VEVENT"))
        titles = [str(event["SUMMARY"]) for event in check_feed(new.content).walk("VEVENT")]
        assert count == 4
        assert sorted(titles) == ["Event new-1", "Event new-2"]
        return
    new_ids = ids_in(format, new.content)
    assert len(ids_in(format, every.content)) == 4
    assert len(new_ids) == 2
    assert set(new_ids) == {make_event("new-1").id, make_event("new-2").id}
    assert new.headers["etag"] != every.headers["etag"]
