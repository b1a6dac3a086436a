"""``kill -9`` at seeded random moments of a digest send, then a rerun: none skipped, none
sent under two Message-IDs.

The campaign runs the real ``meetscout digest send`` in a process of its own against a
local SMTP server, kills it with SIGKILL at a moment drawn from a seeded generator,
checks the store (as ``tests/faults/test_kills_crawl.py`` does), and starts the next
run on what the killed one left. Then every subscriber got the week's digest, and
every copy a subscriber got carries one Message-ID: a second copy exists only where a
kill fell between the mail server's acceptance and the store's record of it (the
window SMTP cannot close; see ``service/digest/deliver.py``).
"""

from __future__ import annotations

import os
import random
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import IntegrityError

from service.digest.weeks import iso_week
from service.store import EventStore, SubscriptionStore, make_engine, migrate
from tests.factories import MONDAY, NOW, make_subscription
from tests.support.databases import postgres_database, postgres_integrity
from tests.support.kills import (
    KILLS,
    after_seconds,
    backend,
    command,
    integrity,
    kill_when,
    seed_for,
    to_the_end,
)
from tests.support.saved import bundled_events
from tests.support.smtp import SmtpSink


def _after_accepted(sink: SmtpSink, count: int, delay: float) -> Callable[[float], bool]:
    """Ready ``delay`` seconds after the mail server has accepted its ``count``-th message."""
    accepted: list[float] = []

    def ready(elapsed: float) -> bool:
        if not accepted and len(sink.handler.received) >= count:
            accepted.append(elapsed)
        return bool(accepted) and elapsed >= accepted[0] + delay

    return ready


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
    seed = seed_for(url)
    rng = random.Random(seed)
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
                ready, kind = after_seconds(rng.uniform(0.0, 3.0)), "at a random time"
            else:  # d ms after the k-th message of this run was accepted
                k, delay = rng.randint(1, 3), rng.uniform(0.0, 0.03)
                ready = _after_accepted(sink, before + k, delay)
                kind = "just after a message was accepted"
            was_killed, _ = kill_when(command("digest", "send"), _digest_env(url, sink, now), ready)
            moments[kind if was_killed else "after the run had ended"] += 1
            weeks += not was_killed
            assert integrity(url) == "ok", number

        last = MONDAY + timedelta(days=7 * weeks, minutes=2 * number + 2)
        done, _ = to_the_end(command("digest", "send"), _digest_env(url, sink, last))
        assert done.returncode == 0, done.stdout + done.stderr
        received = _digests(sink)

    assert integrity(url) == "ok"
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
        f"\ndigest on {backend(url)}: {KILLS} kills (seed {seed}) "
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
