"""``kill -9`` at seeded random moments of a crawl and of a digest send, then a rerun.

Each campaign runs the real command (``meetscout crawl``, ``meetscout digest
send``) in a process of its own, kills it with SIGKILL at a moment drawn
from a seeded generator, checks the store with ``PRAGMA integrity_check``,
and starts the next run on what the killed one left. A last run goes to
the end. Then:

- the crawl's store holds exactly the events one uninterrupted crawl of the
  same sources stores, each once, none cancelled;
- every subscriber got the week's digest, and every copy a subscriber got
  carries one Message-ID: a second copy exists only where a kill fell
  between the mail server's acceptance and the store's record of it (the
  window SMTP cannot close; see ``service/digest/deliver.py``).

The moments differ from machine to machine (a kill 2 s in falls during
start-up on a slow machine and in the middle of storing on a fast one);
what each kill interrupted is counted and printed, never asserted.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from service.digest.weeks import iso_week
from service.model import Status
from service.store import EventQuery, EventStore, SubscriptionStore, make_engine, migrate
from tests.factories import MONDAY, NOW, make_subscription
from tests.support.crawling import FLASKCON_NOW
from tests.support.saved import FIXTURES, bundled_events
from tests.support.smtp import SmtpSink

SEED = 20261205
KILLS = 20

HTTP_FEEDS = ("pycon-us-2025-flaskcon.ics", "pycon-us-2025-charlas-spanish-track.ics")
FILE_FEEDS = ("pretalx-pycon-au-2023-schedule.ics", "wordpress-events-manager-community-centre.ics")
"""Real saved feeds: two served over HTTP on 127.0.0.1, two read from files."""


def _command(*args: str) -> list[str]:
    return [sys.executable, "-m", "service", *args]


def _integrity(database: Path) -> str:
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as conn:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])


def _kill_when(
    args: list[str], env: dict[str, str], ready: Callable[[float], bool]
) -> tuple[bool, float]:
    """Run ``args``; SIGKILL it as soon as ``ready(seconds since start)``.

    Returns (killed, seconds): False when the run ended by itself first.
    """
    began = time.monotonic()
    process = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while process.poll() is None:
            elapsed = time.monotonic() - began
            if ready(elapsed):
                os.kill(process.pid, signal.SIGKILL)
                process.wait(timeout=30)
                return True, elapsed
            time.sleep(0.002)
        return False, time.monotonic() - began
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=30)


def _after_seconds(at: float) -> Callable[[float], bool]:
    return lambda elapsed: elapsed >= at


def _after_accepted(sink: SmtpSink, count: int, delay: float) -> Callable[[float], bool]:
    """Ready ``delay`` seconds after the mail server has accepted its ``count``-th message."""
    accepted: list[float] = []

    def ready(elapsed: float) -> bool:
        if not accepted and len(sink.handler.received) >= count:
            accepted.append(elapsed)
        return bool(accepted) and elapsed >= accepted[0] + delay

    return ready


def _to_the_end(
    args: list[str], env: dict[str, str]
) -> tuple[subprocess.CompletedProcess[str], float]:
    began = time.monotonic()
    done = subprocess.run(args, env=env, capture_output=True, text=True, timeout=300)
    return done, time.monotonic() - began


# The crawl


@pytest.fixture
def feed_server() -> Iterator[int]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            name = self.path.rsplit("/", 1)[-1]
            if name not in HTTP_FEEDS:
                self.send_error(404)
                return
            body = (FIXTURES / "ics" / name).read_bytes()
            self.send_response(200)
            self.send_header("Content-Type", "text/calendar; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_args: object) -> None:
            return

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd.server_address[1]
    httpd.shutdown()
    httpd.server_close()


def _crawl_env(folder: Path, now: datetime) -> dict[str, str]:
    return {
        **os.environ,
        "MEETSCOUT_DATABASE_URL": f"sqlite:///{folder / 'meetscout.db'}",
        "MEETSCOUT_SOURCES": str(folder.parent / "sources.toml"),
        "MEETSCOUT_HTTP_CACHE_DIR": str(folder / "httpcache"),
        "MEETSCOUT_FETCH_ALLOW": "127.0.0.1",
        "MEETSCOUT_REPLAY_AT": now.isoformat(),
        "MEETSCOUT_LOG_LEVEL": "WARNING",
    }


def _stored(database: Path) -> dict[str, Status]:
    engine = make_engine(f"sqlite:///{database}")
    try:
        return {event.id: event.status for event in EventStore(engine).search(query=EventQuery())}
    finally:
        engine.dispose()


def _migrated(database: Path) -> bool:
    """Whether the first migration committed (it is all or nothing: see test_migrations)."""
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as conn:
        found = conn.execute("SELECT name FROM sqlite_master WHERE name = 'events'").fetchone()
    return found is not None


def _seen_at(database: Path, now: datetime) -> tuple[int, int]:
    """(events this run stored or saw again, all events): how far the killed run got."""
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as conn:
        total = conn.execute("SELECT count(*) FROM events").fetchone()[0]
        seen = conn.execute(
            "SELECT count(*) FROM events WHERE last_seen >= ?",
            (now.strftime("%Y-%m-%d %H:%M:%S"),),
        ).fetchone()[0]
    return int(seen), int(total)


def test_kill_9_during_crawls_loses_and_doubles_nothing(tmp_path: Path, feed_server: int) -> None:
    for name in FILE_FEEDS:
        shutil.copy(FIXTURES / "ics" / name, tmp_path / name)
    (tmp_path / "sources.toml").write_text(
        "".join(
            f'[[source]]\nname = "{name.removesuffix(".ics")}"\ntype = "ics"\n'
            f'url = "http://127.0.0.1:{feed_server}/{name}"\ndays_back = 30\n'
            for name in HTTP_FEEDS
        )
        + "".join(
            f'[[source]]\nname = "{name.removesuffix(".ics")}"\ntype = "ics"\n'
            f'url = "{name}"\ndays_back = 800\n'
            for name in FILE_FEEDS
        )
    )
    reference, killed = tmp_path / "reference", tmp_path / "killed"
    reference.mkdir()
    killed.mkdir()
    final = FLASKCON_NOW + timedelta(minutes=4 * KILLS + 1)

    done, duration = _to_the_end(_command("crawl"), _crawl_env(reference, final))
    assert done.returncode == 0, done.stdout + done.stderr
    expected = _stored(reference / "meetscout.db")
    assert len(expected) > 100 and set(expected.values()) == {Status.SCHEDULED}

    rng = random.Random(SEED)
    moments: Counter[str] = Counter()
    number = 0
    while moments.total() - moments["after the run had ended"] < KILLS:
        number += 1
        assert number <= 4 * KILLS, moments  # runs that end before their kill do not count
        now = FLASKCON_NOW + timedelta(minutes=number)
        at = rng.uniform(0.2, duration)
        was_killed, _ = _kill_when(_command("crawl"), _crawl_env(killed, now), _after_seconds(at))
        database = killed / "meetscout.db"
        if not database.exists():
            moments["before the store was created"] += 1
            continue
        assert _integrity(database) == "ok", number
        if not _migrated(database):  # killed in the first migration: rolled back whole
            moments["during the first migration"] += 1
            continue
        seen, total = _seen_at(database, now)
        if not was_killed:
            moments["after the run had ended"] += 1
        elif total == 0:
            moments["before any event was stored"] += 1
        elif seen < total:
            moments["while events were being stored"] += 1
        else:
            moments["after every event was stored"] += 1

    done, _ = _to_the_end(_command("crawl"), _crawl_env(killed, final))
    assert done.returncode == 0, done.stdout + done.stderr
    database = killed / "meetscout.db"
    assert _integrity(database) == "ok"
    assert _stored(database) == expected  # every event once, none lost, none cancelled
    print(
        f"\ncrawl: {KILLS} kills (seed {SEED}, an uninterrupted crawl took {duration:.1f} s, "
        f"{len(expected)} events): {dict(moments)}"
    )


# The digest

SUBSCRIBERS = 50


def _digest_env(folder: Path, sink: SmtpSink, now: datetime) -> dict[str, str]:
    return {
        **os.environ,
        "MEETSCOUT_DATABASE_URL": f"sqlite:///{folder / 'meetscout.db'}",
        "MEETSCOUT_SMTP_URL": sink.url,
        "MEETSCOUT_MAIL_FROM": "meetscout <digest@meetscout.test>",
        "MEETSCOUT_BASE_URL": "http://testserver",
        "MEETSCOUT_REPLAY_AT": now.isoformat(),
        "MEETSCOUT_DIGEST_RETRY_MINUTES": "1",
        "MEETSCOUT_LOG_LEVEL": "WARNING",
    }


def _subscribers(folder: Path) -> None:
    """Fifty confirmed subscribers near Leipzig, over the bundled conferences of 2026."""
    engine = make_engine(f"sqlite:///{folder / 'meetscout.db'}")
    try:
        migrate(engine)
        EventStore(engine).upsert_many(bundled_events(), now=NOW)
        subscriptions = SubscriptionStore(engine)
        for number in range(SUBSCRIBERS):
            draft = make_subscription(
                token=f"{number:043d}",
                email=f"person{number}@example.org",
                near="Leipzig, Germany",
                lat=51.34,
                lon=12.37,
                radius_km=400.0,
            )
            subscriptions.create(subscription=draft, confirm_code="code")
            subscriptions.confirm(
                token=draft.token, code="code", now=NOW, valid_for=timedelta(days=7)
            )
    finally:
        engine.dispose()


def _digests(sink: SmtpSink) -> dict[str, list[str]]:
    """The Message-ID of every digest each subscriber received, in order."""
    received: dict[str, list[str]] = {}
    with sink.handler.lock:
        items = list(sink.handler.received)
    for item in items:
        message = item.message
        if str(message["Message-ID"]).strip().startswith("<meetscout.digest."):
            received.setdefault(str(message["To"]).strip(), []).append(
                str(message["Message-ID"]).strip()
            )
    return received


def test_kill_9_during_digest_sends_skips_none_and_sends_each_under_one_id(
    tmp_path: Path,
) -> None:
    _subscribers(tmp_path)
    rng = random.Random(SEED)
    moments: Counter[str] = Counter()
    weeks = 0  # a run that ends by itself has sent the whole week: the next runs send the next
    with SmtpSink() as sink:
        number = 0
        while moments.total() - moments["after the run had ended"] < KILLS:
            number += 1
            assert number <= 4 * KILLS, moments  # runs that end before their kill do not count
            # Each run two minutes after the last: a claim a killed run left is stale by then.
            now = MONDAY + timedelta(days=7 * weeks, minutes=2 * number)
            before = len(sink.handler.received)
            if rng.random() < 0.25:  # anywhere in start-up and the first sends
                ready, kind = _after_seconds(rng.uniform(0.0, 3.0)), "at a random time"
            else:  # d ms after the k-th message of this run was accepted
                k, delay = rng.randint(1, 3), rng.uniform(0.0, 0.03)
                ready = _after_accepted(sink, before + k, delay)
                kind = "just after a message was accepted"
            was_killed, _ = _kill_when(
                _command("digest", "send"), _digest_env(tmp_path, sink, now), ready
            )
            moments[kind if was_killed else "after the run had ended"] += 1
            weeks += not was_killed
            assert _integrity(tmp_path / "meetscout.db") == "ok", number

        last = MONDAY + timedelta(days=7 * weeks, minutes=2 * number + 2)
        done, _ = _to_the_end(_command("digest", "send"), _digest_env(tmp_path, sink, last))
        assert done.returncode == 0, done.stdout + done.stderr
        received = _digests(sink)

    assert _integrity(tmp_path / "meetscout.db") == "ok"
    weeks_sent = [iso_week((MONDAY + timedelta(days=7 * week)).date()) for week in range(weeks + 1)]
    addresses = {f"person{number}@example.org" for number in range(SUBSCRIBERS)}
    assert set(received) == addresses
    engine = make_engine(f"sqlite:///{tmp_path / 'meetscout.db'}")
    try:
        subscriptions = SubscriptionStore(engine)
        for subscription in subscriptions.active():
            for week in weeks_sent:
                ids = {i for i in received[subscription.email] if f".{week}." in i}
                assert len(ids) == 1, (subscription.email, week)  # none skipped, one Message-ID
                delivery = subscriptions.delivery(subscription_id=subscription.id, week=week)
                assert delivery is not None and delivery.status == "sent"
                assert {delivery.message_id} == ids
    finally:
        engine.dispose()
    copies = sum(len(ids) for ids in received.values())
    digests = SUBSCRIBERS * len(weeks_sent)
    print(
        f"\ndigest: {KILLS} kills (seed {SEED}) over {SUBSCRIBERS} subscribers and "
        f"{len(weeks_sent)} week(s): {dict(moments)}; {copies} messages accepted for {digests} "
        f"digests, {copies - digests} second copies (same Message-ID)"
    )
