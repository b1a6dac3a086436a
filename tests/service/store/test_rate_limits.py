"""Token buckets in the store: the same limit for every worker and machine that shares it."""

from __future__ import annotations

import threading

import pytest

from service.settings import Settings
from service.store import EventStore, make_engine
from service.store.ratelimits import RateLimitStore

HOUR = 3600.0
T0 = 1_795_000_000.0
"""Seconds since 1970: a moment in November 2026."""


@pytest.fixture
def limits(store: EventStore) -> RateLimitStore:
    return RateLimitStore(store.engine)


def take(
    limits: RateLimitStore, now: float, client: str = "192.0.2.1", action: str = "subscribe"
) -> float:
    return limits.take(action=action, client=client, burst=3, per_second=6 / HOUR, now=now)


def test_take_allows_a_burst_then_says_how_long_to_wait(limits: RateLimitStore) -> None:
    waits = [take(limits, T0) for _ in range(4)]

    assert waits[:3] == [0.0, 0.0, 0.0]
    assert waits[3] == pytest.approx(600.0)


def test_take_refills_with_time_up_to_the_burst(limits: RateLimitStore) -> None:
    for _ in range(3):
        take(limits, T0)

    assert take(limits, T0 + 600) == 0.0
    assert take(limits, T0 + 600) > 0
    later = T0 + 10 * HOUR
    assert [take(limits, later) for _ in range(4)][:3] == [0.0, 0.0, 0.0]
    assert take(limits, later) > 0


def test_take_counts_each_client_and_action_apart(limits: RateLimitStore) -> None:
    for _ in range(3):
        take(limits, T0)

    assert take(limits, T0) > 0
    assert take(limits, T0, client="198.51.100.7") == 0.0
    assert take(limits, T0, action="suggest") == 0.0


def test_take_forgets_buckets_that_filled_up_again(limits: RateLimitStore) -> None:
    take(limits, T0, client="198.51.100.7")
    take(limits, T0 + HOUR)

    with limits.engine.connect() as conn:
        clients = conn.exec_driver_sql("SELECT client FROM rate_limits").scalars().all()
    assert clients == ["192.0.2.1"]


def test_workers_taking_at_once_spend_exactly_the_burst(
    settings: Settings, store: EventStore
) -> None:
    """Eight workers, each with its own connections, ask at the same moment: three win."""
    barrier = threading.Barrier(8)
    waits: list[float] = []
    lock = threading.Lock()

    def worker() -> None:
        engine = make_engine(settings.database_url)
        try:
            barrier.wait(timeout=30)
            wait = take(RateLimitStore(engine), T0)
            with lock:
                waits.append(wait)
        finally:
            engine.dispose()

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert len(waits) == 8
    assert waits.count(0.0) == 3
