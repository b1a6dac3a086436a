"""Fetching the pages discovery reads, through the crawl's guard and politeness.

The page given first; then, only when it holds nothing to crawl, the few
event pages it links to on the same site (one hop), each through the guard.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any

import scrapy
from scrapy.crawler import AsyncCrawlerProcess, Crawler
from scrapy.http import Response, TextResponse
from scrapy.settings import Settings as ScrapySettings
from twisted.python.failure import Failure

from crawlers.discover.page import linked_event_pages, propose
from crawlers.guard import ALLOW_SETTING
from crawlers.runner import process_settings
from crawlers.settings import user_agent
from service.settings import Settings


@dataclass(frozen=True)
class Page:
    """The page as fetched (after redirects), or why it could not be."""

    url: str
    body: bytes = b""
    encoding: str = "utf-8"
    error: str | None = None
    linked: dict[str, bytes] = field(default_factory=dict)
    """Event pages it links to, read because the page itself held nothing to crawl."""


class PageSpider(scrapy.Spider):
    """Fetches one address; its ``source`` is the address given, as the guard expects."""

    name = "discover"

    def __init__(self, *, url: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.source = _Given(url)
        self.page = Page(url=url, error="not fetched")

    async def start(self) -> AsyncIterator[Any]:
        yield scrapy.Request(
            self.source.url, callback=self.parse, errback=self.failed, dont_filter=True
        )

    def parse(self, response: Response, **kwargs: Any) -> Iterator[scrapy.Request]:
        if response.status >= 400:
            self.page = Page(url=response.url, error=f"HTTP {response.status}")
            return
        encoding = response.encoding if isinstance(response, TextResponse) else "utf-8"
        self.page = Page(url=response.url, body=response.body, encoding=encoding)
        if propose(response.url, response.body, encoding).crawlable:
            return
        for url in linked_event_pages(response.url, response.body, encoding):
            yield scrapy.Request(url, callback=self.linked, errback=self.not_linked)

    def linked(self, response: Response, **kwargs: Any) -> None:
        if response.status < 400 and isinstance(response, TextResponse):
            self.page.linked[response.url] = response.body

    def not_linked(self, failure: Failure) -> None:
        """A linked page that cannot be read is one page fewer to look at, not a failure."""

    def failed(self, failure: Failure) -> None:
        self.page = Page(url=self.source.url, error=str(failure.value)[:300])


@dataclass(frozen=True)
class _Given:
    url: str


def page_settings(settings: Settings) -> ScrapySettings:
    """The crawl's guard and politeness, without its pipelines or its HTTP cache."""
    crawler_settings = ScrapySettings()
    crawler_settings.setmodule("crawlers.settings", priority="project")
    crawler_settings.set("ITEM_PIPELINES", {}, priority="cmdline")
    crawler_settings.set("HTTPCACHE_ENABLED", False, priority="cmdline")
    crawler_settings.set("LOG_LEVEL", "WARNING", priority="cmdline")
    crawler_settings.set(ALLOW_SETTING, list(settings.fetch_allow), priority="cmdline")
    crawler_settings.set("USER_AGENT", user_agent(settings.contact), priority="cmdline")
    return crawler_settings


def fetch_page(settings: Settings, url: str) -> Page:
    """One guarded fetch of ``url`` (the reactor runs once: one call per process)."""
    process = AsyncCrawlerProcess(process_settings(settings))
    crawler = Crawler(PageSpider, page_settings(settings))
    process.crawl(crawler, url=url)
    process.start()
    spider = crawler.spider
    return spider.page if isinstance(spider, PageSpider) else Page(url=url, error="not started")
