"""The store stage's cross-source dedupe gives the same records as recomputing everything.

``match_candidates`` reuses fingerprints across sources (``Fingerprint.cached``);
these crawls of several overlapping sources must store exactly what they store
when every source's candidates are fingerprinted from scratch.
"""

from __future__ import annotations

import contextlib
import random
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from scrapy.exceptions import DropItem

from crawlers.pipelines.store import StorePipeline
from crawlers.report import SourceReport
from service.classify import dedupe
from service.classify.dedupe import Fingerprint
from service.model import Attendance, Event, Venue
from service.store import EventQuery, EventStore, make_engine, migrate
from tests.factories import NOW, make_event

TITLES = [
    "PyData Toronto Meetup",
    "PyData Toronto: Meetup",
    "Healthcare Innovation Mixer",
    "Healthcare innovation mixer (in person)",
    "Book Club",
    "Toronto Book Club",
    "Café Night",
    "Cafe night",
]


def _crawl(database_url: str, source: str, events: list[Event]) -> SourceReport:
    spider = SimpleNamespace(
        source=SimpleNamespace(name=source, hold=False),
        report=SourceReport(source=source, type="ics"),
        now=NOW,
    )
    crawler = SimpleNamespace(spider=spider, settings={"MEETSCOUT_DATABASE_URL": database_url})
    stage = StorePipeline(crawler)  # type: ignore[arg-type]
    for event in events:
        with contextlib.suppress(DropItem):
            stage.process_item(event)
    stage.close_spider()
    return stage.report


def _sources(seed: int) -> list[tuple[str, list[Event]]]:
    """Overlapping sources: shared titles, times a few hours apart, cities filled in later."""
    rng = random.Random(seed)
    crawls = []
    for run in range(2):  # the second round re-crawls every source
        for number in range(5):
            source = f"src{number}"
            events = []
            for uid in range(rng.randint(10, 30)):
                events.append(
                    make_event(
                        uid,
                        source=source,
                        title=rng.choice(TITLES),
                        start=NOW + timedelta(hours=rng.randint(0, 12) * 2 + rng.randint(0, 3)),
                        timezone=rng.choice([None, "America/Toronto", "Asia/Tokyo"]),
                        all_day=rng.random() < 0.1,
                        url=rng.choice([None, None, "https://meetup.com/x/1", "http://y.org/e"]),
                        venue=Venue(city=rng.choice([None, "Toronto", "toronto", "Montreal"])),
                        attendance=Attendance.ONLINE
                        if rng.random() < 0.15
                        else Attendance.IN_PERSON,
                        description=rng.choice([None, "Talks.", f"run {run}: a longer blurb"]),
                    )
                )
            crawls.append((source, events))
    return crawls


def _stored(database_url: str, crawls: list[tuple[str, list[Event]]]) -> tuple[Any, ...]:
    engine = make_engine(database_url)
    migrate(engine)
    merged = [
        _crawl(database_url, source, events).merged_into_other_sources for source, events in crawls
    ]
    found = EventStore(engine).search(query=EventQuery())
    engine.dispose()
    rows = sorted(
        (e.id, e.source, e.title, e.start, e.venue.city, e.url, e.description, tuple(e.sources))
        for e in found
    )
    return tuple(merged), tuple(rows)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_dedupe_matches_recomputed_fingerprints(
    seed: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    crawls = _sources(seed)
    dedupe._FINGERPRINTS.clear()
    cached = _stored(f"sqlite:///{tmp_path / 'cached.db'}", crawls)

    def fresh(cls: type[Fingerprint], **fields: Any) -> Fingerprint:
        return Fingerprint.from_fields(**fields)

    monkeypatch.setattr(Fingerprint, "cached", classmethod(fresh))
    direct = _stored(f"sqlite:///{tmp_path / 'direct.db'}", crawls)
    assert cached == direct
    assert sum(cached[0]) > 0  # the crawls really do fold twins into other sources
