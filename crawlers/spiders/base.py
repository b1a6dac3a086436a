"""What every source spider shares: its source, its window, its report."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import scrapy
from scrapy.http import Response
from twisted.python.failure import Failure

from crawlers.guard import FetchRefused
from crawlers.report import SourceReport
from crawlers.sources import Source
from service.model import Venue

DEFAULT_DAYS_BACK = 7
DEFAULT_DAYS_AHEAD = 365


class SourceSpider(scrapy.Spider):
    """Base of every spider type; one instance crawls one ``sources.toml`` entry.

    ``now`` is given, never read from the clock here, so that tests and the
    crawl window are deterministic.
    """

    source_type = ""

    def __init__(
        self,
        *,
        source: Source,
        now: datetime,
        days_back: int = DEFAULT_DAYS_BACK,
        days_ahead: int = DEFAULT_DAYS_AHEAD,
        **kwargs: Any,
    ) -> None:
        super().__init__(name=source.name, **kwargs)
        if now.tzinfo is None:
            raise ValueError("now must be timezone-aware")
        self.source = source
        self.now = now
        back = source.days_back if source.days_back is not None else days_back
        ahead = source.days_ahead if source.days_ahead is not None else days_ahead
        self.window_start = now - timedelta(days=back)
        self.window_end = now + timedelta(days=ahead)
        self.report = SourceReport(
            source=source.name,
            type=self.source_type,
            started=now,
            window_start=self.window_start,
            window_end=self.window_end,
        )

    def default_venue(self) -> Venue:
        location = self.source.location
        if location is None:
            return Venue()
        return Venue(**location.model_dump())

    def record_response(self, response: Response) -> None:
        self.report.http_status = response.status

    def on_error(self, failure: Failure) -> None:
        """Count a request that failed (DNS, refused, missing file, HTTP error)."""
        if failure.check(FetchRefused):
            message = str(failure.value)
            self.logger.warning("%s: %s", self.source.name, message)
            self.report.fail("refused", message)
            return
        response = getattr(failure.value, "response", None)
        if response is not None:
            self.report.http_status = response.status
        message = f"{failure.type.__name__}: {failure.getErrorMessage()}"[:500]
        self.logger.warning("%s: fetch failed: %s", self.source.name, message)
        self.report.fail("fetch_failed", message)
