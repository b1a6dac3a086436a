"""Store: collect the crawl's events by id, merge duplicates, write in batches at the end.

Writing once at the end keeps one transaction per batch (never per item),
lets a source that lists the same event twice be merged before it is
stored, and lets the whole crawl be matched against what other sources
already stored (one query, not one per item).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from zoneinfo import ZoneInfo

from scrapy.crawler import Crawler

from crawlers.pipelines.base import ReportingPipeline
from crawlers.pipelines.classify import lend_within_source
from service.classify.dedupe import DuplicateIndex, merge_duplicate, shared_urls
from service.model import Event, merge_events
from service.store import EventQuery, EventStore, make_engine


class StorePipeline(ReportingPipeline):
    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.database_url: str = crawler.settings.get("MEETSCOUT_DATABASE_URL")
        self.pending: dict[str, Event] = {}
        self.repeated: dict[str, list[Event]] = {}

    def process_item(self, item: Event) -> Event:
        first = self.pending.get(item.id)
        if first is not None:
            self.repeated.setdefault(item.id, [first]).append(item)
            raise self.drop("duplicate_in_source", item.id)
        self.pending[item.id] = item
        return item

    def merge_repeated(self) -> None:
        """Fold each event the source listed more than once, in the order of its pages.

        Pages arrive in any order (confs.tech lists a conference in each of its
        topics' files); merged in their arrival order, the same crawl would
        store different categories each time.
        """
        for event_id, versions in self.repeated.items():
            ordered = sorted(versions, key=lambda event: event.source_url or "")
            merged = ordered[0]
            for other in ordered[1:]:
                merged = merge_events(merged, other)
            self.pending[event_id] = merged

    def close_spider(self) -> None:
        self.merge_repeated()
        if not self.pending:
            return
        lend_within_source(self.spider, self.pending.values())
        engine = make_engine(self.database_url)
        try:
            store = EventStore(engine)
            records = self.merge_with_store(store)
            result = store.upsert_many(records, now=self.spider.now, hold=self.spider.source.hold)
        finally:
            engine.dispose()
        self.report.seen_ids.update(self.pending)
        self.report.stored += result.stored
        self.report.inserted += result.inserted
        self.report.changed += result.changed
        self.report.held += result.held

    def merge_with_store(self, store: EventStore) -> list[Event]:
        """Keep what other sources added to our events; fold ours into theirs."""
        source = self.spider.source.name
        stored = {
            event.id: event for event in store.search(query=EventQuery(ids=list(self.pending)))
        }
        margin = timedelta(days=1)
        others = DuplicateIndex(
            store.match_candidates(
                start=min(event.start for event in self.pending.values()) - margin,
                end=max(event.start for event in self.pending.values()) + margin,
                exclude_source=source,
            )
        )
        shared = shared_urls(self.pending.values())
        records: dict[str, Event] = {}
        twins: dict[str, list[Event]] = {}
        for event in self.pending.values():
            previous = stored.get(event.id)
            if previous is not None and previous.source == source:
                records[event.id] = merge_duplicate(event, previous)
                continue
            twin = others.find(event, shared=shared)
            if twin is not None:
                twins.setdefault(twin.id, []).append(event)
                continue
            records[event.id] = event
        if twins:
            for stored_twin in store.search(query=EventQuery(ids=list(twins))):
                merged = in_own_zone(stored_twin)
                for event in twins[stored_twin.id]:
                    merged = merge_duplicate(merged, event)
                    self.report.merged_into_other_sources += 1
                records[merged.id] = merged
        return list(records.values())


def in_own_zone(event: Event) -> Event:
    """A stored event's times in its own zone, as its spider wrote them.

    The store reads times back in UTC; merged into as they are, a twin that
    two sources list would be written in UTC by one source's crawl and in
    its zone by the other's, and its SEQUENCE would rise at every crawl.
    """
    if event.timezone is None:
        return event
    try:
        zone = ZoneInfo(event.timezone)
    except (ValueError, KeyError):
        return event
    end = event.end.astimezone(zone) if event.end is not None else None
    return replace(event, start=event.start.astimezone(zone), end=end)
