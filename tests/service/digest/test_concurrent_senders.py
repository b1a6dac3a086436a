"""Two digest runs at once, as on two machines: each week of each subscription goes out once.

Each sender has its own engine (its own connections, as another machine
would) and its own SMTP connection to one real server (aiosmtpd). Each
sender's first message waits until the other sender has claimed one too,
so both are sure to be sending at the same time.
"""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta
from email.message import EmailMessage

from service.digest.deliver import DeliveryReport, send_digests
from service.digest.mailer import SmtpMailer
from service.model import Digest, Subscription
from service.settings import Settings
from service.store import EventStore, SubscriptionStore, make_engine
from tests.factories import MONDAY, NOW, berlin_meetup, make_subscription
from tests.support.smtp import SmtpSink

SUBSCRIBERS = 24
STALE = timedelta(minutes=30)


def subscribed(store: EventStore) -> list[str]:
    subscriptions = SubscriptionStore(store.engine)
    addresses = [f"person{number}@example.org" for number in range(SUBSCRIBERS)]
    for number, address in enumerate(addresses):
        token = f"{number:043d}"
        subscriptions.create(
            subscription=make_subscription(token=token, email=address), confirm_code="code"
        )
        assert subscriptions.confirm(token=token, code="code", now=NOW, valid_for=STALE)
    return addresses


def sender(
    settings: Settings,
    sink: SmtpSink,
    both_sending: threading.Barrier,
    reports: list[DeliveryReport],
) -> None:
    engine = make_engine(settings.database_url)
    first = True

    def compose(digest: Digest, subscription: Subscription) -> EmailMessage:
        nonlocal first
        if first:
            first = False
            both_sending.wait(timeout=30)
        message = EmailMessage()
        message["From"] = "digest@meetscout.test"
        message["To"] = subscription.email
        message["Subject"] = f"digest {digest.week}"
        message.set_content(digest.title)
        return message

    try:
        with SmtpMailer.from_url(sink.url) as mailer:
            reports.append(
                send_digests(
                    store=EventStore(engine),
                    subscriptions=SubscriptionStore(engine),
                    mailer=mailer,
                    compose=compose,
                    now=MONDAY,
                    stale_after=STALE,
                    max_attempts=3,
                )
            )
    finally:
        engine.dispose()


def test_two_senders_at_once_send_each_digest_once_between_them(
    settings: Settings, store: EventStore
) -> None:
    store.upsert_many([berlin_meetup(number) for number in range(3)], now=NOW)
    addresses = subscribed(store)
    both_sending = threading.Barrier(2)
    reports: list[DeliveryReport] = []

    with SmtpSink() as sink:
        threads = [
            threading.Thread(target=sender, args=(settings, sink, both_sending, reports))
            for _ in range(2)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        received = Counter(item.recipients[0] for item in sink.handler.received)

    assert len(reports) == 2
    assert received == Counter({address: 1 for address in addresses})
    assert sorted(report.sent > 0 for report in reports) == [True, True]
    assert sum(report.sent for report in reports) == SUBSCRIBERS
    assert sum(report.failed for report in reports) == 0
    assert all(report.considered == SUBSCRIBERS for report in reports)
