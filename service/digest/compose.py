"""A subscription's links and emails: what the API and ``meetscout digest send`` both send.

Every link carries the subscription's token; none carries the address.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from urllib.parse import quote

from feeds.digest import DigestLinks
from feeds.mail import Envelope, confirmation_email, digest_email
from service.digest.build import Digest
from service.links import absolute
from service.model import Subscription


@dataclass(frozen=True)
class SubscriptionLinks:
    manage: str
    confirm: str
    unsubscribe: str
    feed: str
    page: str


def subscription_links(base_url: str, token: str, *, code: str | None = None) -> SubscriptionLinks:
    """The subscription's URLs; ``confirm`` carries the confirmation code when given."""
    path = f"/subscriptions/{quote(token, safe='')}"
    confirm_params = [("code", code)] if code else None
    return SubscriptionLinks(
        manage=absolute(base_url, path),
        confirm=absolute(base_url, f"{path}/confirm", confirm_params),
        unsubscribe=absolute(base_url, f"{path}/unsubscribe"),
        feed=absolute(base_url, f"{path}/digest.atom"),
        page=absolute(base_url, f"{path}/digest"),
    )


def public_key(subscription: Subscription) -> str:
    """A name for the subscription in ids and Message-IDs that reveals neither token nor address."""
    return hashlib.sha256(f"meetscout-subscription:{subscription.token}".encode()).hexdigest()[:20]


def digest_links(
    base_url: str, subscription: Subscription, digest: Digest | None = None
) -> DigestLinks:
    links = subscription_links(base_url, subscription.token)
    wider = online = None
    if digest is not None and digest.wider_radius_km is not None:
        wider = absolute(
            base_url,
            "/digest",
            [
                ("lat", f"{subscription.lat:g}"),
                ("lon", f"{subscription.lon:g}"),
                ("radius_km", f"{digest.wider_radius_km:g}"),
                *(("sector", slug) for slug in subscription.sectors),
            ],
        )
    if digest is not None and digest.top_pick is None:
        online = absolute(
            base_url,
            "/digest",
            [("attendance", "online"), *(("sector", slug) for slug in subscription.sectors)],
        )
    return DigestLinks(
        page=links.page,
        manage=links.manage,
        unsubscribe=links.unsubscribe,
        feed=links.feed,
        wider=wider,
        online=online,
        going=absolute(base_url, f"/g/{quote(subscription.token, safe='')}"),
    )


def compose_digest(
    digest: Digest, subscription: Subscription, *, base_url: str, sender: str, now: datetime
) -> EmailMessage:
    return digest_email(
        digest,
        envelope=Envelope(sender=sender, recipient=subscription.email),
        links=digest_links(base_url, subscription, digest),
        key=public_key(subscription),
        now=now,
    )


def compose_confirmation(
    subscription: Subscription, *, code: str, base_url: str, sender: str, now: datetime
) -> EmailMessage:
    links = subscription_links(base_url, subscription.token, code=code)
    return confirmation_email(
        envelope=Envelope(sender=sender, recipient=subscription.email),
        confirm_url=links.confirm,
        manage_url=links.manage,
        place=subscription.place_label,
        radius_km=subscription.radius_km,
        key=public_key(subscription),
        now=now,
    )
