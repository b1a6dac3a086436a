"""Run the spiders of the configured sources in this process.

The documented Scrapy path (a crawler process over the project settings), one
crawler per source so that each has its own report, politeness and failures.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from scrapy import signals
from scrapy.crawler import AsyncCrawlerProcess, Crawler
from scrapy.settings import Settings as ScrapySettings

from crawlers.report import SourceReport
from crawlers.snapshot import conclude
from crawlers.sources import Source
from crawlers.spiders.base import SourceSpider
from crawlers.spiders.confs_tech import ConfsTechSpider
from crawlers.spiders.ics import IcsSpider
from crawlers.spiders.jsonld import JsonLdSpider
from service.settings import Settings
from service.store import EventStore, HealthStore, make_engine

SPIDERS: dict[str, type[SourceSpider]] = {
    "ics": IcsSpider,
    "confs_tech": ConfsTechSpider,
    "jsonld": JsonLdSpider,
}

ProgressCallback = Callable[[str, str], None]


def scrapy_settings(settings: Settings, source: Source) -> ScrapySettings:
    """The project's Scrapy settings, with meetscout's store and a source's politeness."""
    result = ScrapySettings()
    result.setmodule("crawlers.settings", priority="project")
    result.set("MEETSCOUT_DATABASE_URL", settings.database_url, priority="cmdline")
    result.set("LOG_LEVEL", settings.log_level.upper(), priority="cmdline")
    result.set("HTTPCACHE_DIR", str(settings.http_cache_dir), priority="cmdline")
    if source.url.startswith("file:"):
        # Local files: no server to be polite to, nothing a retry would fix.
        result.set("RETRY_ENABLED", False, priority="cmdline")
        result.set("DOWNLOAD_DELAY", 0, priority="cmdline")
        result.set("AUTOTHROTTLE_ENABLED", False, priority="cmdline")
        result.set("CONCURRENT_REQUESTS_PER_DOMAIN", 8, priority="cmdline")
    return result


def run_crawl(
    settings: Settings,
    sources: Sequence[Source],
    *,
    now: datetime | None = None,
    on_event: ProgressCallback | None = None,
) -> list[SourceReport]:
    """Crawl ``sources`` once each; return one report per source, in order.

    Blocks until every spider is done. A source that fails is reported and
    the others go on; each source's run is then concluded (snapshot rules)
    and recorded in the store.
    """
    now = now or datetime.now(UTC)
    process = AsyncCrawlerProcess({"LOG_INSTALL_ROOT_HANDLER": False})
    crawlers: list[tuple[Source, Crawler]] = []
    for source in sources:
        crawler = Crawler(SPIDERS[source.type], scrapy_settings(settings, source))
        if on_event is not None:
            _connect_progress(crawler, source.name, on_event)
        crawlers.append((source, crawler))
        process.crawl(
            crawler,
            source=source,
            now=now,
            days_back=settings.crawl_days_back,
            days_ahead=settings.crawl_days_ahead,
        )
    process.start()
    reports = []
    engine = make_engine(settings.database_url)
    try:
        events, health = EventStore(engine), HealthStore(engine)
        for source, crawler in crawlers:
            spider = crawler.spider
            if spider is None:  # the spider never started
                report = SourceReport(source=source.name, type=source.type, started=now)
                report.fail("not_started", "the spider could not be started")
            else:
                report = spider.report
            report.finished = max(now, datetime.now(UTC))
            conclude(report, events=events, health=health, now=now)
            reports.append(report)
    finally:
        engine.dispose()
    return reports


def _connect_progress(crawler: Crawler, name: str, on_event: ProgressCallback) -> None:
    def scraped(*_args: object, **_kwargs: object) -> None:
        on_event(name, "item")

    def closed(*_args: object, **_kwargs: object) -> None:
        on_event(name, "closed")

    crawler.signals.connect(scraped, signal=signals.item_scraped, weak=False)
    crawler.signals.connect(closed, signal=signals.spider_closed, weak=False)
