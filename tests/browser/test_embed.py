"""``/embed`` in the real browser: framed by another site, it sizes itself, and passes axe-core."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.support.browser import PHONE, Tab, serious_violations
from tests.support.smtp import free_port

EMBED = "/embed?near=Berlin&radius_km=150&items=8"
INITIAL_HEIGHT = "480px"
SIZED = "() => document.querySelector('iframe').style.height !== '480px'"


@dataclass
class OtherSite:
    """A site that pastes the snippet: its address, and the folder it serves."""

    url: str
    folder: Path

    def show(self, tab: Tab, snippet: str) -> None:
        """Publish a page with ``snippet`` on this site and open it in ``tab``."""
        body = f"<!doctype html><html lang=en><title>Library events</title>{snippet}</html>"
        (self.folder / "events.html").write_text(body, encoding="utf-8")
        tab.page.route(f"{self.url}/**", lambda route: route.continue_())
        tab.page.goto(f"{self.url}/events.html")


@pytest.fixture
def other_site(tmp_path: Path) -> Iterator[OtherSite]:
    """A plain HTTP server on another port of 127.0.0.1: another origin on the same machine
    (Chromium lets only a page on this machine load from 127.0.0.1)."""
    handler = partial(SimpleHTTPRequestHandler, directory=str(tmp_path))
    server = ThreadingHTTPServer(("127.0.0.1", free_port()), handler)
    thread = threading.Thread(target=server.serve_forever, name="other-site", daemon=True)
    thread.start()
    try:
        yield OtherSite(url=f"http://127.0.0.1:{server.server_address[1]}", folder=tmp_path)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def snippet_of(tab: Tab) -> str:
    page = tab.open("/?near=Berlin&radius_km=150")
    return str(page.locator("#embed-snippet").input_value())


def test_embedded_list_sizes_its_iframe_to_its_content(tab: Tab, other_site: OtherSite) -> None:
    other_site.show(tab, snippet_of(tab).replace("/embed?", "/embed?items=5&"))
    frame = tab.page.locator("iframe[data-meetscout-embed]")
    tab.page.frame_locator("iframe[data-meetscout-embed]").locator(".embed-list").wait_for()
    tab.page.wait_for_function(SIZED, timeout=10_000)

    inner = tab.page.frames[1]
    assert inner.locator(".embed-list li").count() == 5
    inside = inner.evaluate("document.documentElement.getBoundingClientRect().height")
    height = frame.evaluate("node => node.getBoundingClientRect().height")
    assert abs(height - inside) <= 1
    assert frame.evaluate("node => node.contentDocument") is None, "another origin's frame"
    assert tab.outside == [] and tab.errors == []


def test_embed_ignores_height_messages_from_other_origins(tab: Tab, other_site: OtherSite) -> None:
    other_site.show(tab, snippet_of(tab))
    tab.page.wait_for_function(SIZED, timeout=10_000)
    before = tab.page.evaluate("document.querySelector('iframe').style.height")

    tab.page.evaluate("window.postMessage({meetscout: 'embed-height', height: 5000}, '*')")
    tab.page.wait_for_timeout(200)

    assert tab.page.evaluate("document.querySelector('iframe').style.height") == before


def test_without_the_script_the_frame_keeps_its_height(tab: Tab, other_site: OtherSite) -> None:
    iframe_only = snippet_of(tab).split("<script")[0]
    other_site.show(tab, iframe_only)
    tab.page.frame_locator("iframe").locator(".embed-list").wait_for()
    assert tab.page.evaluate("document.querySelector('iframe').style.height") == INITIAL_HEIGHT


def test_embed_page_has_no_serious_accessibility_violations(audit_tab: Tab) -> None:
    page = audit_tab.open(EMBED)
    assert serious_violations(page) == []
    audit_tab.assert_clean()


def test_embed_on_a_phone_does_not_scroll_sideways(phone: Tab) -> None:
    page = phone.open(EMBED)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], "the embedded list scrolls sideways at 375 px"
    phone.screenshot("embed-375")
    phone.assert_clean()


def test_copy_the_snippet_button_selects_it(tab: Tab) -> None:
    page = tab.open("/?near=Berlin&radius_km=150")
    page.get_by_role("button", name="Copy the snippet").click()
    selected = page.evaluate("document.activeElement.id")
    status = page.locator("#anywhere .copy-status").text_content() or ""
    assert selected == "embed-snippet"
    assert "Paste it into your page" in status or "Ctrl+C" in status
    tab.assert_clean()
