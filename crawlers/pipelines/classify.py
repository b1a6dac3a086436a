"""Classify: what kind of event it is and which fields of work it is for, with the reasons.

A search by sector and a ranking that prefers meetups over lectures both
need every event classified, whatever its source said. The kind comes from
:func:`service.kinds.classify_kind` (the source's kind is the fallback), the
sectors from :func:`service.sectors.classify` (the source's sectors are
always kept). Both record why, which search results show. Once a source's crawl ends,
:func:`lend_within_source` lends its field (the one its host's name says, or
most of its events share) to its events (see
:mod:`service.classify.whole_source`). Nothing an
event source says can make this stage fail: on any surprise the item goes
on as it came, and the surprise is counted.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from crawlers.pipelines.base import ReportingPipeline
from crawlers.pipelines.normalize import clean_line
from service.classify.kinds import classify_kind
from service.classify.sectors import classify
from service.classify.whole_source import lend
from service.model import Event, Kind

log = logging.getLogger(__name__)


class ClassifyPipeline(ReportingPipeline):
    def process_item(self, item: Event) -> Event:
        source = getattr(self.spider, "source", None)
        try:
            self.classify(item, source)
        except Exception as exc:  # a classifier bug must not cost an event
            log.warning("classify: %s: %s", item.id, exc)
            self.report.fail("classify_failed", f"{item.id}: {exc}"[:300])
        return item

    @staticmethod
    def classify(item: Event, source: Any = None) -> None:
        """Set kind, kind_reason, sectors and sector_evidence on ``item`` in place."""
        source_kind = getattr(source, "kind", None)
        default = source_kind or (item.kind if item.kind is not Kind.OTHER else None)
        decision = classify_kind(
            title=item.title,
            description=item.description,
            schema_type=item.details.get("schema_type"),
            categories=item.categories,
            default=default,
        )
        item.kind = decision.kind
        item.kind_reason = decision.reason
        defaults = list(dict.fromkeys([*(getattr(source, "sectors", ()) or ()), *item.sectors]))
        found = classify(
            title=item.title,
            description=item.description,
            organizer=item.organizer,
            categories=item.categories,
            defaults=defaults,
        )
        item.sectors = found.sectors
        item.sector_evidence = found.evidence


def lend_within_source(spider: Any, events: Iterable[Event]) -> None:
    """Lend the field the host's name says, or most of the source's events share, to the
    others (see :mod:`service.classify.whole_source`), and say so in one log line. A name is
    the feed's own text, and becomes a reason people read: cleaned as the events' text is."""
    names = [name for name in map(clean_line, getattr(spider, "host_names", ())) if name]
    try:
        lent = lend(events, names=names)
    except Exception as exc:  # a classifier bug must not cost the source's events
        log.warning("%s: lending its field failed: %s", spider.source.name, exc)
        spider.report.fail("classify_failed", f"lending: {exc}"[:300])
        return
    for sector, count in lent.items():
        log.info("%s: its field %s lent to %d events", spider.source.name, sector, count)
