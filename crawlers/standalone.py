"""A spider run by Scrapy's own command: ``scrapy crawl <type> -a source=<name>``.

Scrapyd-style hosts start spiders by name with string arguments. Given a
source's name instead of a :class:`Source`, a spider reads it from the
sources file of the ``MEETSCOUT_*`` settings, takes their clock and crawl
window and their store, and when it closes concludes its crawl as
``meetscout crawl`` does (snapshot rules, the source's health, its feed's
advice for the schedule). With ``MEETSCOUT_REDIS_URL`` its requests go
through scrapy-redis's scheduler and duplicate filter, and it holds the
source's lease in Redis while it runs (:mod:`crawlers.spread`): a host
never crawls a source that another host, or a ``meetscout crawl``, is
crawling.
"""

from __future__ import annotations

import time
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from crawlers.guard import ALLOW_SETTING
from crawlers.schedule import holder_name
from crawlers.settings import user_agent
from crawlers.snapshot import conclude
from crawlers.sources import SourcesError, load_sources
from crawlers.spread import Leases, connect, scheduler_settings
from service.settings import Settings, get_settings
from service.store import EventStore, HealthStore, ScheduleStore, make_engine, migrate

if TYPE_CHECKING:
    from crawlers.spiders.base import SourceSpider

RUN_BY_MEETSCOUT = "MEETSCOUT_RUN_BY_MEETSCOUT"
"""Set by ``meetscout crawl``, which gives every spider its source and concludes it itself."""


def project_settings(settings: Settings) -> dict[str, Any]:
    """The Scrapy settings meetscout's own settings decide: store, cache, geocoder, guard."""
    chosen: dict[str, Any] = {
        "MEETSCOUT_DATABASE_URL": settings.database_url,
        "LOG_LEVEL": settings.log_level.upper(),
        "HTTPCACHE_DIR": str(settings.http_cache_dir),
        "MEETSCOUT_GEOCODER": settings.geocoder,
        "MEETSCOUT_GEOCODER_CACHE": str(settings.geocoder_cache),
        ALLOW_SETTING: list(settings.fetch_allow),
    }
    if settings.contact:
        chosen["USER_AGENT"] = user_agent(settings.contact)
    return chosen


def alone_settings(settings: Settings) -> dict[str, Any]:
    """What a spider run by Scrapy's command takes from meetscout's settings: the project's,
    and with ``MEETSCOUT_REDIS_URL`` scrapy-redis's scheduler (its keys under ``:alone``)."""
    chosen = project_settings(settings)
    if settings.redis_url:
        chosen.update(scheduler_settings(settings.redis_url, f"{settings.redis_prefix}:alone"))
    return chosen


def take_lease(name: str) -> Leases | None:
    """With ``MEETSCOUT_REDIS_URL``, the source's lease, renewed until the spider is done;
    refused (``ValueError``) while another process holds it."""
    settings = get_settings()
    if not settings.redis_url:
        return None
    leases = Leases(connect(settings.redis_url), prefix=settings.redis_prefix, holder=holder_name())
    if not leases.take(name):
        holder = leases.holder_of(name)
        leases.client.close()
        raise ValueError(f"{name!r} is being crawled by {holder}; not crawled twice at once")
    return leases


def spider_arguments(source_type: str, arguments: dict[str, Any]) -> dict[str, Any]:
    """``-a source=NAME`` (and any other ``-a``) as the arguments a spider is built with."""
    settings = get_settings()
    name = arguments["source"]
    try:
        listed = {source.name: source for source in load_sources(settings.sources)}
    except SourcesError as error:
        raise ValueError(str(error)) from None
    source = listed.get(name)
    if source is None:
        raise ValueError(f"no source named {name!r} in {settings.sources}")
    if source.type != source_type:
        raise ValueError(
            f"{name!r} is a {source.type} source: scrapy crawl {source.type} -a source={name}"
        )
    engine = make_engine(settings.database_url)
    migrate(engine)
    engine.dispose()
    return {
        **arguments,
        "source": source,
        "now": settings.now(),
        "days_back": settings.crawl_days_back,
        "days_ahead": settings.crawl_days_ahead,
    }


def conclude_alone(spider: SourceSpider, began: float, leases: Leases | None = None) -> None:
    """What ``meetscout crawl`` does after a source's crawl, for a spider Scrapy ran; the
    source's lease, if any, given back after (or, lost meanwhile, its new holder concludes)."""
    name = spider.source.name
    if leases is not None:
        leases.stop()
        if not leases.ours(name):
            spider.logger.warning("%s: its lease ran out; its new holder concludes it", name)
            leases.client.close()
            return
    try:
        _conclude_alone(spider, began)
    finally:
        if leases is not None:
            leases.release(name)
            leases.client.close()


def _conclude_alone(spider: SourceSpider, began: float) -> None:
    report = spider.report
    report.finished = spider.now + timedelta(seconds=time.monotonic() - began)
    engine = make_engine(spider.settings.get("MEETSCOUT_DATABASE_URL"))
    try:
        conclude(
            report,
            events=EventStore(engine),
            health=HealthStore(engine),
            schedule=ScheduleStore(engine),
            now=spider.now,
        )
    finally:
        engine.dispose()
