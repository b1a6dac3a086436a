"""What merging hosts costs a crawl's store write: upserts with and without it, in one run.

Every upsert assigns each event its host (``service.store.host_records``):
the batch's hosts are read by their keys, new ones written. The baseline is
the same upsert with that step left out, on a fresh SQLite store each time,
the two alternating so that a machine's load falls on both alike. The figure
is the time of the first write of 6,000 events (80 hosts, two thirds with a
website) and of the same write again (a recrawl: every host known), best of
five; the goal is a ratio of at most 1.15.

Run: ``python -m benchmarks.hosts`` (``--no-write`` to print only).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import service.store.events as event_store
from benchmarks.results import write_section
from service.model import Event, Venue, make_event_id
from service.store import EventStore, make_engine, migrate

EVENTS = 6000
HOSTS = 80
ROUNDS = 5
GOAL = 1.15
NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


def sample_events() -> list[Event]:
    return [
        Event(
            id=make_event_id("bench", str(n)),
            title=f"Event {n}",
            start=NOW + timedelta(days=n % 300, hours=n % 12),
            source="bench",
            organizer=f"Host {n % HOSTS}",
            organizer_url=f"https://host{n % HOSTS}.example.org/" if n % 3 else None,
            venue=Venue(city="Toronto", lat=43.65, lon=-79.38),
        )
        for n in range(EVENTS)
    ]


def timed_writes(events: list[Event], assign: Callable[..., Any]) -> tuple[float, float]:
    """(first write, the same write again) in seconds, with ``assign`` as the host step."""
    kept = event_store.assign_hosts
    event_store.assign_hosts = assign
    try:
        with tempfile.TemporaryDirectory() as folder:
            engine = make_engine(f"sqlite:///{Path(folder) / 'bench.db'}")
            migrate(engine)
            store = EventStore(engine)
            started = time.perf_counter()
            store.upsert_many(events, now=NOW)
            first = time.perf_counter() - started
            started = time.perf_counter()
            store.upsert_many(events, now=NOW + timedelta(hours=1))
            again = time.perf_counter() - started
            engine.dispose()
    finally:
        event_store.assign_hosts = kept
    return first, again


def main(argv: list[str] | None = None) -> dict[str, float]:
    args = parse_args(argv)
    events = sample_events()
    merged: list[tuple[float, float]] = []
    baseline: list[tuple[float, float]] = []
    for _ in range(ROUNDS):
        merged.append(timed_writes(events, event_store.assign_hosts))
        baseline.append(timed_writes(events, lambda conn, rows, *, now: None))
    figures = {
        "first_with": min(first for first, _ in merged),
        "first_without": min(first for first, _ in baseline),
        "again_with": min(again for _, again in merged),
        "again_without": min(again for _, again in baseline),
    }
    first_ratio = figures["first_with"] / figures["first_without"]
    again_ratio = figures["again_with"] / figures["again_without"]
    body = f"""\
An upsert of {EVENTS:,} events naming {HOSTS} hosts into a fresh SQLite store, with the host
step and without it (the baseline), alternating, best of {ROUNDS}.

| write | with hosts (s) | without (s) | ratio |
| --- | ---: | ---: | ---: |
| first (every host new) | {figures["first_with"]:.2f} | {figures["first_without"]:.2f} \
| **{first_ratio:.2f}** |
| again (a recrawl) | {figures["again_with"]:.2f} | {figures["again_without"]:.2f} \
| **{again_ratio:.2f}** |

Goal: ratio at most {GOAL}. {args.note}
"""
    print(body)
    if args.write:
        write_section("Hosts", body)
    figures["first_ratio"], figures["again_ratio"] = first_ratio, again_ratio
    return figures


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.hosts", description=__doc__)
    parser.add_argument("--no-write", dest="write", action="store_false")
    parser.add_argument("--note", default="", help="a sentence added to the section")
    return parser.parse_args(argv)


if __name__ == "__main__":
    main()
