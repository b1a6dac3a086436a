"""Digest subscriptions and their weekly deliveries.

A delivery row is keyed by (subscription, ISO week) and is claimed in a
transaction before anything is sent, so neither a rerun nor a run on another
machine at the same time sends a week twice:
``sent`` rows are skipped, ``failed`` rows are retried, and a ``sending``
row whose claim is older than ``stale_after`` belongs to a run that died
and is retried too, with the Message-ID the dead run recorded before it
handed the message over. Confirmation codes are stored only as hashes: they are
needed once, to compare.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy import (
    JSON,
    Column,
    Engine,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    delete,
    func,
    insert,
    or_,
    select,
    update,
)

from service.model import Attendance, Delivery, FreeTime, Kind, ListedEvent, Subscription
from service.store import dialects
from service.store.tables import UTCDateTime, going_lists, going_marks, host_follows, metadata

SENDING, SENT, FAILED = "sending", "sent", "failed"
ERROR_LIMIT = 1000

subscriptions = Table(
    "subscriptions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("token", String(64), nullable=False, unique=True),
    Column("confirm_code_hash", String(64)),
    Column("email", String(320), nullable=False),
    Column("near", Text),
    Column("lat", Float, nullable=False),
    Column("lon", Float, nullable=False),
    Column("radius_km", Float, nullable=False),
    Column("sectors", JSON, nullable=False),
    Column("kinds", JSON, nullable=False),
    Column("attendance", JSON, nullable=False),
    Column("free_times", JSON, nullable=False),
    Column("timezone", String(64), nullable=False),
    Column("created", UTCDateTime, nullable=False),
    Column("updated", UTCDateTime, nullable=False),
    Column("confirmed", UTCDateTime),
    Column("unsubscribed", UTCDateTime),
    Index("ix_subscriptions_email", "email"),
)

digest_deliveries = Table(
    "digest_deliveries",
    metadata,
    Column(
        "subscription_id",
        Integer,
        ForeignKey("subscriptions.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("week", String(8), primary_key=True),
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("claimed_at", UTCDateTime, nullable=False),
    Column("sent_at", UTCDateTime),
    Column("error", Text),
    # The events the digest listed, with the sequence and start it showed.
    Column("items", JSON, nullable=False),
    Column("message_id", Text),
)


ClaimOutcome = Literal["claimed", "already_sent", "in_progress", "gave_up"]


@dataclass(frozen=True, slots=True)
class Claim:
    """The delivery to send when ``outcome`` is ``claimed``; otherwise why not."""

    delivery: Delivery | None
    outcome: ClaimOutcome


def not_claimable(
    delivery: Delivery | None, *, now: datetime, stale_after: timedelta, max_attempts: int
) -> ClaimOutcome | None:
    """Why a run may not claim ``delivery`` (sent; being sent under a claim younger than
    ``stale_after``; tried ``max_attempts`` times), or None when it may: no delivery yet, a
    failed one with tries left, or one whose run stopped answering. The same rule as the
    update in :meth:`SubscriptionStore.claim`, which alone decides."""
    if delivery is None:
        return None
    if delivery.status == SENT:
        return "already_sent"
    if delivery.status == SENDING and now - delivery.claimed_at < stale_after:
        return "in_progress"
    if delivery.attempts >= max_attempts:
        return "gave_up"
    return None


def code_hash(code: str) -> str:
    return hashlib.sha256(code.encode("utf-8")).hexdigest()


def _subscription(row: Any) -> Subscription:
    m = row._mapping
    return Subscription(
        id=m["id"],
        token=m["token"],
        email=m["email"],
        near=m["near"],
        lat=m["lat"],
        lon=m["lon"],
        radius_km=m["radius_km"],
        sectors=tuple(m["sectors"] or ()),
        kinds=tuple(Kind(kind) for kind in m["kinds"] or ()),
        attendance=tuple(Attendance(value) for value in m["attendance"] or ()),
        free_times=tuple(FreeTime(value) for value in m["free_times"] or ()),
        timezone=m["timezone"],
        created=m["created"],
        updated=m["updated"],
        confirmed=m["confirmed"],
        unsubscribed=m["unsubscribed"],
    )


def _delivery(row: Any) -> Delivery:
    m = row._mapping
    return Delivery(
        subscription_id=m["subscription_id"],
        week=m["week"],
        status=m["status"],
        attempts=m["attempts"],
        claimed_at=m["claimed_at"],
        sent_at=m["sent_at"],
        error=m["error"],
        items=tuple(ListedEvent.from_json(item) for item in m["items"] or ()),
        message_id=m["message_id"],
    )


def _preferences(subscription: Subscription) -> dict[str, Any]:
    return {
        "near": subscription.near,
        "lat": subscription.lat,
        "lon": subscription.lon,
        "radius_km": subscription.radius_km,
        "sectors": list(subscription.sectors),
        "kinds": [kind.value for kind in subscription.kinds],
        "attendance": [value.value for value in subscription.attendance],
        "free_times": [value.value for value in subscription.free_times],
        "timezone": subscription.timezone,
    }


class SubscriptionStore:
    """Repository over ``subscriptions`` and ``digest_deliveries``; keyword arguments only."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # Subscriptions

    def create(self, *, subscription: Subscription, confirm_code: str) -> Subscription:
        """Store a new, unconfirmed subscription; the id comes from the database."""
        values = {
            **_preferences(subscription),
            "token": subscription.token,
            "email": subscription.email,
            "confirm_code_hash": code_hash(confirm_code),
            "created": subscription.created,
            "updated": subscription.updated,
            "confirmed": None,
            "unsubscribed": None,
        }
        with self.engine.begin() as conn:
            result = conn.execute(insert(subscriptions).values(**values))
            new_id = result.inserted_primary_key[0]  # type: ignore[index]
        return replace(subscription, id=int(new_id), confirmed=None, unsubscribed=None)

    def get(self, *, token: str) -> Subscription | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(subscriptions).where(subscriptions.c.token == token)).first()
        return _subscription(row) if row is not None else None

    def update_preferences(self, *, subscription: Subscription, now: datetime) -> Subscription:
        """Save what the person changed (place, radius, filters, free times)."""
        with self.engine.begin() as conn:
            conn.execute(
                update(subscriptions)
                .where(subscriptions.c.id == subscription.id)
                .values(**_preferences(subscription), updated=now)
            )
        return replace(subscription, updated=now)

    def confirm(self, *, token: str, code: str, now: datetime, valid_for: timedelta) -> bool:
        """Confirm with the code the email carried; True once confirmed (again or now)."""
        with self.engine.begin() as conn:
            row = conn.execute(
                select(
                    subscriptions.c.id,
                    subscriptions.c.confirm_code_hash,
                    subscriptions.c.confirmed,
                    subscriptions.c.created,
                ).where(subscriptions.c.token == token)
            ).first()
            if row is None:
                return False
            if row.confirmed is not None:
                return True
            if row.confirm_code_hash is None or now - row.created > valid_for:
                return False
            if not hmac.compare_digest(row.confirm_code_hash, code_hash(code)):
                return False
            conn.execute(
                update(subscriptions)
                .where(subscriptions.c.id == row.id)
                .values(confirmed=now, confirm_code_hash=None, updated=now)
            )
        return True

    def unsubscribe(self, *, token: str, now: datetime) -> Subscription | None:
        """Stop the emails; the first unsubscribe time is kept when repeated."""
        with self.engine.begin() as conn:
            conn.execute(
                update(subscriptions)
                .where(subscriptions.c.token == token, subscriptions.c.unsubscribed.is_(None))
                .values(unsubscribed=now, updated=now)
            )
        return self.get(token=token)

    def unsubscribe_address(self, *, email: str, now: datetime) -> int:
        """Stop every subscription of ``email`` (an unsubscribe request by mail)."""
        with self.engine.begin() as conn:
            result = conn.execute(
                update(subscriptions)
                .where(
                    func.lower(subscriptions.c.email) == email.strip().lower(),
                    subscriptions.c.unsubscribed.is_(None),
                )
                .values(unsubscribed=now, updated=now)
            )
        return int(result.rowcount or 0)

    def delete(self, *, token: str) -> bool:
        """Forget the subscription, its address, every delivery record, the hosts it follows
        and its "I'm going" list."""
        with self.engine.begin() as conn:
            row = conn.execute(
                select(subscriptions.c.id).where(subscriptions.c.token == token)
            ).first()
            if row is None:
                return False
            conn.execute(
                delete(digest_deliveries).where(digest_deliveries.c.subscription_id == row.id)
            )
            conn.execute(delete(host_follows).where(host_follows.c.subscription_id == row.id))
            going = select(going_lists.c.id).where(going_lists.c.subscription_id == row.id)
            conn.execute(delete(going_marks).where(going_marks.c.list_id.in_(going)))
            conn.execute(delete(going_lists).where(going_lists.c.subscription_id == row.id))
            conn.execute(delete(subscriptions).where(subscriptions.c.id == row.id))
        return True

    def pending_count(self, *, email: str, since: datetime) -> int:
        """Unconfirmed subscriptions for ``email`` created since ``since``."""
        stmt = select(func.count()).where(
            subscriptions.c.email == email,
            subscriptions.c.confirmed.is_(None),
            subscriptions.c.created >= since,
        )
        with self.engine.connect() as conn:
            return int(conn.execute(stmt).scalar_one())

    def purge_unconfirmed(self, *, created_before: datetime) -> int:
        """Forget subscriptions never confirmed in time: their address was never ours to keep."""
        with self.engine.begin() as conn:
            result = conn.execute(
                delete(subscriptions).where(
                    subscriptions.c.confirmed.is_(None),
                    subscriptions.c.created < created_before,
                )
            )
        return int(result.rowcount or 0)

    def active(self) -> list[Subscription]:
        """Confirmed and not unsubscribed: the ones a digest run sends to."""
        stmt = (
            select(subscriptions)
            .where(subscriptions.c.confirmed.is_not(None), subscriptions.c.unsubscribed.is_(None))
            .order_by(subscriptions.c.id)
        )
        with self.engine.connect() as conn:
            return [_subscription(row) for row in conn.execute(stmt)]

    # Deliveries

    def claim(
        self,
        *,
        subscription_id: int,
        week: str,
        now: datetime,
        stale_after: timedelta,
        max_attempts: int,
    ) -> Claim:
        """Take the week's delivery for sending, or say why it is not ours to send.

        Not ours: already sent, being sent by a run whose claim is fresh, or
        failed ``max_attempts`` times. Several runs, on several machines, may
        walk the same subscriptions at once: each claim is one transaction
        that writes first (an insert that does nothing when the row exists,
        then an update whose WHERE says what may be taken), so exactly one
        run wins each week. On PostgreSQL the subscription's row is locked
        with ``FOR UPDATE SKIP LOCKED`` first: a run never waits for another
        run's claim of the same subscription, it moves on to the next.
        """
        key = (
            digest_deliveries.c.subscription_id == subscription_id,
            digest_deliveries.c.week == week,
        )
        with self.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                mine = conn.execute(
                    select(subscriptions.c.id)
                    .where(subscriptions.c.id == subscription_id)
                    .with_for_update(skip_locked=True)
                ).first()
                if mine is None:
                    return Claim(None, "in_progress")
            inserted = conn.execute(
                dialects.insert(self.engine, digest_deliveries)
                .values(
                    subscription_id=subscription_id,
                    week=week,
                    status=SENDING,
                    attempts=1,
                    claimed_at=now,
                    items=[],
                )
                .on_conflict_do_nothing(index_elements=["subscription_id", "week"])
                .returning(digest_deliveries.c.attempts)
            ).first()
            if inserted is not None:
                return Claim(Delivery(subscription_id, week, SENDING, 1, now), "claimed")
            taken = conn.execute(
                update(digest_deliveries)
                .where(
                    *key,
                    digest_deliveries.c.status != SENT,
                    digest_deliveries.c.attempts < max_attempts,
                    or_(
                        digest_deliveries.c.status != SENDING,
                        digest_deliveries.c.claimed_at <= now - stale_after,
                    ),
                )
                .values(
                    status=SENDING,
                    attempts=digest_deliveries.c.attempts + 1,
                    claimed_at=now,
                )
                .returning(*digest_deliveries.c)
            ).first()
            if taken is not None:
                return Claim(_delivery(taken), "claimed")
            row = conn.execute(select(digest_deliveries).where(*key)).one()
        current = _delivery(row)
        why = not_claimable(current, now=now, stale_after=stale_after, max_attempts=max_attempts)
        return Claim(None, why or "gave_up")

    def deliveries(self, weeks: Mapping[int, str]) -> dict[int, Delivery]:
        """The delivery of each subscription's week in ``weeks`` (subscription id to ISO week)
        that has one, in one statement: what a run reads ahead to pass over the subscriptions
        another run has sent or is sending without trying to claim them."""
        if not weeks:
            return {}
        stmt = select(digest_deliveries).where(
            digest_deliveries.c.subscription_id.in_(list(weeks)),
            digest_deliveries.c.week.in_(set(weeks.values())),
        )
        with self.engine.connect() as conn:
            found = (_delivery(row) for row in conn.execute(stmt))
            return {d.subscription_id: d for d in found if weeks[d.subscription_id] == d.week}

    def record_message_id(self, *, delivery: Delivery, message_id: str) -> bool:
        """Write down the Message-ID a claimed delivery is about to be sent with.

        Done before the message goes to the mail server, so that a run that
        takes over after a crash sends the same Message-ID (a receiver that
        deduplicates by it shows the digest once) even when what composes the
        id (the sender's domain) changed meanwhile. False when the claim is
        no longer this run's.
        """
        with self.engine.begin() as conn:
            result = conn.execute(
                update(digest_deliveries)
                .where(
                    digest_deliveries.c.subscription_id == delivery.subscription_id,
                    digest_deliveries.c.week == delivery.week,
                    digest_deliveries.c.status == SENDING,
                    digest_deliveries.c.attempts == delivery.attempts,
                )
                .values(message_id=message_id)
            )
        return result.rowcount == 1

    def mark_sent(
        self,
        *,
        delivery: Delivery,
        items: Iterable[ListedEvent],
        message_id: str | None,
        now: datetime,
    ) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                update(digest_deliveries)
                .where(
                    digest_deliveries.c.subscription_id == delivery.subscription_id,
                    digest_deliveries.c.week == delivery.week,
                )
                .values(
                    status=SENT,
                    sent_at=now,
                    error=None,
                    items=[item.to_json() for item in items],
                    message_id=message_id,
                )
            )

    def mark_failed(self, *, delivery: Delivery, error: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                update(digest_deliveries)
                .where(
                    digest_deliveries.c.subscription_id == delivery.subscription_id,
                    digest_deliveries.c.week == delivery.week,
                    digest_deliveries.c.status == SENDING,
                )
                .values(status=FAILED, error=error[:ERROR_LIMIT])
            )

    def delivery(self, *, subscription_id: int, week: str) -> Delivery | None:
        stmt = select(digest_deliveries).where(
            digest_deliveries.c.subscription_id == subscription_id,
            digest_deliveries.c.week == week,
        )
        with self.engine.connect() as conn:
            row = conn.execute(stmt).first()
        return _delivery(row) if row is not None else None

    def last_sent(self, *, subscription_id: int, before_week: str) -> Delivery | None:
        """The latest digest that went out before ``before_week``."""
        stmt = (
            select(digest_deliveries)
            .where(
                digest_deliveries.c.subscription_id == subscription_id,
                digest_deliveries.c.status == SENT,
                digest_deliveries.c.week < before_week,
            )
            .order_by(digest_deliveries.c.week.desc())
            .limit(1)
        )
        with self.engine.connect() as conn:
            row = conn.execute(stmt).first()
        return _delivery(row) if row is not None else None
