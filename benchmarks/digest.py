"""The weekly digest sent by one run and by two runs at once: one run, the ratio of the two.

10,000 confirmed subscribers (each near one of the twelve cities of
:mod:`benchmarks.feeds`, over 20,000 generated events) in a new PostgreSQL
database (``MEETSCOUT_BENCH_POSTGRES``, default the server at 127.0.0.1:5432),
dropped afterwards. ``meetscout digest send`` runs as it would from cron,
first alone, then as two processes at once (two machines' worth), against
one real SMTP server (aiosmtpd) on 127.0.0.1 that counts what it receives.
Between the two, the week's delivery records are deleted. Every subscriber
must get exactly one digest in each. Goal: two senders at least 1.5x the
throughput of one.

Run: ``python -m benchmarks.digest`` (several minutes; needs a PostgreSQL server).
"""

from __future__ import annotations

import argparse
import os
import random
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from aiosmtpd.controller import Controller
from sqlalchemy import delete, insert

from benchmarks.feeds import CITIES, NOW, ROOT, SECTORS, generate
from benchmarks.results import write_section
from benchmarks.stores import postgres_database
from service.store import EventStore, make_engine, migrate
from service.store.subscriptions import digest_deliveries, subscriptions

SUBSCRIBERS = 10_000
EVENTS = 20_000
SEED = 20261130
SEND_AT = "2026-11-30T06:00:00+00:00"
"""A Monday morning inside the generated events' span (the senders' replayed clock)."""
GOAL_RATIO = 1.5


class CountingHandler:
    """Counts the messages each recipient receives; keeps nothing else."""

    def __init__(self) -> None:
        self.received: Counter[str] = Counter()
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            self.received.update(envelope.rcpt_tos)
        return "250 Message accepted for delivery"


class SmtpSink:
    """A real SMTP server on 127.0.0.1 for one run."""

    def __init__(self) -> None:
        self.handler = CountingHandler()
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = int(sock.getsockname()[1])
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self.url = f"smtp://127.0.0.1:{self.port}?timeout=30"

    def __enter__(self) -> SmtpSink:
        self.controller.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.controller.stop()


def fill(url: str, subscribers: int, events: int) -> None:
    engine = make_engine(url)
    migrate(engine)
    EventStore(engine).upsert_many(generate(events), now=NOW - timedelta(days=2))
    rng = random.Random(SEED)
    rows = []
    for number in range(subscribers):
        city, _, _, lat, lon, zone = CITIES[number % len(CITIES)]
        rows.append(
            {
                "token": f"{number:043d}",
                "email": f"person{number}@example.org",
                "near": city,
                "lat": lat,
                "lon": lon,
                "radius_km": rng.choice((10.0, 25.0, 50.0)),
                "sectors": rng.sample(SECTORS, 2),
                "kinds": [],
                "attendance": [],
                "free_times": [],
                "timezone": zone,
                "created": NOW,
                "updated": NOW,
                "confirmed": NOW,
            }
        )
    with engine.begin() as connection:
        connection.execute(insert(subscriptions), rows)
    # What autovacuum does soon after a bulk load; without statistics the planner joins
    # the series query (repeated titles) row by row.
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("VACUUM ANALYZE")
    engine.dispose()


def send(url: str, sink: SmtpSink, senders: int) -> float:
    """Seconds from starting ``senders`` runs of ``meetscout digest send`` until all exit."""
    env = {
        **os.environ,
        "MEETSCOUT_DATABASE_URL": url,
        "MEETSCOUT_SMTP_URL": sink.url,
        "MEETSCOUT_MAIL_FROM": "meetscout <digest@meetscout.test>",
        "MEETSCOUT_BASE_URL": "http://127.0.0.1",
        "MEETSCOUT_REPLAY_AT": SEND_AT,
    }
    began = time.perf_counter()
    runs = [
        subprocess.Popen(
            [sys.executable, "-m", "service", "digest", "send"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
        )
        for _ in range(senders)
    ]
    codes = [run.wait() for run in runs]
    took = time.perf_counter() - began
    if any(codes):
        raise SystemExit(f"a digest run failed: exit codes {codes}")
    return took


def once_each(sink: SmtpSink, subscribers: int) -> bool:
    counts = sink.handler.received
    return len(counts) == subscribers and set(counts.values()) == {1}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.digest", description=__doc__)
    parser.add_argument("--subscribers", type=int, default=SUBSCRIBERS)
    parser.add_argument("--events", type=int, default=EVENTS)
    parser.add_argument("--no-write", action="store_true", help="print, do not write RESULTS.md")
    args = parser.parse_args(argv)
    seconds: dict[int, float] = {}
    single: dict[int, bool] = {}
    with postgres_database() as url:
        print(f"writing {args.events:,} events and {args.subscribers:,} subscribers...", flush=True)
        fill(url, args.subscribers, args.events)
        engine = make_engine(url)
        for senders in (1, 2):
            with engine.begin() as connection:
                connection.execute(delete(digest_deliveries))
            with SmtpSink() as sink:
                print(f"{senders} sender(s)...", flush=True)
                seconds[senders] = send(url, sink, senders)
                single[senders] = once_each(sink, args.subscribers)
        engine.dispose()
    rate = {senders: args.subscribers / took for senders, took in seconds.items()}
    ratio = rate[2] / rate[1]
    met = ratio >= GOAL_RATIO and all(single.values())
    body = "\n".join(
        [
            f"{args.subscribers:,} confirmed subscribers near 12 cities, {args.events:,} "
            "generated events, PostgreSQL 15 on 127.0.0.1; `meetscout digest send` as separate "
            "processes against one aiosmtpd server on 127.0.0.1, on this 2-core machine "
            "(shared with other work during the run). Each run composes and sends every "
            "digest: a ranked search of the week per subscriber, then the email.",
            "",
            "| senders at once | seconds | digests/s | every subscriber exactly once |",
            "| ---: | ---: | ---: | --- |",
            *(
                f"| {senders} | {seconds[senders]:.1f} | {rate[senders]:.1f} "
                f"| {'yes' if single[senders] else 'NO'} |"
                for senders in (1, 2)
            ),
            "",
            f"Goal: two senders at least {GOAL_RATIO:g}x one, none sent twice. Ratio "
            f"**{ratio:.2f}x**: {'met' if met else 'missed'}. Each subscription's week is "
            "claimed in the database before its digest is built (on PostgreSQL the "
            "subscription's row is taken with `FOR UPDATE SKIP LOCKED`), so the runs split "
            "the subscribers between them without talking to each other.",
        ]
    )
    print(body)
    if not args.no_write:
        write_section("Digest: one sender and two", body)
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
