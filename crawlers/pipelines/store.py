"""Store: collect the crawl's events by id, write them in batches at the end.

Writing once at the end keeps one transaction per batch (never per item) and
lets a source that lists the same event twice be merged before it is stored.
"""

from __future__ import annotations

from scrapy.crawler import Crawler

from crawlers.pipelines.base import ReportingPipeline
from service.model import Event, merge_events
from service.store import EventStore, make_engine


class StorePipeline(ReportingPipeline):
    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.database_url: str = crawler.settings.get("MEETSCOUT_DATABASE_URL")
        self.pending: dict[str, Event] = {}

    def process_item(self, item: Event) -> Event:
        first = self.pending.get(item.id)
        if first is not None:
            self.pending[item.id] = merge_events(first, item)
            raise self.drop("duplicate_in_source", item.id)
        self.pending[item.id] = item
        return item

    def close_spider(self) -> None:
        if not self.pending:
            return
        engine = make_engine(self.database_url)
        try:
            result = EventStore(engine).upsert_many(self.pending.values(), now=self.spider.now)
        finally:
            engine.dispose()
        self.report.seen_ids.update(self.pending)
        self.report.stored += result.stored
        self.report.inserted += result.inserted
        self.report.changed += result.changed
