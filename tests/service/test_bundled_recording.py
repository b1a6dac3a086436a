"""The bundled recording, as a newcomer's ``make run`` serves it.

The real default ``sources.toml`` is crawled into a temporary store at the
moment ``make run`` replays (``RECORDING_AT`` of the Makefile), in a process
of its own; then the searches a newcomer makes near each bundled city must
find in-person events in at least six sectors, each ranked with its reasons,
and every face must say that it shows a recording.

What each city's recording holds decides what its search can find: the
publishers of Toronto, Asheville and the Triangle listed no career fair on
the day it was recorded, and only Bloomington's listed a library session
for job seekers (``data/snapshot/README.md``). The whole bundle has every
kind of event the product promises.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

import pytest
from fastapi.testclient import TestClient
from icalendar import Calendar
from typer.testing import CliRunner

from service.app import create_app
from service.cli.main import app as cli
from service.model import Attendance, Event, Kind, Status
from service.search import SearchRequest, SearchResult, point_of, resolve_place, search
from service.settings import BUNDLE, Settings
from service.store import EventStore, make_engine
from service.text.recording import recorded_when
from tests.support.recording import crawled_recording, recording_moment

# (place a newcomer types, radius in km): Raleigh and Durham are 35 km apart,
# so the Triangle is searched a little wider than the default 25 km.
CITIES = {
    "Toronto": ("Toronto", 25.0),
    "Bloomington": ("Bloomington, IN", 25.0),
    "Asheville": ("Asheville", 25.0),
    "Raleigh-Durham": ("Durham, NC", 40.0),
    "Montclair": ("Montclair, NJ", 25.0),
}
EVERY_CITY = {"book event", "business networking", "healthcare"}
# What only some recordings list (see the module docstring).
ALSO = {
    "Bloomington": {"career fair", "library job or business session"},
    "Montclair": {"career fair"},
}
BOOK = re.compile(r"\b(?:books?|authors?)\b", re.IGNORECASE)
LIBRARY = re.compile(r"librar(?:y|ies)", re.IGNORECASE)


def what_it_is(event: Event) -> set[str]:
    """The kinds of event the product promises that ``event`` is."""
    found = set()
    if event.kind is Kind.BOOK_SIGNING or (
        "writing-and-publishing" in event.sectors and BOOK.search(event.title)
    ):
        found.add("book event")
    if event.kind is Kind.MEETUP and "sales-and-business" in event.sectors:
        found.add("business networking")
    if event.kind is Kind.CAREER_FAIR:
        found.add("career fair")
    if "healthcare" in event.sectors:
        found.add("healthcare")
    at_library = LIBRARY.search(" ".join(filter(None, (event.venue.name, event.venue.address))))
    if (at_library or LIBRARY.search(event.source)) and {
        "human-resources-and-careers",
        "sales-and-business",
    } & set(event.sectors):
        found.add("library job or business session")
    return found


@dataclass(frozen=True)
class Bundle:
    settings: Settings
    reports: dict[str, dict]
    found: dict[str, list[SearchResult]]


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Iterator[Bundle]:
    folder = tmp_path_factory.mktemp("recording") / "crawled"
    reports = crawled_recording(folder, tmp_path_factory, worker_id)
    settings = Settings(
        database_url=f"sqlite:///{folder / 'meetscout.db'}",
        sources=BUNDLE / "sources.toml",
        base_url="http://testserver",
        http_cache_dir=folder / "httpcache",
        replay_at=recording_moment(),
    )
    engine = make_engine(settings.database_url)
    store = EventStore(engine)
    found = {}
    for city, (place, radius) in CITIES.items():
        request = SearchRequest(
            near=point_of(resolve_place(place)),
            radius_km=radius,
            attendance=(Attendance.IN_PERSON,),
            statuses=(Status.SCHEDULED, Status.POSTPONED),
            limit=1000,
        )
        found[city] = search(store, request, now=settings.now()).items
    engine.dispose()
    yield Bundle(settings, reports, found)


def test_crawl_bundled_sources_every_source_is_clean(bundle: Bundle) -> None:
    reports = bundle.reports.items()
    problems = {name: report["error"] for name, report in reports if report["outcome"] != "ok"}

    assert problems == {}
    assert len(bundle.reports) >= 60


@pytest.mark.parametrize("city", CITIES)
def test_search_near_bundled_city_finds_six_sectors_in_person(bundle: Bundle, city: str) -> None:
    results = bundle.found[city]
    main_sectors = {item.event.sectors[0] for item in results if item.event.sectors}

    assert len(main_sectors) >= 6, sorted(main_sectors)
    assert all(item.event.attendance is not Attendance.ONLINE for item in results)


@pytest.mark.parametrize("city", CITIES)
def test_search_near_bundled_city_finds_what_its_recording_lists(bundle: Bundle, city: str) -> None:
    kinds = set().union(*(what_it_is(item.event) for item in bundle.found[city]))

    assert EVERY_CITY | ALSO.get(city, set()) <= kinds


def test_search_near_bundled_cities_finds_every_kind_promised(bundle: Bundle) -> None:
    kinds = set().union(
        *(what_it_is(item.event) for results in bundle.found.values() for item in results)
    )

    assert kinds >= EVERY_CITY | {"career fair", "library job or business session"}


@pytest.mark.parametrize("city", CITIES)
def test_search_near_bundled_city_ranks_each_with_reasons(bundle: Bundle, city: str) -> None:
    for item in bundle.found[city]:
        if not what_it_is(item.event):
            continue
        assert item.score > 0
        assert item.distance_km is not None
        assert any(reason.endswith("away") or reason.startswith("in ") for reason in item.why)
        assert len(item.why) >= 3, (item.event.title, item.why)


def test_get_events_says_it_is_a_recording(bundle: Bundle) -> None:
    with TestClient(create_app(bundle.settings)) as client:
        response = client.get("/events", params={"near": "Toronto", "attendance": "in_person"})

    body = response.json()
    assert response.status_code == 200
    assert body["total"] > 50
    assert datetime.fromisoformat(body["recording"]["recorded_at"]) == recording_moment()
    assert recorded_when(recording_moment()) in body["recording"]["notice"]
    # Served at the recording's moment: the next days of August 2026 come first.
    assert any(item["start"].startswith("2026-08-2") for item in body["items"][:10])


def test_get_search_page_shows_recording_notice(bundle: Bundle) -> None:
    with TestClient(create_app(bundle.settings)) as client:
        response = client.get("/", params={"near": "Montclair, NJ"})

    assert response.status_code == 200
    assert 'class="recording"' in response.text
    assert recorded_when(recording_moment()) in response.text
    assert response.text.count('<li class="result') >= 10


def test_get_feed_description_says_it_is_a_recording(bundle: Bundle) -> None:
    with TestClient(create_app(bundle.settings)) as client:
        response = client.get("/feeds/events.ics", params={"near": "Asheville"})

    calendar = Calendar.from_ical(response.content)
    description = calendar["X-WR-CALDESC"].to_ical().decode().replace("\\,", ",")
    assert description.startswith("This is a recording")
    assert recorded_when(recording_moment()) in description
    assert len(calendar.walk("VEVENT")) > 50


def test_cli_search_near_toronto_says_it_is_a_recording(
    bundle: Bundle, monkeypatch: pytest.MonkeyPatch
) -> None:
    from service.settings import get_settings

    monkeypatch.setenv("MEETSCOUT_DATABASE_URL", bundle.settings.database_url)
    monkeypatch.setenv("MEETSCOUT_REPLAY_AT", recording_moment().isoformat())
    monkeypatch.setenv("COLUMNS", "200")
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(cli, ["search", "--near", "Toronto", "--limit", "5"])
    finally:
        get_settings.cache_clear()

    assert result.exit_code == 0, result.output
    assert "This is a recording" in result.output
    assert "events, best first" in result.output
