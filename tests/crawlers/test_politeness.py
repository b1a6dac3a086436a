"""Politeness against a local HTTP server: robots.txt, Retry-After, conditional re-fetch."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest
from pydantic import ValidationError

from crawlers.middlewares import retry_after_seconds
from service.settings import Settings
from service.text.health import FETCH
from tests.support.crawling import FLASKCON, FLASKCON_NOW, crawl

FEED = FLASKCON.read_bytes()


class FeedServer(BaseHTTPRequestHandler):
    log: ClassVar[list[tuple[str, dict[str, str], float]]] = []
    busy_once: ClassVar[bool] = True

    def do_GET(self) -> None:
        FeedServer.log.append((self.path, dict(self.headers), time.monotonic()))
        if self.path == "/robots.txt":
            self._send(200, b"User-agent: *\nDisallow: /private/\n", "text/plain")
        elif self.path == "/feed.ics" and FeedServer.busy_once:
            FeedServer.busy_once = False
            self._send(503, b"busy", "text/plain", {"Retry-After": "1"})
        elif self.path == "/feed.ics" and self.headers.get("If-None-Match") == '"v1"':
            self._send(304, b"", "text/calendar", {"ETag": '"v1"'})
        elif self.path in ("/feed.ics", "/private/feed.ics"):
            self._send(200, FEED, "text/calendar; charset=utf-8", {"ETag": '"v1"'})
        else:
            self._send(404, b"not found", "text/plain")

    def _send(
        self, status: int, body: bytes, kind: str, headers: dict[str, str] | None = None
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    FeedServer.log = []
    FeedServer.busy_once = True
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), FeedServer)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def test_crawl_is_polite_and_refetches_conditionally(
    server: str, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MEETSCOUT_HTTP_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("MEETSCOUT_CONTACT", "https://ops.example.org/meetscout")
    settings.sources.write_text(
        f'[[source]]\nname = "feed"\ntype = "ics"\nurl = "{server}/feed.ics"\n'
        f'[[source]]\nname = "private"\ntype = "ics"\nurl = "{server}/private/feed.ics"\n'
    )
    first = crawl(settings, FLASKCON_NOW)
    assert first["feed"]["outcome"] == "ok"
    assert first["feed"]["stored"] == 6
    assert first["private"]["outcome"] == "failed"  # robots.txt forbids it
    assert first["private"]["error"] == FETCH["robots"]
    paths = [path for path, _, _ in FeedServer.log]
    assert "/private/feed.ics" not in paths
    feed_hits = [(headers, at) for path, headers, at in FeedServer.log if path == "/feed.ics"]
    assert len(feed_hits) == 2
    assert feed_hits[1][1] - feed_hits[0][1] >= 1.0  # waited as Retry-After asked
    agent = "meetscout/0.1 (event discovery; +https://ops.example.org/meetscout)"
    assert feed_hits[0][0]["User-Agent"] == agent  # says who runs it, as set

    FeedServer.log = []
    second = crawl(settings, FLASKCON_NOW)
    assert second["feed"]["outcome"] == "ok"
    assert second["feed"]["stored"] == 6
    [(headers, _)] = [(h, at) for path, h, at in FeedServer.log if path == "/feed.ics"]
    assert headers.get("If-None-Match") == '"v1"'


def test_a_contact_is_one_printable_line_and_nominatim_needs_one(tmp_path: Path) -> None:
    base = {"sources": tmp_path / "sources.toml"}
    assert Settings(**base).contact is None
    for bad in ("a\r\nX-Injected: 1", "x" * 201, "(me)", "", "café@example.org"):
        with pytest.raises(ValidationError, match="contact"):
            Settings(**base, contact=bad)
    with pytest.raises(ValidationError, match="MEETSCOUT_CONTACT"):
        Settings(**base, geocoder="nominatim")
    assert Settings(**base, geocoder="nominatim", contact="ops@example.org").contact


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (b"120", 120.0),
        ("Wed, 27 Nov 2026 12:01:00 GMT", 60.0),
        ("Wed, 27 Nov 2026 11:00:00 GMT", 0.0),
        (b"soon", None),
        (None, None),
    ],
)
def test_retry_after_seconds(value: bytes | str | None, expected: float | None) -> None:
    assert retry_after_seconds(value, datetime(2026, 11, 27, 12, 0, tzinfo=UTC)) == expected


def test_the_project_middlewares_and_pipelines_take_no_spider_argument() -> None:
    """Scrapy warns, in front of the person running a crawl, about a middleware or
    pipeline method that still requires the spider argument (deprecated)."""
    from scrapy.utils.deprecate import argument_is_required
    from scrapy.utils.misc import load_object

    from crawlers import settings as crawl_settings

    paths = [
        path
        for table in (crawl_settings.DOWNLOADER_MIDDLEWARES, crawl_settings.ITEM_PIPELINES)
        for path, order in table.items()
        if order is not None and path.startswith("crawlers.")
    ]
    methods = ("process_request", "process_response", "process_exception", "process_item")
    methods += ("open_spider", "close_spider")
    requiring = [
        f"{path}.{name}"
        for path in paths
        for name in methods
        if hasattr(cls := load_object(path), name)
        and argument_is_required(getattr(cls, name), "spider")
    ]

    assert len(paths) >= 5
    assert requiring == []
