"""The web page in a real browser: search, subscribe, sign up, an event page, accessibility."""

from __future__ import annotations

import json
from datetime import datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Page, expect

from service.text.advice import ASK
from tests.support.browser import PHONE, LiveServer, Tab, serious_violations

PLACE = "Berlin"
PLACE_LABEL = "Berlin, Germany"
SEARCH = "/?near=Berlin&radius_km=150"


def search_near(page: Page, place: str, radius: str) -> list[str]:
    """Type a place as a person would, then search; the suggestions offered on the way."""
    field = page.get_by_label("Place", exact=True).first
    field.press_sequentially(place[:4], delay=40)
    page.locator("#place-options option").first.wait_for(state="attached", timeout=5000)
    suggestions = page.eval_on_selector_all(
        "#place-options option", "options => options.map(o => o.value)"
    )
    field.fill(place)
    page.get_by_label("Within (km)").fill(radius)
    with page.expect_navigation():
        page.get_by_role("button", name="Search").click()
    return list(suggestions)


def test_search_near_a_city_shows_results(tab: Tab) -> None:
    page = tab.open("/")
    suggestions = search_near(page, PLACE, "150")
    assert PLACE_LABEL in suggestions
    expect(page.locator("#results-heading")).to_have_text(f"Events within 150 km of {PLACE_LABEL}")
    results = page.locator("ol.result-list > li")
    assert results.count() > 3
    first = results.first
    expect(first.locator("h3 a")).to_be_visible()
    expect(first.locator("time")).to_be_visible()
    expect(first.locator(".why li").first).to_be_visible()
    expect(first.get_by_role("link", name="Add to calendar")).to_have_attribute(
        "href", f"/events/{first.locator('h3 a').get_attribute('href').removeprefix('/e/')}.ics"
    )
    query = parse_qs(urlsplit(page.url).query)
    assert query["near"] == [PLACE] and query["radius_km"] == ["150"]
    tab.screenshot("search-desktop")
    tab.assert_clean()


def test_search_page_on_a_phone(phone: Tab) -> None:
    page = phone.open(SEARCH)
    assert page.locator("ol.result-list > li").count() > 3
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], "the page scrolls sideways at 375 px"
    expect(page.get_by_role("button", name="Search")).to_be_visible()
    phone.screenshot("search-375")
    phone.assert_clean()


def test_subscribe_link_is_webcal_and_its_https_twin_serves_a_calendar(
    tab: Tab, live_server: LiveServer
) -> None:
    page = tab.open(SEARCH + "&sector=technology")
    webcal = page.get_by_role("link", name="Subscribe in your calendar app")
    href = webcal.get_attribute("href") or ""
    host = urlsplit(live_server.url).netloc
    assert href.startswith(f"webcal://{host}/feeds/events.ics?")
    https = page.get_by_label("Calendar link, to paste into any calendar app").input_value()
    assert https == "http://" + href.removeprefix("webcal://")
    response = page.request.get(https)
    assert response.status == 200
    assert response.headers["content-type"].startswith("text/calendar")
    assert response.text().startswith("BEGIN:VCALENDAR")
    google = page.get_by_role("link", name="Add to Google Calendar").get_attribute("href") or ""
    assert parse_qs(urlsplit(google).query)["cid"] == [href]
    tab.assert_clean()


def test_feed_choices_change_the_links_as_they_are_made(tab: Tab) -> None:
    page = tab.open(SEARCH)
    expect(page.get_by_role("button", name="Update the links")).to_be_hidden()
    expect(page.locator("#subscribe").get_by_role("button", name="Copy")).to_be_visible()
    page.get_by_label("Remove them from my calendar").check()
    page.get_by_label("Reminder").select_option(label="1 hour before")
    page.get_by_label("A follow-up note the morning after each event").check()
    href = page.get_by_role("link", name="Subscribe in your calendar app").get_attribute("href")
    query = parse_qs(urlsplit(href or "").query)
    assert query["cancelled"] == ["hide"]
    assert query["alarm"] == ["60"]
    assert query["followup"] == ["1"]
    https = page.get_by_label("Calendar link, to paste into any calendar app").input_value()
    assert parse_qs(urlsplit(https).query) == query
    calendar = page.request.get(https).text()
    assert "BEGIN:VALARM" in calendar
    tab.assert_clean()


def test_digest_signup_leads_to_the_confirmation_message(tab: Tab, live_server: LiveServer) -> None:
    address = "katherine.johnson@example.org"
    page = tab.open(SEARCH + "&sector=technology")
    signup = page.locator("#digest")
    signup.get_by_label("Email address").fill(address)
    expect(signup.get_by_label("Place", exact=True)).to_have_value(PLACE)
    signup.get_by_label("Weekends (Saturday and Sunday)").check()
    with page.expect_navigation():
        signup.get_by_role("button", name="Email me weekly").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your inbox to confirm")
    [received] = live_server.sink.handler.to(address)
    assert received.message["Subject"] == f"Confirm your meetscout weekly digest for {PLACE_LABEL}"
    tab.screenshot("subscribed-desktop")
    tab.assert_clean()


def test_digest_signup_with_a_bad_address_says_so_beside_the_field(tab: Tab) -> None:
    page = tab.open(SEARCH)
    signup = page.locator("#digest")
    signup.get_by_label("Email address").fill("katherine@")
    with page.expect_navigation():
        signup.get_by_role("button", name="Email me weekly").click()
    expect(page.locator("#signup-email-error")).to_be_visible()
    expect(page.locator("#signup-email")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#digest .error-summary")).to_be_focused()
    tab.assert_clean()


def test_bad_search_input_shows_messages_beside_the_fields(tab: Tab) -> None:
    page = tab.open("/")
    page.get_by_label("Place", exact=True).first.fill("x" * 200)
    page.get_by_label("Within (km)").fill("-5")
    with page.expect_navigation():
        page.get_by_role("button", name="Search").click()
    expect(page.locator("#radius_km-error")).to_contain_text("between 1 and 500 km")
    expect(page.locator("#near-error")).to_contain_text("could not find a place")
    expect(page.locator(".error-summary").first).to_be_focused()
    tab.screenshot("search-errors-desktop")
    tab.assert_clean()


def test_huge_place_in_the_address_bar_gets_a_readable_page(tab: Tab) -> None:
    page = tab.open("/?near=" + "x" * 10_240 + "&radius_km=-5")
    expect(page.locator("#near-error")).to_contain_text("at most 200 characters")
    expect(page.locator("#radius_km-error")).to_be_visible()
    assert "Traceback" not in page.content()
    tab.assert_clean()


def open_first_event(tab: Tab) -> Page:
    page = tab.open(SEARCH)
    with page.expect_navigation():
        page.locator("ol.result-list > li h3 a").first.click()
    return page


def test_event_page_carries_valid_event_json_ld(tab: Tab, live_server: LiveServer) -> None:
    page = open_first_event(tab)
    raw = page.locator("script[type='application/ld+json']").text_content() or ""
    data = json.loads(raw)
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "Event"
    for name in (
        "name",
        "startDate",
        "endDate",
        "eventStatus",
        "eventAttendanceMode",
        "location",
        "url",
        "description",
    ):
        assert data[name], name
    assert data["name"] == page.get_by_role("heading", level=1).text_content()
    start = datetime.fromisoformat(data["startDate"])
    end = datetime.fromisoformat(data["endDate"])
    assert end >= start
    assert data["eventStatus"].startswith("https://schema.org/Event")
    assert data["eventAttendanceMode"].startswith("https://schema.org/")
    locations = data["location"] if isinstance(data["location"], list) else [data["location"]]
    assert {location["@type"] for location in locations} <= {"Place", "VirtualLocation"}
    og_url = page.locator("meta[property='og:url']").get_attribute("content")
    assert og_url == page.url
    assert og_url.startswith(live_server.url + "/e/")
    expect(page.get_by_text(ASK).first).to_be_visible()
    tab.screenshot("event-desktop")
    tab.assert_clean()


def test_event_page_on_a_phone(phone: Tab) -> None:
    page = phone.open(SEARCH)
    with page.expect_navigation():
        page.locator("ol.result-list > li h3 a").first.click()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], "the page scrolls sideways at 375 px"
    expect(page.get_by_role("link", name="Add to calendar (.ics)")).to_be_visible()
    phone.screenshot("event-375")
    phone.assert_clean()


def test_markup_in_a_title_shows_as_text(tab: Tab) -> None:
    page = tab.open("/e/script-title-meetup")
    expect(page.get_by_role("heading", level=1)).to_have_text("<script>alert(1)</script>")
    assert page.evaluate("document.querySelectorAll('img').length") == 0
    tab.assert_clean()


def test_keyboard_reaches_the_skip_link_first_with_a_visible_focus(tab: Tab) -> None:
    page = tab.open(SEARCH)
    page.keyboard.press("Tab")
    focused = page.evaluate(
        """() => {
            const element = document.activeElement;
            const style = getComputedStyle(element);
            return {
                text: element.textContent.trim(),
                outline: style.outlineStyle,
                width: parseFloat(style.outlineWidth),
                top: element.getBoundingClientRect().top,
            };
        }"""
    )
    assert focused["text"] == "Skip to main content"
    assert focused["outline"] != "none" and focused["width"] >= 2
    assert focused["top"] >= 0
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "near"
    tab.assert_clean()


@pytest.mark.parametrize(
    "path", ["/", SEARCH, "/?near=Berln&radius_km=-5", "/e/cancelled-workshop"]
)
def test_pages_have_no_serious_accessibility_violations(audit_tab: Tab, path: str) -> None:
    page = audit_tab.open(path)
    assert serious_violations(page) == []
    audit_tab.assert_clean()


def test_first_event_page_has_no_serious_accessibility_violations(audit_tab: Tab) -> None:
    page = open_first_event(audit_tab)
    assert serious_violations(page) == []
