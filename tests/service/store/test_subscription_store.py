"""Subscriptions in the store: confirmation, and the per-week claim that keeps sends single."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

import pytest
from sqlalchemy import text

from service.model import FreeTime, ListedEvent, Status, Subscription
from service.store import EventStore, SubscriptionStore
from service.store.subscriptions import not_claimable
from tests.factories import NOW, make_subscription
from tests.support.databases import ONLY_POSTGRESQL

STALE = timedelta(minutes=30)
WEEK = "2026-W48"


@pytest.fixture
def subscriptions(store: EventStore) -> SubscriptionStore:
    return SubscriptionStore(store.engine)


def new(
    subscriptions: SubscriptionStore, *, token: str = "t" * 43, code: str = "code"
) -> Subscription:
    draft = make_subscription(token=token)
    return subscriptions.create(subscription=draft, confirm_code=code)


def claim(subscriptions: SubscriptionStore, subscription_id: int, now: datetime, attempts: int = 5):  # type: ignore[no-untyped-def]
    return subscriptions.claim(
        subscription_id=subscription_id,
        week=WEEK,
        now=now,
        stale_after=STALE,
        max_attempts=attempts,
    )


def test_create_and_get_subscription_round_trips(subscriptions: SubscriptionStore) -> None:
    created = new(subscriptions)
    found = subscriptions.get(token=created.token)
    assert found == created
    assert found.status == "pending"
    assert found.free_times == (FreeTime.WEEKENDS,)


def test_confirm_needs_the_code_in_time(subscriptions: SubscriptionStore) -> None:
    created = new(subscriptions, code="right")
    week = timedelta(days=7)
    assert not subscriptions.confirm(token=created.token, code="wrong", now=NOW, valid_for=week)
    late = NOW + week + timedelta(seconds=1)
    assert not subscriptions.confirm(token=created.token, code="right", now=late, valid_for=week)
    assert subscriptions.confirm(token=created.token, code="right", now=NOW, valid_for=week)
    assert subscriptions.get(token=created.token).status == "active"  # type: ignore[union-attr]
    # Confirming again is harmless.
    assert subscriptions.confirm(token=created.token, code="right", now=NOW, valid_for=week)


def test_only_confirmed_and_subscribed_are_active(subscriptions: SubscriptionStore) -> None:
    pending = new(subscriptions, token="p" * 43)
    active = new(subscriptions, token="a" * 43, code="c")
    gone = new(subscriptions, token="g" * 43, code="c")
    for item in (active, gone):
        subscriptions.confirm(token=item.token, code="c", now=NOW, valid_for=timedelta(days=7))
    subscriptions.unsubscribe(token=gone.token, now=NOW)
    assert [item.token for item in subscriptions.active()] == [active.token]
    assert pending.token not in {item.token for item in subscriptions.active()}


def test_purge_unconfirmed_forgets_only_old_pending(subscriptions: SubscriptionStore) -> None:
    old = new(subscriptions, token="o" * 43)
    kept = new(subscriptions, token="k" * 43, code="c")
    subscriptions.confirm(token=kept.token, code="c", now=NOW, valid_for=timedelta(days=7))
    assert subscriptions.purge_unconfirmed(created_before=NOW + timedelta(seconds=1)) == 1
    assert subscriptions.get(token=old.token) is None
    assert subscriptions.get(token=kept.token) is not None


def test_claim_once_per_week(subscriptions: SubscriptionStore) -> None:
    sid = new(subscriptions).id
    first = claim(subscriptions, sid, NOW)
    assert first.outcome == "claimed"
    assert claim(subscriptions, sid, NOW).outcome == "in_progress"
    assert first.delivery is not None
    item = ListedEvent("e1", "Event", NOW, 2, Status.SCHEDULED, "top_pick")
    subscriptions.mark_sent(delivery=first.delivery, items=[item], message_id="<m@x>", now=NOW)
    assert claim(subscriptions, sid, NOW + timedelta(days=1)).outcome == "already_sent"
    sent = subscriptions.delivery(subscription_id=sid, week=WEEK)
    assert sent is not None
    assert (sent.status, sent.attempts, sent.items, sent.message_id) == (
        "sent",
        1,
        (item,),
        "<m@x>",
    )


def test_claim_retries_a_failure_and_counts_it(subscriptions: SubscriptionStore) -> None:
    sid = new(subscriptions).id
    first = claim(subscriptions, sid, NOW)
    assert first.delivery is not None
    subscriptions.mark_failed(delivery=first.delivery, error="451 try later")
    again = claim(subscriptions, sid, NOW + timedelta(minutes=1))
    assert again.outcome == "claimed"
    assert again.delivery is not None
    assert again.delivery.attempts == 2
    assert subscriptions.delivery(subscription_id=sid, week=WEEK).error == "451 try later"  # type: ignore[union-attr]


def test_claim_takes_over_a_send_a_crashed_run_left(subscriptions: SubscriptionStore) -> None:
    sid = new(subscriptions).id
    assert claim(subscriptions, sid, NOW).outcome == "claimed"
    assert claim(subscriptions, sid, NOW + STALE - timedelta(seconds=1)).outcome == "in_progress"
    taken = claim(subscriptions, sid, NOW + STALE)
    assert taken.outcome == "claimed"
    assert taken.delivery is not None and taken.delivery.attempts == 2


def test_claim_gives_up_after_max_attempts(subscriptions: SubscriptionStore) -> None:
    sid = new(subscriptions).id
    for attempt in range(2):
        claimed = claim(subscriptions, sid, NOW + timedelta(minutes=attempt), attempts=2)
        assert claimed.delivery is not None
        subscriptions.mark_failed(delivery=claimed.delivery, error="boom")
    assert claim(subscriptions, sid, NOW + timedelta(hours=1), attempts=2).outcome == "gave_up"


def test_a_delivery_read_ahead_is_claimable_exactly_when_a_claim_would_take_it(
    subscriptions: SubscriptionStore,
) -> None:
    """What a run reads ahead must agree with the claim: each state of a week's delivery,
    read with :meth:`deliveries`, then claimed at the same moment."""
    at = NOW + timedelta(hours=2)
    states = ("none", "sent", "sending", "stale", "failed", "failed twice")
    sids = {state: new(subscriptions, token=f"{n:043d}").id for n, state in enumerate(states)}
    for state, sid in sids.items():
        if state == "none":
            continue
        started = at - (STALE if state == "stale" else timedelta(minutes=1))
        claimed = claim(subscriptions, sid, started).delivery
        assert claimed is not None
        if state == "sent":
            subscriptions.mark_sent(delivery=claimed, items=[], message_id=None, now=started)
        if state.startswith("failed"):
            subscriptions.mark_failed(delivery=claimed, error="451 try later")
        if state == "failed twice":
            again = claim(subscriptions, sid, started).delivery
            assert again is not None
            subscriptions.mark_failed(delivery=again, error="451 try later")

    known = subscriptions.deliveries(dict.fromkeys(sids.values(), WEEK))
    said = {
        state: not_claimable(known.get(sid), now=at, stale_after=STALE, max_attempts=2)
        for state, sid in sids.items()
    }
    taken = {
        state: claim(subscriptions, sid, at, attempts=2).outcome for state, sid in sids.items()
    }

    assert said == {
        "none": None,
        "sent": "already_sent",
        "sending": "in_progress",
        "stale": None,
        "failed": None,
        "failed twice": "gave_up",
    }
    assert taken == {state: why or "claimed" for state, why in said.items()}


def test_deliveries_reads_only_the_week_asked_of_each_subscription(
    subscriptions: SubscriptionStore,
) -> None:
    first, second = (new(subscriptions, token=f"{n:043d}").id for n in (1, 2))
    for sid, week in ((first, WEEK), (second, "2026-W47")):
        subscriptions.claim(
            subscription_id=sid, week=week, now=NOW, stale_after=STALE, max_attempts=5
        )

    known = subscriptions.deliveries({first: WEEK, second: WEEK})

    assert list(known) == [first]
    assert (known[first].week, known[first].status) == (WEEK, "sending")
    assert subscriptions.deliveries({}) == {}


def test_last_sent_is_the_latest_earlier_week(subscriptions: SubscriptionStore) -> None:
    sid = new(subscriptions).id
    for week in ("2026-W46", "2026-W47"):
        claimed = subscriptions.claim(
            subscription_id=sid, week=week, now=NOW, stale_after=STALE, max_attempts=5
        )
        assert claimed.delivery is not None
        subscriptions.mark_sent(delivery=claimed.delivery, items=[], message_id=None, now=NOW)
    claimed = claim(subscriptions, sid, NOW)
    assert claimed.delivery is not None
    subscriptions.mark_failed(delivery=claimed.delivery, error="x")
    last = subscriptions.last_sent(subscription_id=sid, before_week="2026-W49")
    assert last is not None and last.week == "2026-W47"


def test_delete_forgets_subscription_and_deliveries(subscriptions: SubscriptionStore) -> None:
    created = new(subscriptions)
    claim(subscriptions, created.id, NOW)
    assert subscriptions.delete(token=created.token)
    assert subscriptions.get(token=created.token) is None
    assert subscriptions.delivery(subscription_id=created.id, week=WEEK) is None
    assert not subscriptions.delete(token=created.token)


def test_unsubscribe_address_stops_every_subscription_of_it(
    subscriptions: SubscriptionStore,
) -> None:
    first = new(subscriptions, token="f" * 43)
    second = new(subscriptions, token="s" * 43)
    assert subscriptions.unsubscribe_address(email="ADA@example.org ", now=NOW) == 2
    for item in (first, second):
        assert subscriptions.get(token=item.token).status == "unsubscribed"  # type: ignore[union-attr]
    assert subscriptions.unsubscribe_address(email="ada@example.org", now=NOW) == 0


def test_a_crashed_sends_message_id_is_kept_for_the_run_that_takes_over(
    subscriptions: SubscriptionStore,
) -> None:
    sid = new(subscriptions).id
    crashed = claim(subscriptions, sid, NOW).delivery
    assert crashed is not None
    assert subscriptions.record_message_id(delivery=crashed, message_id="<first@x>")
    # The dead run's claim goes stale; the next run takes it over with its Message-ID.
    takeover = claim(subscriptions, sid, NOW + STALE).delivery
    assert takeover is not None
    assert (takeover.attempts, takeover.message_id) == (2, "<first@x>")
    # The dead run can no longer write over the claim it lost.
    assert not subscriptions.record_message_id(delivery=crashed, message_id="<other@x>")
    kept = subscriptions.delivery(subscription_id=sid, week=WEEK)
    assert kept is not None and kept.message_id == "<first@x>"


@ONLY_POSTGRESQL
def test_claim_moves_on_from_a_subscription_another_run_is_claiming(
    subscriptions: SubscriptionStore,
) -> None:
    """Another run holds the subscription's row mid-claim: this run skips it at once
    (FOR UPDATE SKIP LOCKED) and can claim it once that run is done and left it unsent."""
    sid = new(subscriptions).id
    outcomes: list[str] = []
    with subscriptions.engine.connect() as other_run:
        other_run.execute(
            text("SELECT id FROM subscriptions WHERE id = :id FOR UPDATE"), {"id": sid}
        )
        waiting = threading.Thread(
            target=lambda: outcomes.append(claim(subscriptions, sid, NOW).outcome)
        )
        waiting.start()
        waiting.join(timeout=10)
        finished_while_held = not waiting.is_alive()
        other_run.rollback()
    waiting.join(timeout=10)

    assert finished_while_held
    assert outcomes == ["in_progress"]
    assert claim(subscriptions, sid, NOW).outcome == "claimed"
