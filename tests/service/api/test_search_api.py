"""``/events`` as a ranked place search, ``/sectors`` and ``/places``, read as HTTP transcripts."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from service.classify.sectors import get_taxonomy
from service.places.distance import exact_km
from service.settings import Settings
from service.store import EventStore
from tests.factories import NOW
from tests.support.saved import located_events
from tests.support.templates import Templates

YEAR = {"start": "2026-01-01"}


@pytest.fixture
def located(settings: Settings, store: EventStore, templates: Templates) -> Iterator[TestClient]:
    templates.seed(store, "located", located_events)
    with TestClient(create_app(settings, clock=lambda: NOW)) as client:
        yield client


def test_list_events_near_a_place_echoes_the_place(located: TestClient) -> None:
    body = located.get("/events", params={"near": "Berlin", **YEAR}).json()

    assert body["place"] == {
        "name": "Berlin",
        "label": "Berlin, Germany",
        "lat": pytest.approx(52.52, abs=0.01),
        "lon": pytest.approx(13.41, abs=0.01),
        "timezone": "Europe/Berlin",
    }
    assert body["items"]
    for item in body["items"]:
        assert item["distance_km"] <= 25
        assert item["why"]
        assert 0 <= item["score"] <= 1


def test_list_events_ambiguous_place_is_the_most_populous(located: TestClient) -> None:
    body = located.get("/events", params={"near": "Portland"}).json()

    assert body["place"]["label"] == "Portland, Oregon, United States"
    assert body["place"]["timezone"] == "America/Los_Angeles"


def test_list_events_near_is_within_the_radius_by_geodesic(located: TestClient) -> None:
    params = {"near": "Berlin", "radius_km": 120, "sort": "distance", "limit": 200, **YEAR}

    body = located.get("/events", params=params).json()

    place = body["place"]
    distances = [item["distance_km"] for item in body["items"]]
    assert distances == sorted(distances)
    assert max(distances) > 100  # Cottbus is in
    for item in body["items"]:
        venue = item["venue"]
        assert exact_km(place["lat"], place["lon"], venue["lat"], venue["lon"]) <= 120


def test_list_events_by_coordinates(located: TestClient) -> None:
    body = located.get(
        "/events", params={"lat": 51.76882, "lon": 14.32321, "radius_km": 1, **YEAR}
    ).json()

    assert body["place"] is None
    assert body["total"] > 0
    assert all(item["distance_km"] < 1 for item in body["items"])
    assert "lat=51.76882&lon=14.32321&radius_km=1" in body["feed_url"]


def test_list_events_sorted_by_score_then_date(located: TestClient) -> None:
    items = located.get("/events", params={"near": "Cottbus", "limit": 200}).json()["items"]

    keys = [(-item["score"], item["start"]) for item in items]
    assert keys == sorted(keys)


def test_list_events_sector_filter_and_feed_link(located: TestClient) -> None:
    params = {"near": "Berlin", "radius_km": 50, "sector": ["technology"]}
    params["attendance"] = "in_person"

    body = located.get("/events", params={**params, **YEAR}).json()

    assert body["items"]
    assert all("technology" in item["sectors"] for item in body["items"])
    assert body["feed_url"] == (
        "http://testserver/feeds/events.ics?start=2026-01-01T00%3A00%3A00%2B00%3A00"
        "&near=Berlin&radius_km=50&sector=technology&attendance=in_person"
    )


def test_list_events_online_attendance_brings_online_events(located: TestClient) -> None:
    params = {"near": "Berlin", "attendance": "online", "limit": 200, **YEAR}

    items = located.get("/events", params=params).json()["items"]

    online = [item for item in items if item["attendance"] == "online"]
    assert online
    assert all(item["distance_km"] is None for item in online)
    assert "online: join from anywhere" in online[0]["why"]


def test_list_events_cursor_walks_a_place_search(located: TestClient) -> None:
    params = {"near": "Cottbus", "limit": 7, **YEAR}
    first = located.get("/events", params=params).json()
    seen = [item["id"] for item in first["items"]]
    cursor = first["next_cursor"]
    while cursor:
        page = located.get("/events", params={**params, "cursor": cursor}).json()
        seen.extend(item["id"] for item in page["items"])
        cursor = page["next_cursor"]

    assert len(seen) == len(set(seen)) == first["total"]


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"lat": 91, "lon": 0}, "lat"),
        ({"lat": -90.5, "lon": 0}, "lat"),
        ({"lat": 0, "lon": 180.5}, "lon"),
        ({"lat": "nan", "lon": 0}, "lat"),
        ({"lat": 43.6}, "lon"),
        ({"lon": -79.4}, "lat"),
        ({"near": "Toronto", "lat": 43.6, "lon": -79.4}, "near"),
        ({"near": "Toronto", "radius_km": 0}, "radius_km"),
        ({"near": "Toronto", "radius_km": -3}, "radius_km"),
        ({"near": "Toronto", "radius_km": 501}, "radius_km"),
        ({"near": ""}, "near"),
        ({"near": "   "}, "near"),
        ({"near": "x" * 10_000}, "near"),
        ({"near": "Qqqzzzxxx"}, "near"),
        ({"sector": "nursing"}, "sector"),
        ({"sector": ["technology", "x" * 5000]}, "sector"),
        ({"attendance": "teleport"}, "attendance"),
        ({"free": "maybe"}, "free"),
        ({"sort": "best"}, "sort"),
        ({"sort": "distance"}, "sort"),
        ({"cursor": "eyJ2IjoxfQ"}, "cursor"),
    ],
)
def test_list_events_bad_search_is_422_naming_it(
    located: TestClient, params: dict[str, object], parameter: str
) -> None:
    response = located.get("/events", params=params)

    assert response.status_code == 422
    assert any(parameter in error["loc"] for error in response.json()["detail"])


def test_list_events_unknown_place_lists_close_matches(located: TestClient) -> None:
    response = located.get("/events", params={"near": "Torontoo"})

    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"] == ["query", "near"]
    assert "Toronto, Ontario, Canada" in error["msg"]
    assert "Toronto, Ontario, Canada" in error["ctx"]["suggestions"]


def test_feed_takes_the_place_filters(located: TestClient) -> None:
    assert located.get("/feeds/events.ics", params={"near": "Torontoo"}).status_code == 422
    assert located.get("/feeds/events.ics", params={"sector": "nope"}).status_code == 422
    assert located.get("/feeds/events.ics", params={"near": "Berlin"}).status_code == 200


def test_list_sectors(located: TestClient) -> None:
    body = located.get("/sectors").json()

    slugs = [item["slug"] for item in body["items"]]
    assert slugs == get_taxonomy().slugs
    assert 15 <= len(slugs) <= 25
    health = body["items"][slugs.index("healthcare")]
    assert health == {
        "slug": "healthcare",
        "label": "Healthcare",
        "description": get_taxonomy().get("healthcare").description,  # type: ignore[union-attr]
    }


def test_list_sectors_with_vocabulary(located: TestClient) -> None:
    items = located.get("/sectors", params={"vocabulary": 1}).json()["items"]

    health = next(item for item in items if item["slug"] == "healthcare")
    assert "nursing" in health["keywords"]
    assert isinstance(health["acronyms"], list)


def test_suggest_places_for_autocomplete(located: TestClient) -> None:
    response = located.get("/places", params={"q": "Tor"})

    assert response.status_code == 200
    places = response.json()
    assert places[0] == {
        "name": "Toronto",
        "label": "Toronto, Ontario, Canada",
        "lat": pytest.approx(43.71, abs=0.01),
        "lon": pytest.approx(-79.40, abs=0.01),
        "timezone": "America/Toronto",
    }
    assert len(places) == 8


def test_suggest_places_narrows_by_region_and_spelling(located: TestClient) -> None:
    maine = located.get("/places", params={"q": "Portland, ME"}).json()
    typo = located.get("/places", params={"q": "Torontoo", "limit": 3}).json()

    assert maine[0]["label"] == "Portland, Maine, United States"
    assert typo[0]["name"] == "Toronto"
    assert len(typo) <= 3


def test_suggested_label_works_as_near(located: TestClient) -> None:
    label = located.get("/places", params={"q": "Sydney, NS"}).json()[0]["label"]

    body = located.get("/events", params={"near": label}).json()

    assert body["place"]["label"] == label


@pytest.mark.parametrize(
    "params",
    [{}, {"q": ""}, {"q": "x" * 10_000}, {"q": "Tor", "limit": 0}, {"q": "Tor", "limit": 21}],
)
def test_suggest_places_bad_input_is_422(located: TestClient, params: dict[str, object]) -> None:
    assert located.get("/places", params=params).status_code == 422


def test_suggest_places_nothing_close_is_an_empty_list(located: TestClient) -> None:
    assert located.get("/places", params={"q": "Qqqzzzxxx"}).json() == []


def test_a_crawl_between_two_searches_shows_its_changes(
    located: TestClient, store: EventStore
) -> None:
    params = {"near": "Berlin", "radius_km": 120, **YEAR}
    first = located.get("/events", params=params).json()["items"][0]
    event = store.get(event_id=first["id"])
    assert event is not None

    store.upsert_many([event.with_changes(title="Renamed at the last crawl")], now=NOW)
    again = located.get("/events", params=params).json()["items"]

    renamed = [item for item in again if item["id"] == first["id"]]
    assert [item["title"] for item in renamed] == ["Renamed at the last crawl"]
    assert "Renamed" in renamed[0]["google_calendar_url"]
