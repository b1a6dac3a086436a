"""A real browser against a real server: Debian's Chromium driven by Playwright.

The server is uvicorn on 127.0.0.1 over a store of real, located events and
a frozen clock, with a real SMTP server catching the confirmation mail.
Every page is opened in a context that refuses requests to anywhere but the
server, and records console errors; accessibility is checked with axe-core
from npm (``tests/browser/js``). The tests skip only when the browser or
axe-core is not installed (``.ci/run`` installs both).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Browser, Playwright, sync_playwright
from pydantic import SecretStr

from service.app import create_app
from service.settings import Settings
from service.store import EventStore, make_engine, migrate
from tests.factories import NOW
from tests.support.browser import (
    ADMIN_SOURCES,
    ADMIN_TOKEN,
    CHROMIUM,
    CHROMIUM_ARGS,
    DESKTOP,
    PHONE,
    LiveServer,
    Tab,
    missing,
    open_context,
)
from tests.support.saved import page_events
from tests.support.smtp import SmtpSink, free_port


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    reason = missing()
    if reason is None:
        return
    here = Path(__file__).resolve().parent
    for item in items:
        if here in item.path.resolve().parents:
            item.add_marker(pytest.mark.skip(reason=reason))


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
            admin_token=SecretStr(ADMIN_TOKEN),
        )
        settings.sources.write_text(ADMIN_SOURCES, encoding="utf-8")
        engine = make_engine(settings.database_url)
        migrate(engine)
        EventStore(engine).upsert_many(page_events(), now=NOW)
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
