"""A crawl spread over two processes on Redis (``MEETSCOUT_REDIS_URL``, crawlers/spread.py).

Two real crawl processes share the Redis at 127.0.0.1:6379 (under a key
prefix of this test's own) and one SQLite store; a local server on
127.0.0.1 serves saved real feeds and event pages and counts what it
serves. Nothing here is timed: the server holds every answer until both
processes hold sources, so both take part whatever the machine's speed.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import redis
from pydantic import ValidationError
from sqlalchemy import func, select

from crawlers.sources import load_sources
from crawlers.spread import Leases, SharedCrawl
from service.settings import Settings
from service.store import HealthStore, make_engine, migrate
from service.store.tables import events
from tests.support.saved import FIXTURES
from tests.support.shared_redis import isolated_prefix, start_shared_crawl

NOW = datetime(2020, 6, 1, tzinfo=UTC)
"""With the sources' wide windows below, every saved event is inside the crawl."""
FEEDS = (
    "gdg-toulouse-tech-hub-meetups.ics",
    "zimbra-recurrence-exceptions.ics",
    "pycon-us-2025-flaskcon.ics",
    "thunderbird-cancelled-instance.ics",
    "google-moved-recurring-instance.ics",
    "pycon-us-2025-charlas-spanish-track.ics",
)
LISTINGS = {
    "bookshops": (
        "eventbrite-organizer-queer-lit-bookshop.html",
        "dice-fm-venue-page-music-events.html",
    ),
    "socials": (
        "outsavvy-event-series-26-socialevents.html",
        "wordpress-listing-12-events-missing-locations.html",
    ),
}
WAIT = 60.0
"""Longest a step may take before the test gives up (a stuck crawl, not a slow machine)."""


class Site:
    """Saved pages on 127.0.0.1; answers wait for ``gate``; ``hold`` keeps one path waiting."""

    def __init__(self) -> None:
        self.served: Counter[str] = Counter()
        self.asked: Counter[str] = Counter()
        self.gate = threading.Event()
        self.hold: str | None = None
        self.released = threading.Event()
        self.pages: dict[str, tuple[bytes, str]] = {}
        for name in FEEDS:
            self.pages[f"/ics/{name}"] = ((FIXTURES / "ics" / name).read_bytes(), "text/calendar")
        for listing, names in LISTINGS.items():
            links = "".join(f'<a class="event" href="/html/{name}">{name}</a>' for name in names)
            self.pages[f"/{listing}/"] = (
                f"<html><body>{links}</body></html>".encode(),
                "text/html",
            )
            for name in names:
                self.pages[f"/html/{name}"] = ((FIXTURES / "html" / name).read_bytes(), "text/html")

    def sources(self, base: str) -> str:
        entries = [
            f'[[source]]\nname = "{name.removesuffix(".ics")}"\ntype = "ics"\n'
            f'url = "{base}/ics/{name}"\nkind = "meetup"\ndays_back = 3650\ndays_ahead = 2000\n'
            for name in FEEDS
        ]
        entries += [
            f'[[source]]\nname = "{listing}"\ntype = "jsonld"\nurl = "{base}/{listing}/"\n'
            'follow = "a.event"\ndays_back = 3650\ndays_ahead = 2000\n'
            for listing in LISTINGS
        ]
        return "\n".join(entries)


@pytest.fixture
def site() -> Iterator[tuple[Site, str]]:
    state = Site()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            page = state.pages.get(self.path)
            if page is None:  # robots.txt among them: allowed, and not counted
                self.send_error(404)
                return
            state.asked[self.path] += 1
            state.gate.wait(WAIT)
            if self.path == state.hold:
                state.released.wait(WAIT)
            body, content_type = page
            try:
                self.send_response(200)
                self.send_header("Content-Type", f"{content_type}; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except OSError:  # the process that asked was killed meanwhile
                return
            state.served[self.path] += 1

        def log_message(self, *_args: object) -> None:
            return

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield state, f"http://127.0.0.1:{httpd.server_address[1]}"
    state.gate.set()
    state.released.set()
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def shared() -> Iterator[tuple[redis.Redis, str]]:
    with isolated_prefix() as client_and_prefix:
        yield client_and_prefix


def _until(condition: object, what: str) -> None:
    deadline = time.monotonic() + WAIT
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            pytest.fail(f"gave up waiting: {what}")
        time.sleep(0.05)


def _pid(holder: str) -> int:
    return int(holder.split(":")[-2])


def _finish(process: subprocess.Popen[str]) -> list[dict]:
    out, err = process.communicate(timeout=WAIT * 2)
    assert process.returncode == 0, err[-3000:]
    return json.loads(out.strip().splitlines()[-1])


def _setup(tmp_path: Path, base: str, site: Site) -> tuple[str, Path]:
    sources = tmp_path / "sources.toml"
    sources.write_text(site.sources(base))
    database = f"sqlite:///{tmp_path / 'meetscout.db'}"
    engine = make_engine(database)
    migrate(engine)
    engine.dispose()
    return database, sources


def _runs_per_source(database: str) -> tuple[dict[str, list], int]:
    engine = make_engine(database)
    try:
        health = HealthStore(engine)
        runs = {name: health.runs(source=name, limit=10) for name in _names()}
        with engine.connect() as conn:
            stored = conn.execute(select(func.count()).select_from(events)).scalar_one()
    finally:
        engine.dispose()
    return runs, stored


def _names() -> list[str]:
    return [name.removesuffix(".ics") for name in FEEDS] + list(LISTINGS)


def test_two_processes_split_the_sources_and_fetch_every_page_once(
    tmp_path: Path, site: tuple[Site, str], shared: tuple[redis.Redis, str]
) -> None:
    state, base = site
    client, prefix = shared
    database, sources = _setup(tmp_path, base, state)
    crawl = SharedCrawl(
        client,
        Leases(client, prefix=prefix, holder="test"),
        load_sources(sources),
        prefix=prefix,
    )
    processes = [
        start_shared_crawl(
            database=database, sources=sources, now=NOW, prefix=prefix, lease_seconds=30
        )
        for _ in range(2)
    ]
    try:
        # Answers wait until both processes have taken sources of their own.
        _until(lambda: len({_pid(h) for h in crawl.holders().values()}) == 2, "both take sources")
        state.gate.set()
        reports = [_finish(process) for process in processes]
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()

    crawled = [[report["source"] for report in part] for part in reports]
    assert all(crawled), "each process crawled sources"
    assert sorted(crawled[0] + crawled[1]) == sorted(_names()), "each source by one process"
    assert set(state.served) == set(state.pages)
    assert set(state.served.values()) == {1}, "every page fetched once"
    runs, stored = _runs_per_source(database)
    assert {name: len(found) for name, found in runs.items()} == dict.fromkeys(_names(), 1)
    assert {run.outcome for found in runs.values() for run in found} == {"ok"}
    assert sum(run.stored for found in runs.values() for run in found) == stored > 0, (
        "every event stored by one source's crawl"
    )
    assert list(client.scan_iter(match=f"{prefix}:*")) == [], "the run's keys are cleaned"


def test_the_sources_of_a_killed_process_are_crawled_by_the_other(
    tmp_path: Path, site: tuple[Site, str], shared: tuple[redis.Redis, str]
) -> None:
    state, base = site
    client, prefix = shared
    database, sources = _setup(tmp_path, base, state)
    crawl = SharedCrawl(
        client,
        Leases(client, prefix=prefix, holder="test"),
        load_sources(sources),
        prefix=prefix,
    )
    state.hold = "/html/dice-fm-venue-page-music-events.html"  # a page the listing links to
    processes = [
        start_shared_crawl(
            database=database, sources=sources, now=NOW, prefix=prefix, lease_seconds=3
        )
        for _ in range(2)
    ]
    by_pid = {process.pid: process for process in processes}
    try:
        _until(lambda: len({_pid(h) for h in crawl.holders().values()}) == 2, "both take sources")
        state.gate.set()
        _until(lambda: state.asked[state.hold] == 1, "the held page is asked for")
        victim = by_pid[_pid(crawl.holders()["bookshops"])]
        os.kill(victim.pid, signal.SIGKILL)
        victim.wait(timeout=WAIT)
        state.released.set()
        (survivor,) = (process for process in processes if process is not victim)
        reports = _finish(survivor)
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()

    assert "bookshops" in {report["source"] for report in reports}, "taken over and crawled"
    assert state.served[state.hold] == 1, "its page fetched whole by the survivor"
    runs, stored = _runs_per_source(database)
    assert {name: len(found) for name, found in runs.items()} == dict.fromkeys(_names(), 1), (
        "every source concluded once, the killed one's by the survivor"
    )
    assert {run.outcome for found in runs.values() for run in found} == {"ok"}
    assert sum(run.stored for found in runs.values() for run in found) == stored > 0
    assert list(client.scan_iter(match=f"{prefix}:*")) == [], "the run's keys are cleaned"


def test_the_redis_setting_takes_a_redis_url_or_nothing(tmp_path: Path) -> None:
    assert Settings(data_dir=tmp_path, redis_url="").redis_url is None
    url = "redis://127.0.0.1:6379/0"
    assert Settings(data_dir=tmp_path, redis_url=url).redis_url == url
    with pytest.raises(ValidationError, match="a Redis URL"):
        Settings(data_dir=tmp_path, redis_url="http://127.0.0.1:6379")
