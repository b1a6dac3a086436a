"""Downloader middleware: honour a server's ``Retry-After``."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Self
from urllib.parse import urlparse

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.http import Response

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

    async def process_response(
        self, request: Request, response: Response, spider: Spider
    ) -> Request | Response:
        if response.status not in RETRY_AFTER_CODES:
            return response
        wait = retry_after_seconds(response.headers.get("Retry-After"), datetime.now(UTC))
        if wait is None or wait > self.max_wait:
            return response
        self._slow_down(request, wait)
        # The slot delay is randomised by Scrapy (0.5 to 1.5 times); the retry
        # itself waits the full time the server asked for.
        await asyncio.sleep(wait)
        retry = get_retry_request(request, spider=spider, reason=f"retry_after_{response.status}")
        return retry if retry is not None else response

    def _slow_down(self, request: Request, wait: float) -> None:
        downloader = self.crawler.engine.downloader if self.crawler.engine else None
        if downloader is None:
            return
        key = request.meta.get("download_slot") or urlparse(request.url).hostname or ""
        slot = downloader.slots.get(key)
        if slot is not None:
            slot.delay = max(slot.delay, wait)
