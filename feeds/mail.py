"""Digest and confirmation emails: multipart text and HTML with safe headers.

Every header value is built here from cleaned text (one line, no control
characters, bounded length) and addresses go through the standard library's
address parser, so nothing an event source or a subscriber wrote can add a
header or a recipient. Digest emails carry the RFC 8058 one-click
unsubscribe headers.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr

from feeds.digest import DigestLinks, environment, line, render_html, render_text, safe_url
from service.model import Digest

SUBJECT_LIMIT = 150


class HeaderError(ValueError):
    """A value that cannot go into an email header as it is."""


@dataclass(frozen=True)
class Envelope:
    """Who a message is from and to; both checked once, here."""

    sender: str
    recipient: str

    def __post_init__(self) -> None:
        for value in (self.sender, self.recipient):
            if any(char in value for char in "\r\n\x00"):
                raise HeaderError("an address may not contain line breaks")
        if not sender_address(self.sender):
            raise HeaderError(f"not a sender address: {self.sender!r}")
        _address(self.recipient)

    @property
    def domain(self) -> str:
        return sender_address(self.sender).rpartition("@")[2] or "localhost"


def sender_address(sender: str) -> str:
    """The bare address of ``"Name <addr@host>"`` or ``addr@host``; empty when neither."""
    _, address = parseaddr(sender)
    return address if "@" in address and " " not in address else ""


def _address(value: str) -> Address:
    try:
        address = Address(addr_spec=value)
    except (ValueError, IndexError) as exc:
        raise HeaderError(f"not an email address: {value!r}") from exc
    if not address.username or not address.domain:
        raise HeaderError(f"not an email address: {value!r}")
    return address


def subject(text: str) -> str:
    """A one-line subject of bounded length."""
    return line(text, SUBJECT_LIMIT) or "meetscout"


def message_id(kind: str, key: str, week: str, domain: str) -> str:
    """The same id for the same digest: a retried send is recognisably the same message."""
    digest = hashlib.sha256(f"{kind}\x1f{key}\x1f{week}".encode()).hexdigest()[:24]
    return f"<meetscout.{kind}.{week}.{digest}@{domain}>"


def _base(envelope: Envelope, title: str, now: datetime) -> EmailMessage:
    message = EmailMessage()
    sender_name, sender = parseaddr(envelope.sender)
    message["From"] = Address(display_name=line(sender_name), addr_spec=sender)
    message["To"] = _address(envelope.recipient)
    message["Subject"] = subject(title)
    message["Date"] = format_datetime(now)
    message["Auto-Submitted"] = "auto-generated"
    return message


def _alternatives(message: EmailMessage, text: str, html: str) -> EmailMessage:
    message.set_content(text, subtype="plain", charset="utf-8")
    message.add_alternative(html, subtype="html", charset="utf-8")
    return message


def digest_email(
    digest: Digest,
    *,
    envelope: Envelope,
    links: DigestLinks,
    key: str,
    now: datetime,
) -> EmailMessage:
    """The weekly digest as multipart/alternative, with one-click unsubscribe.

    ``key`` identifies the subscription in the Message-ID without naming it.
    """
    unsubscribe = safe_url(links.unsubscribe)
    if unsubscribe is None:
        raise HeaderError("a digest email needs an http(s) unsubscribe link")
    message = _base(envelope, digest.title, now)
    message["Message-ID"] = message_id("digest", key, digest.week, envelope.domain)
    mailto = f"mailto:{sender_address(envelope.sender)}?subject=unsubscribe"
    message["List-Unsubscribe"] = f"<{unsubscribe}>, <{mailto}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message["List-Id"] = f"meetscout weekly digest <digest.{envelope.domain}>"
    return _alternatives(message, render_text(digest, links), render_html(digest, links))


def confirmation_email(
    *,
    envelope: Envelope,
    confirm_url: str,
    manage_url: str,
    place: str,
    radius_km: float,
    key: str,
    now: datetime,
) -> EmailMessage:
    """The double opt-in message: nothing else is sent until its link is followed."""
    confirm, manage = safe_url(confirm_url), safe_url(manage_url)
    if confirm is None or manage is None:
        raise HeaderError("a confirmation email needs http(s) links")
    context = {
        "confirm_url": confirm,
        "manage_url": manage,
        "place": line(place),
        "radius": f"{radius_km:g} km",
    }
    message = _base(envelope, f"Confirm your meetscout weekly digest for {place}", now)
    message["Message-ID"] = message_id("confirm", key, now.strftime("%Y%m%d"), envelope.domain)
    env = environment()
    text = env.get_template("confirm.txt.j2").render(**context)
    html = env.get_template("confirm.html").render(**context)
    return _alternatives(message, text, html)
