"""Driving Debian's Chromium with Playwright against the live test server.

Every page opens in a context that refuses requests to anywhere but the
server and records console errors; accessibility is checked with axe-core
from npm (``tests/browser/js``).
"""

from __future__ import annotations

import base64
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from playwright.sync_api import Browser, BrowserContext, Page, Route

from tests.support.smtp import SmtpSink

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
AXE = ROOT / "tests" / "browser" / "js" / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TILE_HOST = "tile.openstreetmap.org"
BLANK_TILE = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8/5+hHgAHggJ/PchI7wAAAABJRU5ErkJggg=="
)
"""A 1 by 1 PNG, in place of every map tile."""
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 812}
SCREENSHOTS = Path(os.environ.get("MEETSCOUT_TEST_OUTPUT", ROOT / "test-output")) / "screenshots"


def missing() -> str | None:
    """Why the browser tests cannot run here, if they cannot."""
    if not CHROMIUM.exists():
        return f"no browser at {CHROMIUM} (apt-get install -y chromium)"
    if not AXE.exists():
        return f"axe-core is not installed at {AXE} (cd tests/browser/js && npm ci)"
    return None


ADMIN_TOKEN = "operator-token-for-the-browser-tests"
"""The live server's ``MEETSCOUT_ADMIN_TOKEN``: the operator's pages are on."""

ADMIN_SOURCES = """\
# The operator's sources in the browser tests: files that are never crawled here.
[[source]]
name = "city-library"
type = "ics"
url = "library.ics"

[[source]]
name = "chamber"
type = "ics"
url = "chamber.ics"
"""


@dataclass
class LiveServer:
    url: str
    sink: SmtpSink


@dataclass
class Tab:
    """A page, and what went wrong in it: console errors, uncaught errors, outside requests."""

    page: Page
    server: LiveServer
    errors: list[str] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)
    tiles: list[str] = field(default_factory=list)
    """Map tiles asked of OpenStreetMap: answered with a blank tile, or refused."""

    def open(self, path: str) -> Page:
        response = self.page.goto(self.server.url + path)
        assert response is not None
        return self.page

    def screenshot(self, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def assert_clean(self) -> None:
        assert self.errors == [], "console errors"
        assert self.outside == [], "requests to anywhere but the server"


def open_context(
    browser: Browser, server: LiveServer, *, block_tiles: bool = False, **options: Any
) -> tuple[BrowserContext, Tab]:
    """A page that reaches only the server; OpenStreetMap's tiles get a blank tile from the
    test (never the network), or are refused with ``block_tiles``."""
    context = browser.new_context(**options)
    page = context.new_page()
    tab = Tab(page=page, server=server)
    own = urlsplit(server.url).netloc

    def guard(route: Route) -> None:
        where = urlsplit(route.request.url).netloc
        if where == own:
            route.continue_()
        elif where == TILE_HOST:
            tab.tiles.append(route.request.url)
            if block_tiles:
                route.abort()
            else:
                route.fulfill(status=200, content_type="image/png", body=BLANK_TILE)
        else:
            tab.outside.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    page.on(
        "console",
        lambda message: tab.errors.append(message.text) if message.type == "error" else None,
    )
    page.on("pageerror", lambda error: tab.errors.append(str(error)))
    return context, tab


def serious_violations(page: Page) -> list[dict[str, Any]]:
    """What axe-core finds at impact serious or critical, against WCAG 2.1 AA and best practice."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        """async () => {
            const found = await axe.run(document, {
                runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa",
                                                 "wcag22aa", "best-practice"]},
            });
            return found.violations.map((v) => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 5).map((n) => n.target.join(" ")),
            }));
        }"""
    )
    return [item for item in result if item["impact"] in ("serious", "critical")]
