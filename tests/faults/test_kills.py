"""``kill -9`` at seeded random moments of a crawl and of a digest send, then a rerun.

Each campaign runs the real command (``meetscout crawl``, ``meetscout digest
send``) in a process of its own, kills it with SIGKILL at a moment drawn
from a seeded generator, checks the store (SQLite's ``PRAGMA
integrity_check``; on PostgreSQL, ``postgres_integrity`` of
``tests/support/databases.py``: amcheck, every row read, no duplicate under
any unique key, every constraint valid), and starts the next run on what
the killed one left. A last run goes to the end. Each campaign runs on
both stores, SQLite and PostgreSQL, each in a store of its own. Then:

- the crawl's store holds exactly the events one uninterrupted crawl of the
  same sources into a new SQLite store stores, each once, none cancelled;
- every subscriber got the week's digest, and every copy a subscriber got
  carries one Message-ID: a second copy exists only where a kill fell
  between the mail server's acceptance and the store's record of it (the
  window SMTP cannot close; see ``service/digest/deliver.py``).

A crawl's moment is drawn within the length of the last run that went to
its end (at first the uninterrupted crawl's), so that a second crawl, which
is shorter, is still killed rather than left to end. The moments differ
from machine to machine (a kill 2 s in falls during start-up on a slow
machine and in the middle of storing on a fast one); what each kill
interrupted is counted and printed, never asserted.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, func, inspect, select, text
from sqlalchemy.exc import IntegrityError

from service.digest.weeks import iso_week
from service.model import Status
from service.store import EventQuery, EventStore, SubscriptionStore, make_engine, migrate
from service.store.tables import events
from tests.factories import MONDAY, NOW, make_subscription
from tests.support.crawling import FLASKCON_NOW
from tests.support.databases import BACKENDS, postgres_database, postgres_integrity
from tests.support.saved import FIXTURES, bundled_events
from tests.support.smtp import SmtpSink

SEED = 20261205
KILLS = 20

HTTP_FEEDS = ("pycon-us-2025-flaskcon.ics", "pycon-us-2025-charlas-spanish-track.ics")
FILE_FEEDS = ("pretalx-pycon-au-2023-schedule.ics", "wordpress-events-manager-community-centre.ics")
"""Real saved feeds: two served over HTTP on 127.0.0.1, two read from files."""


def _command(*args: str) -> list[str]:
    return [sys.executable, "-m", "service", *args]


@pytest.fixture(params=BACKENDS)
def new_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[[str], str]]:
    """Makes an empty store (nothing migrated) by name: a SQLite file in a folder of that name,
    or a new PostgreSQL database (tests/support/databases.py), dropped at the end."""
    with ExitStack() as stack:

        def make(name: str) -> str:
            if request.param == "sqlite":
                (tmp_path / name).mkdir()
                return f"sqlite:///{tmp_path / name / 'meetscout.db'}"
            return stack.enter_context(postgres_database(migrated=False))

        yield make


def _sqlite_file(url: str) -> Path | None:
    return Path(url.removeprefix("sqlite:///")) if url.startswith("sqlite:") else None


def _exists(url: str) -> bool:
    """Whether the store is there at all (a PostgreSQL database is, from the start)."""
    database = _sqlite_file(url)
    return database is None or database.exists()


def _reader(url: str) -> Engine:
    """An engine that reads the store as it is (a SQLite file opened read-only)."""
    database = _sqlite_file(url)
    return create_engine(f"sqlite:///file:{database}?mode=ro&uri=true" if database else url)


def _integrity(url: str) -> str:
    """``ok``, or what is wrong: ``PRAGMA integrity_check``, or its stand-in on PostgreSQL."""
    if _sqlite_file(url) is None:
        _, wrong = postgres_integrity(url)
        return "; ".join(wrong) or "ok"
    engine = _reader(url)
    try:
        with engine.connect() as connection:
            return str(connection.execute(text("PRAGMA integrity_check")).scalar_one())
    finally:
        engine.dispose()


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


def _backend(url: str) -> str:
    """The store's name, and on PostgreSQL what its integrity check looked at."""
    if _sqlite_file(url):
        return "SQLite"
    checked, _ = postgres_integrity(url)
    return f"PostgreSQL (checked: {'; '.join(checked)})"


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


@pytest.fixture(scope="module")
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


def _crawl_env(url: str, site: Path, folder: Path, now: datetime) -> dict[str, str]:
    return {
        **os.environ,
        "MEETSCOUT_DATABASE_URL": url,
        "MEETSCOUT_SOURCES": str(site / "sources.toml"),
        "MEETSCOUT_HTTP_CACHE_DIR": str(folder / "httpcache"),
        "MEETSCOUT_FETCH_ALLOW": "127.0.0.1",
        "MEETSCOUT_REPLAY_AT": now.isoformat(),
        "MEETSCOUT_LOG_LEVEL": "WARNING",
    }


def _stored(url: str) -> dict[str, Status]:
    engine = make_engine(url)
    try:
        return {event.id: event.status for event in EventStore(engine).search(query=EventQuery())}
    finally:
        engine.dispose()


def _migrated(url: str) -> bool:
    """Whether the first migration committed (it is all or nothing: see test_migrations)."""
    engine = _reader(url)
    try:
        return inspect(engine).has_table("events")
    finally:
        engine.dispose()


def _seen_at(url: str, now: datetime) -> tuple[int, int]:
    """(events this run stored or saw again, all events): how far the killed run got."""
    engine = _reader(url)
    try:
        with engine.connect() as connection:
            total = connection.execute(select(func.count()).select_from(events)).scalar_one()
            seen = connection.execute(
                select(func.count()).select_from(events).where(events.c.last_seen >= now)
            ).scalar_one()
    finally:
        engine.dispose()
    return int(seen), int(total)


@pytest.fixture(scope="module")
def crawl_site(feed_server: int, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with the sources file of the crawl's campaigns and the feeds it reads as files."""
    folder = tmp_path_factory.mktemp("crawl")
    for name in FILE_FEEDS:
        shutil.copy(FIXTURES / "ics" / name, folder / name)
    (folder / "sources.toml").write_text(
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
    return folder


FINAL = FLASKCON_NOW + timedelta(minutes=4 * KILLS + 1)
"""The moment of the reference crawl and of each campaign's last run."""


@pytest.fixture(scope="module")
def reference(crawl_site: Path) -> tuple[dict[str, Status], float]:
    """What one uninterrupted crawl into a new SQLite store stores, and how long it took: what
    every campaign, on either store, must end with."""
    folder = crawl_site / "reference"
    folder.mkdir()
    url = f"sqlite:///{folder / 'meetscout.db'}"
    done, duration = _to_the_end(_command("crawl"), _crawl_env(url, crawl_site, folder, FINAL))
    assert done.returncode == 0, done.stdout + done.stderr
    expected = _stored(url)
    assert len(expected) > 100 and set(expected.values()) == {Status.SCHEDULED}
    return expected, duration


def test_kill_9_during_crawls_loses_and_doubles_nothing(
    tmp_path: Path,
    crawl_site: Path,
    reference: tuple[dict[str, Status], float],
    new_store: Callable[[str], str],
) -> None:
    expected, duration = reference
    url = new_store("killed")
    killed = tmp_path / "killed"
    killed.mkdir(exist_ok=True)

    rng = random.Random(SEED)
    moments: Counter[str] = Counter()
    number = 0
    span = duration  # a moment is drawn within the last run that went to its end
    while moments.total() - moments["after the run had ended"] < KILLS:
        number += 1
        assert number <= 4 * KILLS, moments  # runs that end before their kill do not count
        now = FLASKCON_NOW + timedelta(minutes=number)
        at = rng.uniform(0.2, span)
        was_killed, elapsed = _kill_when(
            _command("crawl"), _crawl_env(url, crawl_site, killed, now), _after_seconds(at)
        )
        if not _exists(url):
            moments["before the store was created"] += 1
            continue
        assert _integrity(url) == "ok", number
        if not _migrated(url):  # the first migration is all or nothing
            moments["before the first migration committed"] += 1
            continue
        seen, total = _seen_at(url, now)
        if not was_killed:
            moments["after the run had ended"] += 1
            span = elapsed
        elif total == 0:
            moments["before any event was stored"] += 1
        elif seen == 0:
            moments["before this run stored or saw an event"] += 1
        elif seen < total:
            moments["while events were being stored"] += 1
        else:
            moments["after every event was stored"] += 1

    done, _ = _to_the_end(_command("crawl"), _crawl_env(url, crawl_site, killed, FINAL))
    assert done.returncode == 0, done.stdout + done.stderr
    assert _integrity(url) == "ok"
    assert _stored(url) == expected  # every event once, none lost, none cancelled
    print(
        f"\ncrawl on {_backend(url)}: {KILLS} kills in {number} runs (seed {SEED}, "
        f"an uninterrupted crawl took {duration:.1f} s, "
        f"{len(expected)} events): {dict(moments)}"
    )


# The digest

SUBSCRIBERS = 50


def _digest_env(url: str, sink: SmtpSink, now: datetime) -> dict[str, str]:
    return {
        **os.environ,
        "MEETSCOUT_DATABASE_URL": url,
        "MEETSCOUT_SMTP_URL": sink.url,
        "MEETSCOUT_MAIL_FROM": "meetscout <digest@meetscout.test>",
        "MEETSCOUT_BASE_URL": "http://testserver",
        "MEETSCOUT_REPLAY_AT": now.isoformat(),
        "MEETSCOUT_DIGEST_RETRY_MINUTES": "1",
        "MEETSCOUT_LOG_LEVEL": "WARNING",
    }


def _subscribers(url: str) -> None:
    """Fifty confirmed subscribers near Leipzig, over the bundled conferences of 2026."""
    engine = make_engine(url)
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
    new_store: Callable[[str], str],
) -> None:
    url = new_store("digest")
    _subscribers(url)
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
                _command("digest", "send"), _digest_env(url, sink, now), ready
            )
            moments[kind if was_killed else "after the run had ended"] += 1
            weeks += not was_killed
            assert _integrity(url) == "ok", number

        last = MONDAY + timedelta(days=7 * weeks, minutes=2 * number + 2)
        done, _ = _to_the_end(_command("digest", "send"), _digest_env(url, sink, last))
        assert done.returncode == 0, done.stdout + done.stderr
        received = _digests(sink)

    assert _integrity(url) == "ok"
    weeks_sent = [iso_week((MONDAY + timedelta(days=7 * week)).date()) for week in range(weeks + 1)]
    addresses = {f"person{number}@example.org" for number in range(SUBSCRIBERS)}
    assert set(received) == addresses
    engine = make_engine(url)
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
        f"\ndigest on {_backend(url)}: {KILLS} kills (seed {SEED}) "
        f"over {SUBSCRIBERS} subscribers and "
        f"{len(weeks_sent)} week(s): {dict(moments)}; {copies} messages accepted for {digests} "
        f"digests, {copies - digests} second copies (same Message-ID)"
    )


def test_postgres_integrity_finds_a_key_stored_twice_and_constraints_not_valid() -> None:
    """The stand-in for ``PRAGMA integrity_check`` on PostgreSQL finds what it says it does."""
    with postgres_database(migrated=False) as url:
        engine = create_engine(url, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as connection:
                connection.execute(text("CREATE TABLE t (a integer, b integer)"))
                connection.execute(
                    text("INSERT INTO t VALUES (1, 1), (1, 2), (NULL, 3), (NULL, 4)")
                )
                _, sound = postgres_integrity(url)
                # A unique index built beside writes, over rows it finds twice: left invalid.
                with pytest.raises(IntegrityError):
                    connection.execute(text("CREATE UNIQUE INDEX CONCURRENTLY t_a ON t (a)"))
                connection.execute(
                    text("ALTER TABLE t ADD CONSTRAINT small CHECK (b < 3) NOT VALID")
                )
        finally:
            engine.dispose()
        checked, wrong = postgres_integrity(url)
    assert sound == []
    assert wrong == [
        "index t_a on t is not valid",
        "t (a): 1 key(s) stored more than once",
        "constraint small of t not validated",
    ]
    assert any(line.startswith("amcheck: ") for line in checked)
