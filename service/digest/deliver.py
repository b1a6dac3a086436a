"""The weekly send: one digest per confirmed subscription per ISO week, exactly once.

Each subscription's week is claimed in the store before its message is
built; its Message-ID is recorded before the message is handed to the mail
server; it is marked sent or failed after. A rerun skips what went out; a
failure is retried by the next run (up to ``max_attempts`` tries a week, a
try cut short by a crash included); a send that a crashed run left half
done is retried once its claim is older than ``stale_after``, under the
Message-ID that run recorded.

What this guarantees, and what no sender can: every confirmed subscription
gets its week's digest at least once, and a second copy can exist only if
the process died after the server accepted the message and before the
store recorded it (a window of one database commit). SMTP has no way to ask
a server whether it already took a message, so exactly once is up to the
receiver: both copies carry the same Message-ID, by which mail systems and
clients recognise a duplicate.

The message itself is composed by a function the caller passes in: this
module decides who gets what and when, not how it looks.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from random import Random

from service.digest.compile import subscription_digest
from service.digest.mailer import Mailer
from service.digest.weeks import iso_week
from service.model import Delivery, Digest, Subscription
from service.settings import ScoreWeights
from service.store import EventStore
from service.store.subscriptions import SubscriptionStore, not_claimable

log = logging.getLogger(__name__)

READ_AHEAD = 25
"""Subscriptions whose week's delivery is read in one statement before they are claimed:
those another run has sent or is sending are passed over without a claim (a transaction
of up to four statements each). A claim still decides; this only saves asking."""

Compose = Callable[[Digest, Subscription], EmailMessage]


@dataclass
class DeliveryReport:
    """What one run did, for the summary and the exit status."""

    sent: int = 0
    retried: int = 0
    """Of ``sent``, how many went out on a second or later attempt."""
    failed: int = 0
    already_sent: int = 0
    in_progress: int = 0
    gave_up: int = 0
    nothing_near: int = 0
    """Of ``sent``, digests without a top pick, which said so and suggested alternatives."""
    errors: list[tuple[int, str]] = field(default_factory=list)
    """(subscription id, error) of each failure; never an address."""

    @property
    def considered(self) -> int:
        return self.sent + self.failed + self.already_sent + self.in_progress + self.gave_up


def send_digests(
    *,
    store: EventStore,
    subscriptions: SubscriptionStore,
    mailer: Mailer,
    compose: Compose,
    now: datetime,
    stale_after: timedelta,
    max_attempts: int,
    weights: ScoreWeights | None = None,
    order: Random | None = None,
) -> DeliveryReport:
    """Send this week's digest to every confirmed subscription that has not had it.

    ``order`` shuffles the subscriptions (a new random order when None): runs on
    several machines then work in different places of the list instead of one
    behind the other trying to claim what the other just took.
    """
    report = DeliveryReport()
    for subscription, week, known in _walk(subscriptions, now=now, order=order):
        taken = not_claimable(known, now=now, stale_after=stale_after, max_attempts=max_attempts)
        if taken is not None:
            setattr(report, taken, getattr(report, taken) + 1)
            continue
        claim = subscriptions.claim(
            subscription_id=subscription.id,
            week=week,
            now=now,
            stale_after=stale_after,
            max_attempts=max_attempts,
        )
        if claim.delivery is None:
            setattr(report, claim.outcome, getattr(report, claim.outcome) + 1)
            continue
        delivery = claim.delivery
        try:
            digest = subscription_digest(
                store, subscriptions, subscription, now=now, weights=weights
            )
            message = compose(digest, subscription)
            if delivery.message_id:  # a crashed or failed try may have gone out under it
                del message["Message-ID"]
                message["Message-ID"] = delivery.message_id
            elif message["Message-ID"] and not subscriptions.record_message_id(
                delivery=delivery, message_id=message["Message-ID"]
            ):
                # This run stalled past ``stale_after`` and another took the send over.
                report.in_progress += 1
                continue
            mailer.send(message)
        except Exception as exc:  # one subscriber's failure must not stop the others
            error = f"{type(exc).__name__}: {exc}"
            log.warning("digest for subscription %s failed: %s", subscription.id, error)
            subscriptions.mark_failed(delivery=delivery, error=error)
            report.failed += 1
            report.errors.append((subscription.id, error))
            continue
        subscriptions.mark_sent(
            delivery=delivery,
            items=digest.listed(),
            message_id=message["Message-ID"],
            now=now,
        )
        report.sent += 1
        report.retried += delivery.attempts > 1
        report.nothing_near += digest.top_pick is None
    return report


def _walk(
    subscriptions: SubscriptionStore, *, now: datetime, order: Random | None
) -> Iterator[tuple[Subscription, str, Delivery | None]]:
    """Each active subscription in ``order``, with its week in its own time zone and that
    week's delivery as read ahead (:data:`READ_AHEAD` at a time), or None when it has none."""
    walk = subscriptions.active()
    (order or Random()).shuffle(walk)
    for first in range(0, len(walk), READ_AHEAD):
        batch = walk[first : first + READ_AHEAD]
        weeks = {s.id: iso_week(now.astimezone(s.zone).date()) for s in batch}
        known = subscriptions.deliveries(weeks)
        for subscription in batch:
            yield subscription, weeks[subscription.id], known.get(subscription.id)
