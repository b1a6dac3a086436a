"""Signing up for the weekly digest: the one way the API and the web page both take.

A sign-up sends a confirmation email to the address it is given and
nothing else until its link is followed (double opt-in). Both faces call
:func:`subscribe` and turn a :class:`SubscribeError` into their own answer
(a status code, a message beside the form).
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Literal

from feeds.mail import HeaderError
from service.digest.compose import compose_confirmation
from service.digest.mailer import MailError, SmtpMailer
from service.model import Attendance, FreeTime, Kind, Subscription
from service.places.timezones import zone_at
from service.search import SearchError, resolve_place
from service.settings import Settings
from service.store import SubscriptionStore

log = logging.getLogger(__name__)

CONFIRM_WITHIN = timedelta(days=7)
"""A confirmation link works this long; unconfirmed subscriptions are then forgotten."""

MAX_PENDING_PER_ADDRESS = 3
"""Unconfirmed subscriptions one address may have: a cap on confirmation mail to a stranger."""

Refusal = Literal["no_mail", "pending", "place", "not_sent"]


class SubscribeError(Exception):
    """Why a sign-up was refused: ``reason`` for the face, ``message`` for the person.

    ``parameter`` names the field at fault (``near``); ``retry_after`` is in seconds.
    """

    def __init__(
        self,
        reason: Refusal,
        message: str,
        *,
        parameter: str | None = None,
        retry_after: int | None = None,
    ) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message
        self.parameter = parameter
        self.retry_after = retry_after


@dataclass(frozen=True, slots=True)
class SignUp:
    """What a person asks for, already checked field by field by the face it came through."""

    email: str
    radius_km: float
    near: str | None = None
    lat: float | None = None
    lon: float | None = None
    timezone: str | None = None
    sectors: Sequence[str] = ()
    kinds: Sequence[Kind] = ()
    attendance: Sequence[Attendance] = ()
    free_times: Sequence[FreeTime] = ()


@dataclass(frozen=True, slots=True)
class Located:
    """Where a subscription is centred: the place's label (None for coordinates) and zone."""

    label: str | None
    lat: float
    lon: float
    timezone: str


def locate(near: str | None, lat: float | None, lon: float | None, timezone: str | None) -> Located:
    """A place name or coordinates as a centre; an unknown name is refused for ``near``."""
    if near is not None:
        try:
            place = resolve_place(near)
        except SearchError as exc:
            raise SubscribeError("place", exc.message, parameter="near") from exc
        return Located(place.label, place.lat, place.lon, timezone or place.timezone)
    if lat is None or lon is None:
        raise ValueError("a subscription needs a place name or both coordinates")
    return Located(None, lat, lon, timezone or zone_at(lat, lon))


def subscribe(
    subscriptions: SubscriptionStore, settings: Settings, wish: SignUp, *, now: datetime
) -> Subscription:
    """Store a pending subscription and send its confirmation email.

    Nothing is kept when the email cannot be sent: the person can simply try again.
    """
    if settings.smtp_url is None:
        raise SubscribeError(
            "no_mail", "email is not configured on this server (MEETSCOUT_SMTP_URL)"
        )
    waiting = subscriptions.pending_count(email=wish.email, since=now - CONFIRM_WITHIN)
    if waiting >= MAX_PENDING_PER_ADDRESS:
        raise SubscribeError(
            "pending",
            "this address has unconfirmed subscriptions waiting; confirm one of them first",
            retry_after=int(CONFIRM_WITHIN.total_seconds()),
        )
    where = locate(wish.near, wish.lat, wish.lon, wish.timezone)
    code = secrets.token_urlsafe(16)
    draft = Subscription(
        id=0,
        token=secrets.token_urlsafe(32),
        email=wish.email,
        near=where.label,
        lat=where.lat,
        lon=where.lon,
        radius_km=wish.radius_km,
        timezone=where.timezone,
        sectors=tuple(wish.sectors),
        kinds=tuple(dict.fromkeys(wish.kinds)),
        attendance=tuple(dict.fromkeys(wish.attendance)),
        free_times=tuple(dict.fromkeys(wish.free_times)),
        created=now,
        updated=now,
    )
    subscription = subscriptions.create(subscription=draft, confirm_code=code)
    try:
        message = compose_confirmation(
            subscription, code=code, base_url=settings.base_url, sender=settings.mail_from, now=now
        )
        send_now(settings, message)
    except (MailError, HeaderError, OSError) as exc:
        subscriptions.delete(token=subscription.token)
        log.warning("confirmation email not sent: %s", exc)
        raise SubscribeError(
            "not_sent", "the confirmation email could not be sent; try again later"
        ) from exc
    return subscription


def send_now(settings: Settings, message: EmailMessage) -> None:
    """Send one message now, over a connection of its own."""
    if settings.smtp_url is None:
        raise MailError("MEETSCOUT_SMTP_URL is not set")
    try:
        mailer = SmtpMailer.from_url(settings.smtp_url.get_secret_value())
    except ValueError as exc:
        raise MailError(f"MEETSCOUT_SMTP_URL: {exc}") from exc
    with mailer:
        mailer.send(message)
