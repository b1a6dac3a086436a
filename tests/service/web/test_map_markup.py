"""The search page's map as served: Leaflet from meetscout's own static path, places on results."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.model import Attendance, Venue
from service.web.view import event_view
from tests.factories import make_event
from tests.support.pages import document

ROOT = Path(__file__).resolve().parents[3]
VENDORED = ROOT / "service" / "web" / "static" / "vendor" / "leaflet"
NPM = ROOT / "service" / "web" / "assets" / "node_modules" / "leaflet"


def test_search_page_loads_leaflet_and_the_map_from_meetscout(web: TestClient) -> None:
    page = document(web.get("/", params={"near": "Berlin", "radius_km": "150"}))
    scripts = page.xpath("//script/@src")
    assert "/static/vendor/leaflet/leaflet.js" in scripts
    assert "/static/map.js" in scripts
    assert all(src.startswith("/static/") for src in scripts)
    assert "/static/vendor/leaflet/leaflet.css" in page.xpath("//link[@rel='stylesheet']/@href")
    [box] = page.xpath("//div[@data-map]")
    assert box.get("hidden") is not None, "without scripts the page is the list alone"


def test_located_results_carry_their_place_and_online_ones_do_not(web: TestClient) -> None:
    page = document(
        web.get("/", params={"near": "Berlin", "radius_km": "150", "attendance": "any"})
    )
    items = page.xpath("//ol[@class='result-list']/li")
    located = [item for item in items if item.get("data-lat") is not None]
    assert located
    for item in located:
        assert -90 <= float(item.get("data-lat")) <= 90
        assert -180 <= float(item.get("data-lon")) <= 180
        assert item.get("data-event")


def test_an_online_only_event_has_no_place_on_the_map() -> None:
    venue = Venue(name="Somewhere", lat=52.5, lon=13.4)
    assert event_view(make_event(1, venue=venue)).lat == 52.5
    online = event_view(make_event(2, venue=venue, attendance=Attendance.ONLINE))
    assert online.lat is None and online.lon is None
    assert event_view(make_event(3, venue=Venue(lat=float("nan"), lon=1.0))).lat is None


def test_search_page_lets_only_openstreetmap_tiles_in_as_images(web: TestClient) -> None:
    policy = web.get("/").headers["content-security-policy"]
    assert "img-src 'self' https://tile.openstreetmap.org" in policy
    assert "script-src 'self'" in policy


def test_leaflet_is_served_with_its_licence(web: TestClient) -> None:
    for name in ("leaflet.js", "leaflet.css", "LICENSE"):
        assert web.get(f"/static/vendor/leaflet/{name}").status_code == 200


@pytest.mark.skipif(not NPM.exists(), reason="npm's leaflet not installed (make vendor)")
def test_vendored_leaflet_is_npms_copy() -> None:
    for name in ("leaflet.js", "leaflet.css"):
        assert (VENDORED / name).read_bytes() == (NPM / "dist" / name).read_bytes()
    assert (VENDORED / "LICENSE").read_bytes() == (NPM / "LICENSE").read_bytes()
