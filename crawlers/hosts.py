"""What the crawlers of one run share about each web host: its turn and its robots.txt.

Each source has its own Scrapy crawler, and crawlers do not share their
downloaders. So that sources of one host can overlap (one parses and stores
while the next one downloads) without the host seeing more than one crawler
at a time, every request to a host waits for its turn here, just before it
goes on the network, and the host's robots.txt is fetched once per run.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from time import monotonic
from typing import Any, Self

from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler
from scrapy.crawler import Crawler
from scrapy.http import Request, Response
from scrapy.utils.httpobj import urlparse_cached

HOSTS_SETTING = "MEETSCOUT_HOSTS"
"""The Scrapy setting that carries a run's :class:`Hosts` to each of its crawlers."""


@dataclass
class _Host:
    slots: asyncio.Semaphore
    spacing: asyncio.Lock = field(default_factory=asyncio.Lock)
    last_start: float = float("-inf")
    not_before: float = float("-inf")


class Hosts:
    """Per-host turns and robots.txt parsers, shared by every crawler of one run.

    A host gets at most ``capacity`` requests at once (the run's
    ``CONCURRENT_REQUESTS_PER_DOMAIN``) from all crawlers together, request
    starts at least ``delay`` apart (the asking crawler's download delay), and
    none before a ``Retry-After`` it sent has passed.
    """

    def __init__(self) -> None:
        self._hosts: dict[str, _Host] = {}
        self.robots: dict[str, Any] = {}
        """Robots.txt parsers (or the Deferreds of their fetch) by netloc."""

    # Scrapy deep-copies settings for each crawler; the run's hosts must stay one object.
    def __copy__(self) -> Self:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> Self:
        return self

    @asynccontextmanager
    async def turn(self, host: str, *, capacity: int, delay: float) -> AsyncIterator[None]:
        """Wait until ``host`` may get one more request; hold the turn while it is fetched."""
        state = self._hosts.get(host)
        if state is None:
            state = self._hosts[host] = _Host(slots=asyncio.Semaphore(max(1, capacity)))
        async with state.slots:
            async with state.spacing:
                wait = max(state.last_start + delay, state.not_before) - monotonic()
                if wait > 0:
                    await asyncio.sleep(wait)
                state.last_start = monotonic()
            yield

    def hold(self, host: str, seconds: float) -> None:
        """No request to ``host`` for ``seconds`` from now (it answered ``Retry-After``)."""
        state = self._hosts.get(host)
        if state is not None:
            state.not_before = max(state.not_before, monotonic() + seconds)


def hosts_of(crawler: Crawler) -> Hosts:
    """The run's shared hosts; a crawler started outside a run gets hosts of its own."""
    hosts = crawler.settings.get(HOSTS_SETTING)
    if isinstance(hosts, Hosts):
        return hosts
    own = getattr(crawler, "_meetscout_hosts", None)
    if not isinstance(own, Hosts):
        own = Hosts()
        setattr(crawler, "_meetscout_hosts", own)  # noqa: B010 (not a Crawler attribute)
    return own


class HostTurnDownloadHandler(HTTP11DownloadHandler):
    """Scrapy's HTTP handler, fetching only when the host's turn has come."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self._crawler = crawler
        self._hosts = hosts_of(crawler)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    async def download_request(self, request: Request) -> Response:
        host = urlparse_cached(request).hostname or ""
        capacity, delay = self._politeness(request)
        async with self._hosts.turn(host, capacity=capacity, delay=delay):
            return await super().download_request(request)

    def _politeness(self, request: Request) -> tuple[int, float]:
        """The asking crawler's concurrency and current delay for this request's slot."""
        settings = self._crawler.settings
        capacity = settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN")
        delay = settings.getfloat("DOWNLOAD_DELAY")
        engine = self._crawler.engine
        slots = engine.downloader.slots if engine is not None else {}
        slot = slots.get(request.meta.get("download_slot", ""))
        if slot is not None:
            capacity, delay = slot.concurrency, slot.delay
        return capacity, delay
