"""A dry crawl of one source: what a crawl would store, stored nowhere.

The same spider and the same pipelines as a crawl (normalise, locate,
classify), but the store's stage is replaced by one that keeps the events in
memory, and nothing is written: no events, no health, no HTTP cache. Given
an address instead of a source, the page is fetched and read by discovery
first, and its proposal is what is crawled, all in one run of the reactor
(which runs once a process).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import datetime

from scrapy.crawler import AsyncCrawlerProcess, Crawler
from scrapy.settings import Settings as ScrapySettings

from crawlers.discover import Proposal, propose
from crawlers.discover.fetch import Page, PageSpider, page_settings
from crawlers.discover.write import proposed_source
from crawlers.pipelines.base import ReportingPipeline
from crawlers.pipelines.classify import lend_within_source
from crawlers.report import SourceReport
from crawlers.runner import SPIDERS, process_settings, scrapy_settings
from crawlers.sources import Source
from crawlers.spiders.base import SourceSpider
from service.model import Event
from service.settings import Settings

logger = logging.getLogger(__name__)

DRY_PIPELINES = {
    "crawlers.pipelines.normalize.NormalizePipeline": 100,
    "crawlers.pipelines.locate.LocatePipeline": 200,
    "crawlers.pipelines.classify.ClassifyPipeline": 300,
    "crawlers.check.KeepPipeline": 900,
}


class KeepPipeline(ReportingPipeline):
    """The store's place in a dry crawl: keeps each event once, by id, in the spider."""

    def process_item(self, item: Event) -> Event:
        kept: dict[str, Event] = self.spider.kept
        if item.id in kept:
            raise self.drop("duplicate_in_source", item.id)
        kept[item.id] = item
        return item

    def close_spider(self) -> None:
        """Lend the source's field to its events, as the store pipeline does."""
        lend_within_source(self.spider, self.spider.kept.values())


@dataclass
class Check:
    """What a dry crawl found: the events it would store and its report; or why none."""

    source: Source | None
    proposal: Proposal | None = None
    events: list[Event] = field(default_factory=list)
    report: SourceReport | None = None
    error: str | None = None


def dry_settings(settings: Settings, source: Source) -> ScrapySettings:
    """A crawl's settings for ``source``, with no store and no HTTP cache."""
    result = scrapy_settings(settings, source)
    result.set("ITEM_PIPELINES", DRY_PIPELINES, priority="cmdline")
    result.set("HTTPCACHE_ENABLED", False, priority="cmdline")
    return result


def check(
    settings: Settings, *, now: datetime, source: Source | None = None, url: str | None = None
) -> Check:
    """Crawl ``source`` (or what discovery proposes for ``url``) without writing anything."""
    if (source is None) == (url is None):
        raise ValueError("give a source or an address, not both")
    process = AsyncCrawlerProcess(process_settings(settings))
    result = Check(source=source)

    async def run() -> None:
        from twisted.internet import reactor

        try:
            await _run(process, settings, result, now=now, url=url)
        except Exception as exc:  # reported, never a traceback for the person who asked
            logger.exception("check failed")
            result.error = f"{type(exc).__name__}: {exc}"[:300]
        finally:
            reactor.stop()  # type: ignore[attr-defined,misc]

    asyncio.get_event_loop().create_task(run())
    process.start(stop_after_crawl=False)
    return result


async def _run(
    process: AsyncCrawlerProcess,
    settings: Settings,
    result: Check,
    *,
    now: datetime,
    url: str | None,
) -> None:
    if url is not None:
        page_crawler = Crawler(PageSpider, page_settings(settings))
        await process.crawl(page_crawler, url=url)
        spider = page_crawler.spider
        page = spider.page if isinstance(spider, PageSpider) else Page(url=url, error="not started")
        if page.error is not None:
            result.error = f"{url}: {page.error}"
            return
        result.proposal = propose(page.url, page.body, page.encoding, page.linked)
        if not result.proposal.crawlable:
            return
        result.source = proposed_source(result.proposal)
    source = result.source
    if source is None:
        return
    crawler = Crawler(SPIDERS[source.type], dry_settings(settings, source))
    await process.crawl(
        crawler,
        source=source,
        now=now,
        days_back=settings.crawl_days_back,
        days_ahead=settings.crawl_days_ahead,
        kept={},
    )
    spider = crawler.spider
    if not isinstance(spider, SourceSpider):
        result.error = "the spider could not be started"
        return
    result.report = spider.report
    kept: dict[str, Event] = getattr(spider, "kept", {})
    result.events = sorted(kept.values(), key=lambda event: (event.start, event.title))
