"""The search page's map in the real browser: Leaflet from meetscout, OpenStreetMap's tiles
with their attribution, list and markers in step, and the list alone when tiles fail."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, expect

from tests.support.browser import DESKTOP, PHONE, LiveServer, Tab, open_context

SEARCH = "/?near=Berlin&radius_km=150"
MARKERS = ".leaflet-interactive"


@pytest.fixture
def no_tiles(browser: Browser, live_server: LiveServer) -> Iterator[Tab]:
    """A desktop page where every tile request fails, as behind a firewall."""
    context, opened = open_context(browser, live_server, viewport=DESKTOP, block_tiles=True)
    yield opened
    context.close()


def located_ids(tab: Tab) -> list[str]:
    return tab.page.eval_on_selector_all(
        ".result-list li[data-lat]", "items => items.map(item => item.dataset.event)"
    )


def test_map_shows_every_located_result_with_the_osm_attribution(tab: Tab) -> None:
    page = tab.open(SEARCH)
    box = page.locator("[data-map]")
    expect(box).to_be_visible()
    ids = located_ids(tab)
    assert ids
    expect(page.locator(MARKERS)).to_have_count(len(ids))
    assert box.get_attribute("data-map-ready") == str(len(ids))
    attribution = page.locator(".leaflet-control-attribution")
    expect(attribution).to_contain_text("OpenStreetMap")
    link = attribution.get_by_role("link", name="OpenStreetMap")
    assert link.get_attribute("href") == "https://www.openstreetmap.org/copyright"
    assert tab.tiles, "tiles are asked of OpenStreetMap"
    assert all(url.startswith("https://tile.openstreetmap.org/") for url in tab.tiles)
    scripts = page.eval_on_selector_all("script[src]", "nodes => nodes.map(n => n.src)")
    assert all(src.startswith(tab.server.url + "/static/") for src in scripts)
    assert tab.server.url + "/static/vendor/leaflet/leaflet.js" in scripts
    tab.assert_clean()


def test_hovering_a_result_lights_its_marker_and_a_marker_lights_its_result(tab: Tab) -> None:
    page = tab.open(SEARCH)
    expect(page.locator(MARKERS).first).to_be_visible()
    ids = located_ids(tab)
    first = page.locator(f'.result-list li[data-event="{ids[0]}"]')

    first.hover()
    lit = page.locator(".leaflet-interactive[stroke='#7a2e00']")
    expect(lit).to_have_count(1)
    expect(page.locator(".leaflet-tooltip")).to_be_visible()

    page.mouse.move(0, 0)
    expect(lit).to_have_count(0)

    last = page.locator(f'.result-list li[data-event="{ids[-1]}"]')
    # Dispatched on the marker itself: a click at its centre lands on whatever lies on top
    # there, and a neighbour's marker, or the map still settling its zoom, may.
    page.locator(f'{MARKERS}[data-event="{ids[-1]}"]').dispatch_event("click")
    expect(last).to_have_class(re.compile(r"\bis-lit\b"))
    assert page.evaluate("document.activeElement.closest('li')?.dataset.event") == ids[-1]
    tab.assert_clean()


def test_without_tiles_the_list_still_works_and_the_map_says_so(no_tiles: Tab) -> None:
    page = no_tiles.open(SEARCH)
    expect(page.locator("[data-map-note]")).to_be_visible()
    assert no_tiles.tiles, "tiles were asked for, and refused"
    assert page.locator(".result-list li").count() >= len(located_ids(no_tiles)) > 0
    page.locator(".result-list h3 a").first.click()
    expect(page).to_have_url(re.compile(r"/e/"))
    assert no_tiles.outside == []
    assert all("Failed to load resource" in error for error in no_tiles.errors)


def test_map_and_list_fit_a_phone(browser: Browser, live_server: LiveServer) -> None:
    context, phone = open_context(
        browser, live_server, viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True
    )
    try:
        page = phone.open(SEARCH)
        expect(page.locator("[data-map]")).to_be_visible()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], "the page scrolls sideways at 375 px"
        box = page.locator("[data-map-canvas]").bounding_box()
        assert box is not None and box["width"] <= PHONE["width"]
        phone.screenshot("search-map-375")
        phone.assert_clean()
    finally:
        context.close()
