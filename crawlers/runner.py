"""Run the spiders of the configured sources in this process.

The documented Scrapy path (a crawler process over the project settings), one
crawler per source so that each has its own report, politeness and failures.
The crawlers of one run share each host's turn and robots.txt
(:mod:`crawlers.hosts`), so a host never sees two of them at once.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlparse

from scrapy import signals
from scrapy.crawler import AsyncCrawlerProcess, Crawler
from scrapy.settings import Settings as ScrapySettings
from sqlalchemy import Engine

from crawlers.guard import ALLOW_SETTING
from crawlers.hosts import HOSTS_SETTING, Hosts
from crawlers.report import SourceReport
from crawlers.schedule import holder_name
from crawlers.snapshot import conclude
from crawlers.sources import Source
from crawlers.spiders.base import SourceSpider
from crawlers.spiders.confs_tech import ConfsTechSpider
from crawlers.spiders.deadlines import DeadlinesSpider
from crawlers.spiders.ics import IcsSpider
from crawlers.spiders.jsonld import JsonLdSpider
from crawlers.spiders.tribe_api import TribeApiSpider
from crawlers.spread import LEASE, Leases, SharedCrawl, connect
from crawlers.standalone import RUN_BY_MEETSCOUT, project_settings
from service.places.gazetteer import get_gazetteer
from service.settings import Settings
from service.store import EventStore, HealthStore, ScheduleStore, make_engine

SPIDERS: dict[str, type[SourceSpider]] = {
    "ics": IcsSpider,
    "confs_tech": ConfsTechSpider,
    "jsonld": JsonLdSpider,
    "deadlines": DeadlinesSpider,
    "tribe_api": TribeApiSpider,
}

CRAWLERS_PER_HOST = 3
"""Sources of one host crawled at once: one downloads while the others parse and store."""
SOURCES_AT_ONCE = 4
"""Sources one process of a shared crawl crawls at once (each host's turn still shared)."""
POLL_SECONDS = 0.5
"""How often a process of a shared crawl with nothing to take asks again."""

ProgressCallback = Callable[[str, str], None]
logger = logging.getLogger(__name__)


def scrapy_settings(
    settings: Settings, source: Source, overrides: Mapping[str, Any] | None = None
) -> ScrapySettings:
    """The project's Scrapy settings, with meetscout's store and a source's politeness.

    ``overrides`` replace Scrapy settings for every source (benchmarks use it
    to compare against a bare spider under the same network settings).
    """
    result = ScrapySettings()
    result.setmodule("crawlers.settings", priority="project")
    result.set(RUN_BY_MEETSCOUT, True, priority="cmdline")
    for name, value in project_settings(settings).items():
        result.set(name, value, priority="cmdline")
    if source.url.startswith("file:"):
        # Local files: no server to be polite to, nothing a retry would fix.
        result.set("RETRY_ENABLED", False, priority="cmdline")
        result.set("DOWNLOAD_DELAY", 0, priority="cmdline")
        result.set("AUTOTHROTTLE_ENABLED", False, priority="cmdline")
        result.set("CONCURRENT_REQUESTS_PER_DOMAIN", 8, priority="cmdline")
    for name, value in (overrides or {}).items():
        result.set(name, value, priority="cmdline")
    return result


def process_settings(settings: Settings) -> dict[str, Any]:
    """The process-wide Scrapy settings: its DNS resolver checks every address it hands out."""
    return {
        "LOG_INSTALL_ROOT_HANDLER": False,
        "TWISTED_DNS_RESOLVER": "crawlers.guard.GuardedResolver",
        ALLOW_SETTING: list(settings.fetch_allow),
    }


def run_crawl(
    settings: Settings,
    sources: Sequence[Source],
    *,
    now: datetime | None = None,
    on_event: ProgressCallback | None = None,
    overrides: Mapping[str, Any] | None = None,
    lease: timedelta = LEASE,
) -> list[SourceReport]:
    """Crawl ``sources`` once each; return one report per source, in order.

    Blocks until every spider is done. A source that fails is reported and
    the others go on; each source's run is then concluded (snapshot rules)
    and recorded in the store. With ``MEETSCOUT_REDIS_URL`` the sources are
    shared with every other process crawling them (:mod:`crawlers.spread`),
    each source's ``lease`` renewed while it is crawled, and the reports are
    of the sources this process crawled.
    """
    now = now or datetime.now(UTC)
    # Locating events needs the gazetteer, seconds to build: built while the first pages download.
    threading.Thread(target=get_gazetteer().load, name="gazetteer", daemon=True).start()
    if settings.redis_url:
        return _run_shared(settings, sources, now, on_event, overrides, lease)
    began = time.monotonic()
    process = AsyncCrawlerProcess(process_settings(settings))
    hosts = Hosts()
    crawlers = [
        (source, _crawler(settings, source, overrides, hosts, on_event)) for source in sources
    ]
    spider_kwargs = _spider_kwargs(settings, now)

    async def crawl_one(source: Source, crawler: Crawler, turns: asyncio.Semaphore) -> None:
        async with turns:
            await _crawl(process, source, crawler, spider_kwargs)

    async def crawl_host(group: list[tuple[Source, Crawler]]) -> None:
        turns = asyncio.Semaphore(CRAWLERS_PER_HOST)  # first come, first started
        await asyncio.gather(*(crawl_one(source, crawler, turns) for source, crawler in group))

    async def crawl_all() -> None:
        from twisted.internet import reactor

        try:
            await asyncio.gather(*(crawl_host(group) for group in by_host(crawlers)))
        finally:
            reactor.stop()  # type: ignore[attr-defined,misc]

    asyncio.get_event_loop().create_task(crawl_all())
    process.start(stop_after_crawl=False)
    reports = []
    engine = make_engine(settings.database_url)
    try:
        for source, crawler in crawlers:
            report = _report(source, crawler, now, began)
            _conclude(report, engine, now)
            reports.append(report)
    finally:
        engine.dispose()
    return reports


def _run_shared(
    settings: Settings,
    sources: Sequence[Source],
    now: datetime,
    on_event: ProgressCallback | None,
    overrides: Mapping[str, Any] | None,
    lease: timedelta,
) -> list[SourceReport]:
    """The crawl with ``MEETSCOUT_REDIS_URL``: take sources from the run until all are done.

    Each source taken is crawled here, whole, and concluded as soon as its
    spider closes, unless its lease ran out meanwhile (another process took
    it and concludes it).
    """
    assert settings.redis_url is not None
    url = settings.redis_url
    began = time.monotonic()
    by_name = {source.name: source for source in sources}
    client = connect(url)
    leases = Leases(client, prefix=settings.redis_prefix, holder=holder_name(), lease=lease)
    shared = SharedCrawl(client, leases, sources, prefix=settings.redis_prefix)
    shared.join()
    scheduler = {**shared.scrapy_settings(url), **(overrides or {})}
    process = AsyncCrawlerProcess(process_settings(settings))
    hosts = Hosts()
    spider_kwargs = _spider_kwargs(settings, now)
    reports: dict[str, SourceReport] = {}
    engine = make_engine(settings.database_url)
    finished = False

    async def crawl_one(source: Source, retaken: bool) -> None:
        if retaken:
            logger.warning(
                "%s: its process stopped before concluding it; crawling it again", source.name
            )
        crawler = _crawler(settings, source, scheduler, hosts, on_event)
        await _crawl(process, source, crawler, spider_kwargs)
        report = _report(source, crawler, now, began)
        if not leases.ours(source.name):
            logger.warning(
                "%s: its lease ran out; the process that took it concludes it", source.name
            )
            leases.drop(source.name)
            return
        _conclude(report, engine, now)
        shared.done(source.name)
        reports[source.name] = report

    async def crawl_all() -> None:
        nonlocal finished
        from twisted.internet import reactor

        running: set[asyncio.Task[None]] = set()
        try:
            while True:
                if len(running) < SOURCES_AT_ONCE:
                    step = shared.next()
                    if step.kind in ("crawl", "retake"):
                        task = asyncio.ensure_future(
                            crawl_one(by_name[step.name], step.kind == "retake")
                        )
                        running.add(task)
                        continue
                    if step.kind == "finished" and not running:
                        finished = True
                        break
                if running:
                    await asyncio.wait(
                        running, timeout=POLL_SECONDS, return_when=asyncio.FIRST_COMPLETED
                    )
                    for task in {task for task in running if task.done()}:
                        running.discard(task)
                        task.result()  # a source that could not be concluded stops the process
                else:
                    await asyncio.sleep(POLL_SECONDS)
        except Exception as error:  # its sources' leases run out; other processes take them
            failures.append(error)
        finally:
            reactor.stop()  # type: ignore[attr-defined,misc]

    failures: list[Exception] = []
    try:
        asyncio.get_event_loop().create_task(crawl_all())
        process.start(stop_after_crawl=False)
        if failures:
            raise failures[0]
        if finished:
            shared.clean()
    finally:
        leases.stop()
        engine.dispose()
        client.close()
    return [reports[source.name] for source in sources if source.name in reports]


def _crawler(
    settings: Settings,
    source: Source,
    overrides: Mapping[str, Any] | None,
    hosts: Hosts,
    on_event: ProgressCallback | None,
) -> Crawler:
    crawler_settings = scrapy_settings(settings, source, overrides)
    crawler_settings.set(HOSTS_SETTING, hosts, priority="cmdline")
    crawler = Crawler(SPIDERS[source.type], crawler_settings)
    if on_event is not None:
        _connect_progress(crawler, source.name, on_event)
    return crawler


def _spider_kwargs(settings: Settings, now: datetime) -> dict[str, Any]:
    return {
        "now": now,
        "days_back": settings.crawl_days_back,
        "days_ahead": settings.crawl_days_ahead,
    }


async def _crawl(
    process: AsyncCrawlerProcess, source: Source, crawler: Crawler, kwargs: dict[str, Any]
) -> None:
    try:
        await process.crawl(crawler, source=source, **kwargs)
    except Exception:  # one source's crash must not stop the others
        logger.exception("%s: the crawl crashed", source.name)


def _report(source: Source, crawler: Crawler, now: datetime, began: float) -> SourceReport:
    """The source's report, finished now (counted from ``now``: a replayed recording's
    runs last seconds, not months)."""
    spider = crawler.spider
    if not isinstance(spider, SourceSpider):  # the spider never started
        report = SourceReport(source=source.name, type=source.type, started=now)
        report.fail("not_started", "the spider could not be started")
    else:
        report = spider.report
    report.finished = now + timedelta(seconds=time.monotonic() - began)
    return report


def _conclude(report: SourceReport, engine: Engine, now: datetime) -> None:
    conclude(
        report,
        events=EventStore(engine),
        health=HealthStore(engine),
        schedule=ScheduleStore(engine),
        now=now,
    )


def by_host(crawlers: list[tuple[Source, Crawler]]) -> list[list[tuple[Source, Crawler]]]:
    """Sources grouped by web host; a few of a host's sources are crawled at once.

    Crawlers do not share their downloaders, but they share each host's turn
    (:mod:`crawlers.hosts`): ten Meetup feeds crawled at once are still one
    request at a time to that host. At most ``CRAWLERS_PER_HOST`` of a host's
    sources run at once, in order, different hosts in parallel. Local files
    have no host.
    """
    groups: dict[str, list[tuple[Source, Crawler]]] = {}
    for index, (source, crawler) in enumerate(crawlers):
        host = urlparse(source.url).hostname if not source.url.startswith("file:") else None
        groups.setdefault(host or f"#local-{index}", []).append((source, crawler))
    return list(groups.values())


def _connect_progress(crawler: Crawler, name: str, on_event: ProgressCallback) -> None:
    def scraped(*_args: object, **_kwargs: object) -> None:
        on_event(name, "item")

    def closed(*_args: object, **_kwargs: object) -> None:
        on_event(name, "closed")

    crawler.signals.connect(scraped, signal=signals.item_scraped, weak=False)
    crawler.signals.connect(closed, signal=signals.spider_closed, weak=False)
