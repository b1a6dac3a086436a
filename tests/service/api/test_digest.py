"""``GET /digest``: any search's week as a digest, in four formats."""

from __future__ import annotations

from collections.abc import Iterator

import lxml.html
import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from service.settings import Settings
from service.store import EventStore
from tests.factories import MONDAY, NOW, SCRIPT_TITLE, script_event
from tests.support.saved import bundled_events

BERLIN_WEEK = {"near": "Berlin", "radius_km": "50", "sector": "technology"}


@pytest.fixture
def api(settings: Settings, store: EventStore) -> Iterator[TestClient]:
    store.upsert_many([*bundled_events(), script_event()], now=NOW)
    with TestClient(create_app(settings, clock=lambda: MONDAY)) as client:
        yield client


def test_get_digest_html_shows_a_top_pick_and_escapes_titles(api: TestClient) -> None:
    response = api.get("/digest", params=BERLIN_WEEK)
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    document = lxml.html.fromstring(response.text)
    assert document.xpath("//script") == []
    assert document.xpath("//img") == []
    assert SCRIPT_TITLE in document.text_content()
    assert "Top pick" in document.text_content()
    assert "Who do you know that you think I should meet?" in document.text_content()


def test_get_digest_json_lists_the_week_near_the_place(api: TestClient) -> None:
    data = api.get("/digest", params={**BERLIN_WEEK, "format": "json"}).json()
    assert data["week"] == "2026-W49"
    assert data["timezone"] == "Europe/Berlin"
    assert data["place"] == "Berlin, Germany"
    titles = [data["top_pick"]["title"], *(item["title"] for item in data["alternates"])]
    assert set(titles) == {SCRIPT_TITLE, "AI Coding Summit Berlin Edition", "React Day Berlin"}
    assert all(item["distance_km"] < 50 for item in [data["top_pick"], *data["alternates"]])


def test_get_digest_free_time_picks_what_fits(api: TestClient) -> None:
    params = {**BERLIN_WEEK, "format": "json", "free_time": "weekday_daytime"}
    data = api.get("/digest", params=params).json()
    assert data["top_pick"]["title"] != SCRIPT_TITLE  # an evening meetup
    assert data["top_pick"]["fits_free_time"] is True


def test_get_digest_start_picks_the_week(api: TestClient) -> None:
    params = {"near": "Frankfurt am Main", "radius_km": "50", "format": "json"}
    this_week = api.get("/digest", params=params).json()
    next_week = api.get("/digest", params={**params, "start": "2026-12-07"}).json()
    assert this_week["top_pick"] is None
    assert next_week["week"] == "2026-W50"
    assert next_week["top_pick"]["title"] == "IT-Tage"


def test_get_digest_with_nothing_near_suggests_wider_and_online(api: TestClient) -> None:
    data = api.get("/digest", params={"near": "Reykjavik", "format": "json"}).json()
    assert data["top_pick"] is None
    assert data["notice"] == "Nothing near Reykjavík, Iceland within 25 km this week."
    assert "radius_km=50" in data["links"]["wider"]
    assert "attendance=online" in data["links"]["online"]
    text = api.get("/digest", params={"near": "Reykjavik", "format": "text"}).text
    assert "Try a wider radius: 50 km finds more." in text


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"format": "pdf"}, "format"),
        ({"sector": "astrology"}, "sector"),
        ({"near": "Xqzvbnm Qwrtp"}, "near"),
        ({"radius_km": "501", "near": "Berlin"}, "radius_km"),
        ({"timezone": "Mars/Base"}, "timezone"),
        ({"free_time": "midnight"}, "free_time"),
    ],
)
def test_get_digest_bad_input_is_422(
    api: TestClient, params: dict[str, str], parameter: str
) -> None:
    response = api.get("/digest", params=params)
    assert response.status_code == 422
    assert any(parameter in error["loc"] for error in response.json()["detail"])


@pytest.mark.parametrize(
    ("format", "marker"), [("text", "TOP PICK"), ("md", "## Top pick"), ("html", "<h2")]
)
def test_get_digest_formats(api: TestClient, format: str, marker: str) -> None:
    response = api.get("/digest", params={**BERLIN_WEEK, "format": format})
    assert response.status_code == 200
    assert marker in response.text
