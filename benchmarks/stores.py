"""SQLite and PostgreSQL serving the same 1e5 events: one run, PostgreSQL's figures as ratios.

The store of :mod:`benchmarks.feeds` (1e5 generated events around twelve
cities, written through the migrations and the project's upsert) is built
twice: in a SQLite file and in a new PostgreSQL database on the server at
``MEETSCOUT_BENCH_POSTGRES`` (default ``postgresql+psycopg://postgres@127.0.0.1:5432/postgres``),
which is dropped afterwards. One uvicorn worker over each answers the same
requests, with wrk on one connection, one store after the other. Goal:
PostgreSQL's ``/events`` p50 within 2x of SQLite's. On each store,
:mod:`benchmarks.text_search` then times ``q`` through the full-text index
against the LIKE scan it replaced (the "Full-text search" section).

Run: ``python -m benchmarks.stores`` (about fifteen minutes; needs ``wrk`` and a
PostgreSQL server); ``--text-only`` leaves out wrk and its section.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from benchmarks import text_search
from benchmarks.feeds import (
    HORIZON_DAYS,
    NOW,
    SIZE,
    WRK_REPORT,
    WRK_SECONDS,
    Load,
    Server,
    generate,
    wrk,
)
from benchmarks.results import busiest, load_average, write_section
from service.settings import Settings
from service.store import EventStore, make_engine, migrate

SERVER_VARIABLE = "MEETSCOUT_BENCH_POSTGRES"
DEFAULT_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
GOAL_RATIO = 2.0
SHARED_LOAD = 0.5
"""A one-minute load average above this (on 2 cores) means other work shared the machine."""
PATHS = (
    "/healthz",
    "/events",
    "/events?sort=date",
    "/events?near=London&radius_km=10",
    "/events?near=Toronto&radius_km=25&sector=technology",
    "/events?q=networking&sort=date",
    "/feeds/events.ics, If-None-Match (304)",
)
HEADLINE = "/events"


def settings_for(url: str, folder: Path) -> Settings:
    return Settings(
        database_url=url,
        sources=folder / "sources.toml",
        base_url="http://127.0.0.1",
        feed_horizon_days=HORIZON_DAYS,
        smtp_url=None,
    )


def fill(url: str, size: int) -> float:
    """Migrate and write ``size`` generated events; the seconds the writing took."""
    engine = make_engine(url)
    migrate(engine)
    began = time.perf_counter()
    EventStore(engine).upsert_many(generate(size), now=NOW - timedelta(days=2))
    took = time.perf_counter() - began
    if engine.dialect.name == "postgresql":
        # What autovacuum would have done by the time anyone searches.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM ANALYZE")
    engine.dispose()
    return took


@contextmanager
def postgres_database() -> Iterator[str]:
    server = os.environ.get(SERVER_VARIABLE, DEFAULT_SERVER)
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    name = f"meetscout_bench_{uuid.uuid4().hex[:8]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def measure(settings: Settings, folder: Path, seconds: int) -> dict[str, Load]:
    script = folder / "report.lua"
    script.write_text(WRK_REPORT)
    server = Server(settings)
    loads: dict[str, Load] = {}
    try:
        status, headers = server.get("/feeds/events.ics", {"Accept-Encoding": "identity"})
        assert status == 200, status
        for path in PATHS:
            if path.startswith("/feeds/"):
                loads[path] = wrk(
                    server,
                    "/feeds/events.ics",
                    seconds=seconds,
                    headers={"If-None-Match": headers["etag"]},
                    script=script,
                )
            else:
                loads[path] = wrk(server, path, seconds=seconds, script=script)
    finally:
        server.stop()
    return loads


def report(
    size: int, built: dict[str, float], loads: dict[str, dict[str, Load]]
) -> tuple[str, bool]:
    sqlite, postgres = loads["SQLite"], loads["PostgreSQL"]
    ratio = postgres[HEADLINE].p50_ms / sqlite[HEADLINE].p50_ms
    lines = [
        f"{size:,} events generated around 12 cities (as in the feeds benchmark), written "
        f"through the project's upsert: {built['SQLite']:.0f} s into SQLite, "
        f"{built['PostgreSQL']:.0f} s into PostgreSQL 15 on 127.0.0.1 (then `VACUUM ANALYZE`, "
        "as autovacuum would). One uvicorn worker over each store, one after the other; wrk "
        "with one connection, 2 s warm-up then one run per row. The machine was shared with "
        "other work during the run.",
        "",
        "| request | SQLite p50 ms | SQLite p99 ms | PostgreSQL p50 ms | PostgreSQL p99 ms "
        "| p50 ratio | PostgreSQL req/s vs SQLite |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for path in PATHS:
        a, b = sqlite[path], postgres[path]
        lines.append(
            f"| GET {path} | {a.p50_ms:.2f} | {a.p99_ms:.2f} | {b.p50_ms:.2f} | {b.p99_ms:.2f} "
            f"| {b.p50_ms / a.p50_ms:.2f}x | {b.per_second / a.per_second:.2f}x |"
        )
    errors = sum(load.errors + load.bad_status for side in loads.values() for load in side.values())
    met = ratio <= GOAL_RATIO and errors == 0
    lines += [
        "",
        f"Goal: PostgreSQL's `GET /events` p50 within {GOAL_RATIO:g}x of SQLite's. Ratio "
        f"**{ratio:.2f}x**: {'met' if met else 'missed'}. Errors and non-2xx/304 answers: "
        f"{errors}. A 304 asks PostgreSQL one row (the change counter that every writing "
        "transaction bumps) where SQLite reads `PRAGMA data_version`; a search near a place "
        "reads the same grid-cell ranges of the same index on both.",
    ]
    return "\n".join(lines), met


def text_report(size: int, sides: dict[str, dict[str, text_search.Side]], load: str) -> str:
    queries = len(next(iter(next(iter(sides.values())).values())).page_ms)
    lines = [
        f"The stores above ({size:,} events each, the text of the feeds benchmark: a town, a "
        "kind and an event number in each title, three of six phrases in each description). "
        f"{queries} distinct values of `q`, drawn (seeded) from that text: common words, a "
        "town and a word, prefixes, event numbers (one event each), two words, a word no event "
        "has. Each asks what a search asks the store: the first page (50 ids of upcoming "
        "matches by date) and the number of upcoming matches, timed in process on one "
        "connection after a warm-up pass, the two sides in turns. LIKE is the statement the "
        "store ran before migration 0014 (a case-insensitive LIKE per word over five "
        "columns), kept in the benchmark only. Ratio: LIKE's time over full text's. "
        f"Load averages (1, 5, 15 min) at the start and before and after each store's "
        f"queries: {load}.",
        "",
        "| store | read | full text p50 ms | full text p99 ms | LIKE p50 ms | LIKE p99 ms "
        "| p50 ratio | p99 ratio |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for store, by_side in sides.items():
        fts, like = by_side["full text"], by_side["LIKE"]
        for read in ("page", "count"):
            lines.append(
                f"| {store} | {read} | {fts.p50(read):.2f} | {fts.p(read, 0.99):.2f} "
                f"| {like.p50(read):.2f} | {like.p(read, 0.99):.2f} "
                f"| {like.p50(read) / fts.p50(read):.1f}x "
                f"| {like.p(read, 0.99) / fts.p(read, 0.99):.1f}x |"
            )
    lines.append("")
    for store, by_side in sides.items():
        fts, like = by_side["full text"], by_side["LIKE"]
        same = sum(a == b for a, b in zip(fts.matches, like.matches, strict=True))
        more = sum(a > b for a, b in zip(fts.matches, like.matches, strict=True))
        lines.append(
            f"{store}: the same number of matches on {same} of {queries} queries, more with "
            f"full text on {more} (stems, prefixes), fewer on {queries - same - more} (a word "
            f"inside another, e.g. an event number inside a longer one); upcoming matches in "
            f"all: {sum(fts.matches):,} full text, {sum(like.matches):,} LIKE."
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.stores", description=__doc__)
    parser.add_argument("--size", type=int, default=SIZE, help="events in each store")
    parser.add_argument("--seconds", type=int, default=WRK_SECONDS, help="seconds per wrk run")
    parser.add_argument("--no-write", action="store_true", help="print, do not write RESULTS.md")
    parser.add_argument("--text-only", action="store_true", help="time q only, without wrk")
    args = parser.parse_args(argv)
    built: dict[str, float] = {}
    loads: dict[str, dict[str, Load]] = {}
    texts: dict[str, dict[str, text_search.Side]] = {}
    loads_seen = [load_average()]
    with tempfile.TemporaryDirectory(prefix="meetscout-bench-") as name, postgres_database() as pg:
        folder = Path(name)
        for label, url in (("SQLite", f"sqlite:///{folder / 'bench.db'}"), ("PostgreSQL", pg)):
            print(f"{label}: writing {args.size:,} events...", flush=True)
            built[label] = fill(url, args.size)
            print(f"{label}: q, full text and LIKE...", flush=True)
            engine = make_engine(url)
            loads_seen.append(load_average())
            texts[label] = text_search.measure(engine, args.size)
            loads_seen.append(load_average())
            engine.dispose()
            if not args.text_only:
                print(f"{label}: wrk...", flush=True)
                loads[label] = measure(settings_for(url, folder), folder, args.seconds)
    shared = busiest(loads_seen) > SHARED_LOAD
    text_body = text_report(args.size, texts, "; ".join(loads_seen)) + (
        "\n\nThe machine was shared with other work during the run."
        if shared
        else "\n\nThe machine ran nothing else of note during the run."
    )
    print(text_body)
    met = True
    if not args.text_only:
        body, met = report(args.size, built, loads)
        print(body)
    if not args.no_write:
        write_section("Full-text search", text_body)
        if not args.text_only:
            write_section("SQLite and PostgreSQL", body)
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
