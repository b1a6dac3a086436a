"""The operator's pages and the visitors' suggestion form in a real browser.

Signing in with the token, switching a source on the sources page, a
visitor's suggestion reaching the operator, and the same checks every public
page gets: no console errors, no outside requests, no serious axe-core
violations, no sideways scrolling at 375 px.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from service.text import admin as text
from tests.support.browser import (
    ADMIN_TOKEN,
    DESKTOP,
    PHONE,
    LiveServer,
    Tab,
    open_context,
    serious_violations,
)

SIGN_IN_ERROR = "Failed to load resource: the server responded with a status of 401"
REFUSED = "Failed to load resource: the server responded with a status of 422"


def sign_in(tab: Tab, token: str = ADMIN_TOKEN) -> Page:
    """Open an operator's page signed out, and sign in as a person would."""
    page = tab.open("/admin")
    expect(page.get_by_role("heading", name="Operator sign-in")).to_be_visible()
    page.get_by_label("Operator token").fill(token)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    return page


@pytest.fixture(scope="module")
def operator(browser: Browser, live_server: LiveServer) -> Iterator[Tab]:
    """One signed-in desktop page for the module: sign-ins are rate limited per address."""
    context, opened = open_context(browser, live_server, viewport=DESKTOP)
    sign_in(opened)
    yield opened
    context.close()


@pytest.fixture(scope="module")
def operator_audit(browser: Browser, live_server: LiveServer) -> Iterator[Tab]:
    """A signed-in page where axe-core may be injected."""
    context, opened = open_context(browser, live_server, viewport=DESKTOP, bypass_csp=True)
    sign_in(opened)
    yield opened
    context.close()


def source_row(page: Page, name: str) -> Locator:
    return page.locator("table.admin-table tbody tr").filter(
        has=page.get_by_role("rowheader", name=name)
    )


def test_the_token_opens_the_sources_page(operator: Tab) -> None:
    page = operator.open("/admin")
    assert page.url.endswith("/admin/sources")
    expect(page.get_by_role("heading", name="Sources", exact=True)).to_be_visible()
    expect(source_row(page, "city-library")).to_have_count(1)
    expect(source_row(page, "chamber")).to_have_count(1)
    expect(page.get_by_label("Address of the calendar or events page")).to_be_visible()
    operator.assert_clean()


def test_signed_out_the_operators_pages_ask_for_the_token(tab: Tab) -> None:
    page = tab.open("/admin/events")
    assert page.url.endswith("/admin/sign-in")
    expect(page.get_by_label("Operator token")).to_be_visible()
    expect(page.get_by_role("table")).to_have_count(0)
    tab.assert_clean()


def test_a_wrong_token_is_said_beside_the_field(tab: Tab) -> None:
    page = sign_in(tab, token="not-the-operator-token")
    field = page.get_by_label("Operator token")
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#token-error")).to_have_text(text.SIGN_IN_WRONG)
    assert "/admin/sign-in" in page.url
    assert tab.outside == []
    assert [error for error in tab.errors if not error.startswith(SIGN_IN_ERROR)] == []


def test_pausing_a_source_shows_it_paused_and_resuming_undoes_it(operator: Tab) -> None:
    page = operator.open("/admin/sources")
    row = source_row(page, "chamber")
    with page.expect_navigation():
        row.get_by_role("button", name="Pause").click()
    row = source_row(page, "chamber")
    expect(row.locator(".badge")).to_have_text("paused")
    expect(row.get_by_role("button", name="Resume")).to_be_visible()
    expect(source_row(page, "city-library").locator(".badge")).to_have_count(0)
    with page.expect_navigation():
        row.get_by_role("button", name="Resume").click()
    expect(source_row(page, "chamber").locator(".badge")).to_have_count(0)
    operator.assert_clean()


def test_a_visitors_suggestion_waits_on_the_operators_page(tab: Tab, operator: Tab) -> None:
    page = tab.open("/suggest")
    page.get_by_label("Address of the events page or calendar").fill(
        "https://library.example.org/events"
    )
    page.get_by_label("Who runs it").fill("Riverside branch library")
    with page.expect_navigation():
        page.get_by_role("button", name="Suggest it").click()
    tab.assert_clean()
    page = operator.open("/admin/sources")
    waiting = page.locator("section[aria-labelledby='suggestions-heading'] li").filter(
        has_text="https://library.example.org/events"
    )
    expect(waiting).to_have_count(1)
    expect(waiting.locator("q")).to_have_text("Riverside branch library")
    with page.expect_navigation():
        waiting.get_by_role("button", name="Reject").click()
    expect(page.get_by_text("https://library.example.org/events")).to_have_count(0)
    operator.assert_clean()


def test_an_inside_address_is_refused_beside_the_field(tab: Tab) -> None:
    page = tab.open("/suggest")
    page.get_by_label("Address of the events page or calendar").fill("http://192.168.1.10/cal.ics")
    with page.expect_navigation():
        page.get_by_role("button", name="Suggest it").click()
    field = page.get_by_label("Address of the events page or calendar")
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#address-error")).not_to_be_empty()
    assert tab.outside == []
    assert [error for error in tab.errors if not error.startswith(REFUSED)] == []


def test_the_sources_page_on_a_phone(phone: Tab) -> None:
    page = sign_in(phone)
    expect(source_row(page, "chamber")).to_have_count(1)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], "the sources page scrolls sideways at 375 px"
    phone.screenshot("admin-sources-375")
    phone.assert_clean()


@pytest.mark.parametrize("path", ["/admin/sources", "/admin/events"])
def test_operators_pages_have_no_serious_accessibility_violations(
    operator_audit: Tab, path: str
) -> None:
    page = operator_audit.open(path)
    assert page.url.endswith(path)
    assert serious_violations(page) == []
    operator_audit.assert_clean()


@pytest.mark.parametrize("path", ["/admin/sign-in", "/suggest"])
def test_sign_in_and_suggest_have_no_serious_accessibility_violations(
    audit_tab: Tab, path: str
) -> None:
    page = audit_tab.open(path)
    assert serious_violations(page) == []
    audit_tab.assert_clean()
