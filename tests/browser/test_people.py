"""Hosts and "I'm going" in a real browser: the host's page, marking, the private list."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.support.browser import PHONE, Tab, serious_violations

EVENT = "/e/cancelled-workshop"
HOST = "/h/berlin-founders-club"


def open_my_list(tab: Tab, path: str = EVENT) -> Page:
    page = tab.open(path)
    with page.expect_navigation():
        page.get_by_role("button", name="I'm going").click()
    expect(page.get_by_text("You're going.", exact=False).first).to_be_visible()
    with page.expect_navigation():
        page.get_by_role("link", name="your private going list").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your going list")
    return page


def test_event_page_leads_to_the_hosts_page(tab: Tab) -> None:
    page = tab.open(EVENT)
    with page.expect_navigation():
        page.locator(".prepare").get_by_role("link", name="Who Berlin Founders Club are").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Berlin Founders Club")
    expect(page.get_by_role("link", name="Subscribe to their events")).to_have_attribute(
        "href", tab.server.url.replace("http://", "webcal://") + "/hosts/berlin-founders-club.ics"
    )
    feed = page.request.get(tab.server.url + "/hosts/berlin-founders-club.ics")
    assert feed.status == 200 and feed.text().startswith("BEGIN:VCALENDAR")
    expect(page.get_by_label("Your digest key")).to_be_visible()
    tab.screenshot("host-desktop")
    tab.assert_clean()


def test_going_unmark_and_delete_in_the_browser(tab: Tab) -> None:
    page = open_my_list(tab, "/e/online-career-fair")
    token = page.url.rsplit("/", 1)[-1]
    expect(page.locator("ol.event-list > li a")).to_have_text(["Remote careers fair"])
    calendar = page.request.get(tab.server.url + f"/going/{token}.ics").text()
    assert "BEGIN:VALARM" in calendar
    with page.expect_navigation():
        page.get_by_role("button", name=re.compile(r"^Not going.*Remote careers fair")).click()
    expect(page.get_by_text("Nothing marked yet", exact=False)).to_be_visible()
    with page.expect_navigation():
        page.get_by_role("button", name="Delete my going list").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Deleted")
    assert page.request.get(tab.server.url + f"/g/{token}").status == 404
    tab.assert_clean()


def test_host_and_going_pages_on_a_phone(phone: Tab) -> None:
    for path in (HOST, EVENT):
        page = phone.open(path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{path} scrolls sideways at 375 px"
    page = phone.open(EVENT)
    with page.expect_navigation():
        page.get_by_role("button", name="I'm going").click()
    with page.expect_navigation():
        page.get_by_role("link", name="your private going list").click()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], "the going list scrolls sideways at 375 px"
    expect(page.get_by_role("button", name="Delete my going list")).to_be_visible()
    phone.screenshot("going-375")
    phone.assert_clean()


def test_host_page_has_no_serious_accessibility_violations(audit_tab: Tab) -> None:
    page = audit_tab.open(HOST)
    assert serious_violations(page) == []
    audit_tab.assert_clean()


def test_going_list_and_marked_event_have_no_serious_accessibility_violations(
    audit_tab: Tab,
) -> None:
    page = open_my_list(audit_tab)
    assert serious_violations(page) == []
    page = audit_tab.open(EVENT)
    expect(page.get_by_role("button", name="Not going after all")).to_be_visible()
    assert serious_violations(page) == []
    audit_tab.assert_clean()
