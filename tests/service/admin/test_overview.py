"""Which sources need the operator's attention, and why."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from service.admin.overview import source_rows
from service.store import CrawlRun, EventStore, HealthStore
from tests.factories import NOW, python_meetup
from tests.support.admin import sources_toml


def run(source: str, outcome: str, **counts: int) -> CrawlRun:
    return CrawlRun(
        source=source,
        type="ics",
        started=NOW - timedelta(minutes=2),
        finished=NOW,
        outcome=outcome,
        clean=outcome == "ok",
        **counts,
    )


def test_failed_empty_held_and_never_crawled_sources_come_first(
    store: EventStore, tmp_path: Path
) -> None:
    path = tmp_path / "sources.toml"
    path.write_text(sources_toml("test", "broken", "empty", "fresh", "held"), encoding="utf-8")
    health = HealthStore(store.engine)
    for name, outcome in (("test", "ok"), ("broken", "failed"), ("empty", "ok"), ("held", "ok")):
        health.record(run=run(name, outcome))
    store.upsert_many([python_meetup(1)], now=NOW)
    store.upsert_many([python_meetup(2, source="held")], now=NOW, hold=True)

    rows = source_rows(path, store)

    assert [(row.name, row.attention) for row in rows] == [
        ("broken", ("last crawl failed",)),
        ("empty", ("no events stored",)),
        ("fresh", ("never crawled",)),
        ("held", ("1 events wait for approval",)),
        ("test", ()),
    ]
    assert rows[-1].events == 1
