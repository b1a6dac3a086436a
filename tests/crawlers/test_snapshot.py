"""Snapshot rules: vanished events are cancelled only on trusted evidence."""

from __future__ import annotations

from datetime import timedelta

import pytest

from crawlers.report import SourceReport
from crawlers.snapshot import conclude
from service.model import Event, Status
from service.store import EventStore, HealthStore
from tests.factories import NOW, make_event


def listed(n: int) -> Event:
    """Event ``n`` of the source ``src``, ``n`` days after NOW."""
    return make_event(n, source="src", days=n)


@pytest.fixture
def health(store: EventStore) -> HealthStore:
    return HealthStore(store.engine)


def crawl(
    store: EventStore,
    health: HealthStore,
    numbers: list[int],
    *,
    day: int,
    error: str | None = None,
) -> SourceReport:
    """Replay one crawl of ``src`` that listed the events ``numbers``."""
    now = NOW + timedelta(hours=day)
    report = SourceReport(
        source="src",
        type="ics",
        started=now,
        finished=now,
        window_start=now - timedelta(days=7),
        window_end=now + timedelta(days=365),
    )
    if error:
        report.fail("fetch_failed", error)
    else:
        report.fetched = 1
        events = [listed(n) for n in numbers]
        report.found = len(events)
        result = store.upsert_many(events, now=now)
        report.stored = result.stored
        report.seen_ids = {e.id for e in events}
    conclude(report, events=store, health=health, now=now)
    return report


def status(store: EventStore, n: int) -> Status:
    stored = store.get(event_id=listed(n).id)
    assert stored is not None
    return stored.status


def test_snapshot_event_missing_twice_is_cancelled(store: EventStore, health: HealthStore) -> None:
    everything = list(range(1, 11))
    crawl(store, health, everything, day=0)
    first = crawl(store, health, everything[:-1], day=1)
    assert first.outcome.value == "ok"
    assert (first.vanished, first.cancelled) == (1, 0)
    assert status(store, 10) is Status.SCHEDULED
    second = crawl(store, health, everything[:-1], day=2)
    assert (second.vanished, second.cancelled) == (1, 1)
    assert status(store, 10) is Status.CANCELLED
    assert store.get(event_id=listed(10).id).sequence == 1  # type: ignore[union-attr]
    assert all(status(store, n) is Status.SCHEDULED for n in everything[:-1])


def test_snapshot_event_back_after_one_miss_is_kept(store: EventStore, health: HealthStore) -> None:
    everything = list(range(1, 11))
    crawl(store, health, everything, day=0)
    crawl(store, health, everything[:-1], day=1)
    crawl(store, health, everything, day=2)
    crawl(store, health, everything[:-1], day=3)
    assert status(store, 10) is Status.SCHEDULED


def test_snapshot_failed_fetch_changes_nothing(store: EventStore, health: HealthStore) -> None:
    everything = list(range(1, 11))
    crawl(store, health, everything, day=0)
    for day in (1, 2, 3):
        report = crawl(store, health, [], day=day, error="ConnectionRefusedError")
        assert report.outcome.value == "failed"
    assert all(status(store, n) is Status.SCHEDULED for n in everything)
    runs = health.runs(source="src")
    assert [run.outcome for run in runs] == ["failed", "failed", "failed", "ok"]
    assert runs[0].last_error == "ConnectionRefusedError"


def test_snapshot_halved_result_is_partial_and_changes_nothing(
    store: EventStore, health: HealthStore
) -> None:
    everything = list(range(1, 11))
    crawl(store, health, everything, day=0)
    for day in (1, 2):
        report = crawl(store, health, everything[:4], day=day)
        assert report.outcome.value == "partial"
        assert "under half" in (report.partial_reason or "")
    assert all(status(store, n) is Status.SCHEDULED for n in everything)


def test_snapshot_empty_result_is_partial(store: EventStore, health: HealthStore) -> None:
    crawl(store, health, list(range(1, 5)), day=0)
    report = crawl(store, health, [], day=1)
    assert report.outcome.value == "partial"
    assert all(status(store, n) is Status.SCHEDULED for n in range(1, 5))


def test_snapshot_past_events_are_never_cancelled(store: EventStore, health: HealthStore) -> None:
    crawl(store, health, [1, 2, 3], day=0)
    later = 24 * 5  # five days on, event 1 (day +1) is over
    crawl(store, health, [2, 3], day=later)
    crawl(store, health, [2, 3], day=later + 1)
    assert status(store, 1) is Status.SCHEDULED


def test_snapshot_source_cancellation_is_stored_at_once(store: EventStore) -> None:
    store.upsert_many([listed(1)], now=NOW)
    cancelled = listed(1)
    cancelled.status = Status.CANCELLED
    store.upsert_many([cancelled], now=NOW + timedelta(hours=1))
    assert status(store, 1) is Status.CANCELLED


def test_health_overview_lists_latest_run_per_source(
    store: EventStore, health: HealthStore
) -> None:
    crawl(store, health, [1, 2, 3], day=0)
    crawl(store, health, [], day=1, error="boom")
    [only] = health.overview(events_by_source=store.count_by_source())
    assert only.last_run.outcome == "failed"
    assert only.last_clean == NOW
    assert only.events == 3
