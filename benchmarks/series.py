"""An event that repeats, shown once: a list page with series grouping against the same page
without it, in one run.

A store of weekly series (each a title at a venue, on one weekday and time) and single
events around Toronto; the first page of the list (score and date order, 20 results),
with the app's search cache kept (a repeat request) and read afresh, each way alternating,
best of the rounds.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

from benchmarks.results import write_section
from service.model import Event, Venue, make_event_id
from service.search import Point, SearchCache, SearchRequest, search
from service.store import EventStore, make_engine, migrate

SERIES = 400
WEEKS = 26
SINGLES = 6000
ROUNDS = 3
REPEATS = 5
GOAL = 3.0
NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


def make_event(
    key: str, *, start: datetime | None = None, days: float = 0, **fields: object
) -> Event:
    return Event(
        id=make_event_id("bench", key),
        start=start or NOW + timedelta(days=days),
        source="bench",
        **fields,  # type: ignore[arg-type]
    )


TORONTO = Point(lat=43.6532, lon=-79.3832, label="Toronto")


def sample_events() -> list[Event]:
    events = []
    for n in range(SERIES):
        venue = Venue(
            name=f"Venue {n}",
            city="Toronto",
            lat=43.6 + n % 40 * 0.003,
            lon=-79.4 + n // 40 * 0.003,
        )
        first = NOW + timedelta(days=n % 7, hours=n % 10)
        events.extend(
            make_event(
                f"series-{n}-{week}",
                title=f"Weekly group {n}",
                start=first + timedelta(weeks=week),
                venue=venue,
                timezone="America/Toronto",
            )
            for week in range(WEEKS)
        )
    for n in range(SINGLES):
        venue = Venue(
            name=f"Hall {n % 97}",
            city="Toronto",
            lat=43.6 + n % 50 * 0.002,
            lon=-79.45 + n % 70 * 0.002,
        )
        events.append(
            make_event(
                f"single-{n}",
                days=0.5 + n * 180 / SINGLES,
                title=f"Talk {n}",
                venue=venue,
                timezone="America/Toronto",
            )
        )
    return events


def timed(run: Callable[[], object]) -> float:
    started = time.perf_counter()
    for _ in range(REPEATS):
        run()
    return (time.perf_counter() - started) / REPEATS * 1000


def main(argv: list[str] | None = None) -> dict[str, float]:
    args = parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"sqlite:///{Path(folder) / 'bench.db'}")
        migrate(engine)
        store = EventStore(engine)
        store.upsert_many(sample_events(), now=NOW)
        rows = []
        figures: dict[str, float] = {}
        for sort in ("score", "date"):
            request = SearchRequest(near=TORONTO, radius_km=25, sort=sort, limit=20)  # type: ignore[arg-type]
            grouped = replace(request, once=True)
            for kept in (True, False):
                cache = SearchCache(keep=kept)
                best = {"each": float("inf"), "once": float("inf")}
                for _ in range(ROUNDS):
                    for name, asked in (("each", request), ("once", grouped)):
                        best[name] = min(
                            best[name], timed(partial(search, store, asked, now=NOW, cache=cache))
                        )
                ratio = best["once"] / best["each"]
                label = f"{sort}, {'cache kept' if kept else 'read afresh'}"
                rows.append(
                    f"| {label} | {best['each']:.1f} | {best['once']:.1f} | **{ratio:.2f}** |"
                )
                figures[label] = ratio
                cache.close()
        engine.dispose()
    table = "\n".join(rows)
    body = f"""\
{SERIES} weekly series of {WEEKS} dates and {SINGLES:,} single events around Toronto in a
SQLite store; the first page (20 results, within 25 km) with every date listed and with
each series once, alternating, best of {ROUNDS} rounds of {REPEATS} requests.

| page | every date (ms) | series once (ms) | ratio |
| --- | ---: | ---: | ---: |
{table}

Goal: ratio at most {GOAL:g}. The grouped page reads the dates of repeated titles once per
store change (kept with the app's search cache) and skips the later dates of each series.
{args.note}
"""
    print(body)
    if args.write:
        write_section("Series once", body)
    return figures


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.series", description=__doc__)
    parser.add_argument("--no-write", dest="write", action="store_false")
    parser.add_argument("--note", default="", help="a sentence added to the section")
    return parser.parse_args(argv)


if __name__ == "__main__":
    main()
