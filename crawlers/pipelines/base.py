"""What pipelines share: access to the running spider's report."""

from __future__ import annotations

from typing import Any, Self

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from crawlers.report import SourceReport


class ReportingPipeline:
    """A pipeline that counts every item it drops, by reason, in the source's report."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    @property
    def spider(self) -> Any:
        return self.crawler.spider

    @property
    def report(self) -> SourceReport:
        report: SourceReport = self.spider.report
        return report

    def drop(self, reason: str, detail: str = "") -> DropItem:
        """Count the drop and return the exception to raise.

        Logged at DEBUG: the per-source summary already counts every drop.
        """
        self.report.drop(reason)
        return DropItem(f"{reason}: {detail}" if detail else reason, log_level="DEBUG")
