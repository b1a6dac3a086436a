"""A real browser against a real server: Debian's Chromium driven by Playwright.

The server is uvicorn on 127.0.0.1 over a store of real, located events and
a frozen clock, with a real SMTP server catching the confirmation mail.
Every page is opened in a context that refuses requests to anywhere but the
server, and records console errors; accessibility is checked with axe-core
from npm (``tests/browser/js``). The tests skip only when the browser or
axe-core is not installed (``.ci/run`` installs both).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import uvicorn
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, Route, sync_playwright
from pydantic import SecretStr

from service.app import create_app
from service.settings import Settings
from service.store import EventStore, make_engine, migrate
from tests.conftest import NOW
from tests.digest_support import SmtpSink, free_port, script_event
from tests.service.located import located_events
from tests.service.web.samples import odd_events

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
AXE = Path(__file__).resolve().parent / "js" / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
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


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    reason = missing()
    if reason is None:
        return
    here = Path(__file__).resolve().parent
    for item in items:
        if here in item.path.resolve().parents:
            item.add_marker(pytest.mark.skip(reason=reason))


@dataclass
class LiveServer:
    url: str
    sink: SmtpSink


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """uvicorn in a thread, on a free port of 127.0.0.1, for the whole session."""
    folder = tmp_path_factory.mktemp("browser")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with SmtpSink() as sink:
        settings = Settings(
            database_url=f"sqlite:///{folder / 'meetscout.db'}",
            sources=folder / "sources.toml",
            base_url=url,
            smtp_url=SecretStr(sink.url),
            mail_from="meetscout <digest@meetscout.test>",
        )
        engine = make_engine(settings.database_url)
        migrate(engine)
        EventStore(engine).upsert_many([*located_events(), script_event(), *odd_events()], now=NOW)
        engine.dispose()
        app = create_app(settings, clock=lambda: NOW)
        server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
        )
        thread = threading.Thread(target=server.run, name="live-server", daemon=True)
        thread.start()
        deadline = time.monotonic() + 20
        while not server.started:
            if time.monotonic() > deadline or not thread.is_alive():
                raise RuntimeError("the test server did not start")
            time.sleep(0.05)
        try:
            yield LiveServer(url=url, sink=sink)
        finally:
            server.should_exit = True
            thread.join(timeout=10)


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    yield chromium
    chromium.close()


@dataclass
class Tab:
    """A page, and what went wrong in it: console errors, uncaught errors, outside requests."""

    page: Page
    server: LiveServer
    errors: list[str] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)

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
    browser: Browser, server: LiveServer, **options: Any
) -> tuple[BrowserContext, Tab]:
    context = browser.new_context(**options)
    page = context.new_page()
    tab = Tab(page=page, server=server)
    own = urlsplit(server.url).netloc

    def guard(route: Route) -> None:
        if urlsplit(route.request.url).netloc == own:
            route.continue_()
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


@pytest.fixture
def tab(browser: Browser, live_server: LiveServer) -> Iterator[Tab]:
    """A desktop-sized page that enforces the server's Content-Security-Policy."""
    context, opened = open_context(browser, live_server, viewport=DESKTOP)
    yield opened
    context.close()


@pytest.fixture
def phone(browser: Browser, live_server: LiveServer) -> Iterator[Tab]:
    """A 375 px wide page, as on a small phone."""
    context, opened = open_context(
        browser, live_server, viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True
    )
    yield opened
    context.close()


@pytest.fixture
def audit_tab(browser: Browser, live_server: LiveServer) -> Iterator[Tab]:
    """A page where axe-core may be injected (the page's own policy forbids inline scripts)."""
    context, opened = open_context(browser, live_server, viewport=DESKTOP, bypass_csp=True)
    yield opened
    context.close()


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
