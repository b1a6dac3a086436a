"""SQLite and PostgreSQL serving the same 1e5 events: one run, PostgreSQL's figures as ratios.

The store of :mod:`benchmarks.feeds` (1e5 generated events around twelve
cities, written through the migrations and the project's upsert) is built
twice: in a SQLite file and in a new PostgreSQL database on the server at
``MEETSCOUT_BENCH_POSTGRES`` (default ``postgresql+psycopg://postgres@127.0.0.1:5432/postgres``),
which is dropped afterwards. One uvicorn worker over each answers the same
requests, with wrk on one connection, one store after the other. Goal:
PostgreSQL's ``/events`` p50 within 2x of SQLite's.

Run: ``python -m benchmarks.stores`` (about five minutes; needs ``wrk`` and a
PostgreSQL server).
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
from benchmarks.results import write_section
from service.settings import Settings
from service.store import EventStore, make_engine, migrate

SERVER_VARIABLE = "MEETSCOUT_BENCH_POSTGRES"
DEFAULT_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
GOAL_RATIO = 2.0
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


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.stores", description=__doc__)
    parser.add_argument("--size", type=int, default=SIZE, help="events in each store")
    parser.add_argument("--seconds", type=int, default=WRK_SECONDS, help="seconds per wrk run")
    parser.add_argument("--no-write", action="store_true", help="print, do not write RESULTS.md")
    args = parser.parse_args(argv)
    built: dict[str, float] = {}
    loads: dict[str, dict[str, Load]] = {}
    with tempfile.TemporaryDirectory(prefix="meetscout-bench-") as name, postgres_database() as pg:
        folder = Path(name)
        for label, url in (("SQLite", f"sqlite:///{folder / 'bench.db'}"), ("PostgreSQL", pg)):
            print(f"{label}: writing {args.size:,} events...", flush=True)
            built[label] = fill(url, args.size)
            print(f"{label}: wrk...", flush=True)
            loads[label] = measure(settings_for(url, folder), folder, args.seconds)
    body, met = report(args.size, built, loads)
    print(body)
    if not args.no_write:
        write_section("SQLite and PostgreSQL", body)
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
