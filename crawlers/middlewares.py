"""Downloader middlewares: honour a server's ``Retry-After``; read robots.txt once per run."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, Self
from urllib.parse import urlparse

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.http import Response
from scrapy.robotstxt import RobotParser
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred

from crawlers.hosts import hosts_of

RETRY_AFTER_CODES = (429, 503)


def retry_after_seconds(value: bytes | str | None, now: datetime) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


class RetryAfterMiddleware:
    """On 429/503 with ``Retry-After``, slow the whole host down and retry once it allows.

    A wait longer than ``RETRY_AFTER_MAX`` is not honoured by waiting: the
    response goes on and the source's crawl counts it as failed.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.max_wait: float = crawler.settings.getfloat("RETRY_AFTER_MAX", 120.0)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    async def process_response(self, request: Request, response: Response) -> Request | Response:
        if response.status not in RETRY_AFTER_CODES:
            return response
        wait = retry_after_seconds(response.headers.get("Retry-After"), datetime.now(UTC))
        if wait is None or wait > self.max_wait:
            return response
        self._slow_down(request, wait)
        # The slot delay is randomised by Scrapy (0.5 to 1.5 times); the retry
        # itself waits the full time the server asked for.
        await asyncio.sleep(wait)
        spider = self.crawler.spider
        if spider is None:  # only while a crawl runs does a response reach here
            return response
        retry = get_retry_request(request, spider=spider, reason=f"retry_after_{response.status}")
        return retry if retry is not None else response

    def _slow_down(self, request: Request, wait: float) -> None:
        # The other crawlers of the run must wait too, not only this one.
        hosts_of(self.crawler).hold(urlparse(request.url).hostname or "", wait)
        downloader = self.crawler.engine.downloader if self.crawler.engine else None
        if downloader is None:
            return
        key = request.meta.get("download_slot") or urlparse(request.url).hostname or ""
        slot = downloader.slots.get(key)
        if slot is not None:
            slot.delay = max(slot.delay, wait)


class SharedRobotsTxtMiddleware(RobotsTxtMiddleware):
    """Scrapy's robots.txt middleware, with one parser per host for the whole run.

    Each source has its own crawler; without sharing, every one of them would
    fetch the host's robots.txt again before its first page.
    """

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self._parsers = hosts_of(crawler).robots

    async def robot_parser(self, request: Request) -> RobotParser | None:
        """The host's parser; waiting for a fetch in progress gets its result too.

        Scrapy awaits the fetch's Deferred itself, which hands the parser to
        the first waiter only (the later ones would get None: no rules).
        """
        fetching = self._parsers.get(urlparse_cached(request).netloc)
        if not isinstance(fetching, Deferred):
            return await super().robot_parser(request)
        mine: Deferred[RobotParser | None] = Deferred()

        def share(result: Any) -> Any:
            mine.callback(result)
            return result

        fetching.addBoth(share)
        return await maybe_deferred_to_future(mine)
