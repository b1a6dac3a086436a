"""Host turns shared by a run's crawlers: one request at a time, spaced, held on Retry-After."""

from __future__ import annotations

import asyncio
import copy
import itertools
import threading
import time
from collections.abc import Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import pytest
from scrapy.settings import Settings as ScrapySettings
from scrapy.utils.misc import load_object

from benchmarks.crawl import parse_args
from crawlers.hosts import HOSTS_SETTING, Hosts, HostTurnDownloadHandler
from crawlers.runner import scrapy_settings
from crawlers.sources import Source
from service.settings import Settings
from tests.support.crawling import FLASKCON, FLASKCON_NOW, crawl

FEED = FLASKCON.read_bytes()


async def _fetch(
    hosts: Hosts, host: str, log: list[tuple[str, float, float]], **turn: float
) -> None:
    capacity = int(turn.get("capacity", 1))
    async with hosts.turn(host, capacity=capacity, delay=turn.get("delay", 0.0)):
        began = time.monotonic()
        await asyncio.sleep(0.05)
        log.append((host, began, time.monotonic()))


def run_alone(main: Coroutine[Any, Any, None]) -> None:
    """``asyncio.run`` on a thread of its own: the test process may already run a loop here
    (Playwright's, for the browser tests sharing the worker)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, main).result()


def _overlaps(log: list[tuple[str, float, float]], host: str) -> int:
    spans = sorted((began, ended) for name, began, ended in log if name == host)
    return sum(1 for (_, end), (start, _) in itertools.pairwise(spans) if start < end)


def test_one_request_at_a_time_per_host_other_hosts_in_parallel() -> None:
    hosts, log = Hosts(), []

    async def main() -> None:
        await asyncio.gather(*(_fetch(hosts, name, log) for name in ["a", "a", "a", "b", "b"]))

    began = time.monotonic()
    run_alone(main())
    assert _overlaps(log, "a") == 0 and _overlaps(log, "b") == 0
    assert time.monotonic() - began < 0.05 * 5  # host b did not wait for host a


def test_capacity_allows_that_many_at_once() -> None:
    hosts, log = Hosts(), []

    async def main() -> None:
        await asyncio.gather(*(_fetch(hosts, "a", log, capacity=2) for _ in range(4)))

    run_alone(main())
    assert _overlaps(log, "a") > 0


def test_request_starts_are_spaced_by_the_delay() -> None:
    hosts, log = Hosts(), []

    async def main() -> None:
        await asyncio.gather(*(_fetch(hosts, "a", log, capacity=4, delay=0.2) for _ in range(3)))

    run_alone(main())
    starts = sorted(began for _, began, _ in log)
    assert all(later - earlier >= 0.19 for earlier, later in itertools.pairwise(starts))


def test_retry_after_holds_every_later_request_to_the_host() -> None:
    hosts, log = Hosts(), []

    async def main() -> None:
        await _fetch(hosts, "a", log)
        hosts.hold("a", 0.3)
        held = time.monotonic()
        await asyncio.gather(_fetch(hosts, "a", log), _fetch(hosts, "b", log))
        assert log[-2][0] == "b" and log[-2][1] - held < 0.1  # another host is not held
        assert log[-1][0] == "a" and log[-1][1] - held >= 0.29

    run_alone(main())


def test_hosts_stay_one_object_through_scrapy_settings_copies() -> None:
    hosts = Hosts()
    settings = ScrapySettings({HOSTS_SETTING: hosts})
    assert settings.copy()[HOSTS_SETTING] is hosts
    assert copy.deepcopy(settings)[HOSTS_SETTING] is hosts


class SlowServer(BaseHTTPRequestHandler):
    """Serves feeds slowly and counts requests in flight at once."""

    hits: ClassVar[list[str]] = []
    busy: ClassVar[int] = 0
    most_busy: ClassVar[int] = 0
    lock = threading.Lock()

    def do_GET(self) -> None:
        with SlowServer.lock:
            SlowServer.hits.append(self.path)
            SlowServer.busy += 1
            SlowServer.most_busy = max(SlowServer.most_busy, SlowServer.busy)
        time.sleep(1.0 if self.path == "/robots.txt" else 0.15)
        body = b"User-agent: *\nDisallow: /private/\n" if self.path == "/robots.txt" else FEED
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        with SlowServer.lock:
            SlowServer.busy -= 1

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def slow_server() -> Iterator[str]:
    SlowServer.hits, SlowServer.busy, SlowServer.most_busy = [], 0, 0
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), SlowServer)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def test_sources_of_one_host_share_robots_txt_and_never_fetch_at_once(
    slow_server: str, settings: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: object
) -> None:
    monkeypatch.setenv("MEETSCOUT_HTTP_CACHE_DIR", f"{tmp_path}/cache")
    feeds = [(f"feed-{n}", f"{n}.ics") for n in range(5)]
    # Its crawler is the second to wait for the first crawler's fetch of robots.txt.
    feeds.insert(2, ("private", "private/feed.ics"))
    settings.sources.write_text(
        "".join(
            f'[[source]]\nname = "{name}"\ntype = "ics"\nurl = "{slow_server}/{path}"\n'
            for name, path in feeds
        )
    )
    reports = crawl(settings, FLASKCON_NOW)
    assert [reports[f"feed-{n}"]["outcome"] for n in range(5)] == ["ok"] * 5
    assert reports["private"]["outcome"] == "failed"  # robots.txt forbids it
    assert SlowServer.hits.count("/robots.txt") == 1
    assert sorted(SlowServer.hits) == sorted(["/robots.txt", *(f"/{n}.ics" for n in range(5))])
    assert SlowServer.most_busy == 1


def test_every_source_crawler_waits_for_its_host_turn_without_remote_control(
    settings: Settings,
) -> None:
    source = Source(name="feed", type="ics", url="https://example.org/feed.ics")
    scrapy = scrapy_settings(settings, source)
    handlers = scrapy.getwithbase("DOWNLOAD_HANDLERS")
    assert load_object(handlers["https"]) is HostTurnDownloadHandler
    assert load_object(handlers["http"]) is HostTurnDownloadHandler
    middlewares = scrapy.getwithbase("DOWNLOADER_MIDDLEWARES")
    assert middlewares["scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware"] is None
    assert "crawlers.middlewares.SharedRobotsTxtMiddleware" in middlewares
    # Scrapy's code-running HTTP server would start and stop with every source.
    assert scrapy.getbool("REMOTE_CONTROL_ENABLED") is False


def test_crawl_benchmark_can_leave_results_unwritten() -> None:
    assert parse_args(["--no-write"]).write is False
    assert parse_args([]).write is True
