"""Digest and confirmation emails: multipart, RFC 8058 headers, nothing injectable."""

from __future__ import annotations

import email
from datetime import UTC, datetime, timedelta
from email.policy import SMTP, default

import pytest

from feeds.digest import DigestLinks
from feeds.mail import Envelope, HeaderError, confirmation_email, digest_email
from service.digest.build import build_digest
from service.model import Digest, Venue
from service.search import SearchResult
from tests.factories import berlin_meetup

NOW = datetime(2026, 12, 7, 7, 0, tzinfo=UTC)
LINKS = DigestLinks(
    page="https://meetscout.test/subscriptions/tok/digest",
    manage="https://meetscout.test/subscriptions/tok",
    unsubscribe="https://meetscout.test/subscriptions/tok/unsubscribe",
)
ENVELOPE = Envelope(sender="meetscout <digest@meetscout.test>", recipient="ada@example.org")


def digest(place: str = "Berlin, Germany", title: str = "PyBerlin") -> Digest:
    found = berlin_meetup(1, title=title, venue=Venue(city="Berlin", lat=52.5, lon=13.4), url=None)
    return build_digest(
        [SearchResult(found, 1.0, 0.9, [])],
        now=NOW,
        timezone="Europe/Berlin",
        place=place,
        radius_km=25.0,
    )


def reparse(message: email.message.EmailMessage) -> email.message.EmailMessage:
    return email.message_from_bytes(message.as_bytes(policy=SMTP), policy=default)  # type: ignore[return-value]


def test_digest_email_is_multipart_text_and_html_with_one_click_unsubscribe() -> None:
    sent = reparse(digest_email(digest(), envelope=ENVELOPE, links=LINKS, key="k", now=NOW))
    assert sent.get_content_type() == "multipart/alternative"
    assert [part.get_content_type() for part in sent.iter_parts()] == ["text/plain", "text/html"]
    assert sent["List-Unsubscribe"] == (
        f"<{LINKS.unsubscribe}>, <mailto:digest@meetscout.test?subject=unsubscribe>"
    )
    assert sent["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert sent["To"] == "ada@example.org"
    assert sent["From"] == "meetscout <digest@meetscout.test>"
    assert sent["Subject"].startswith("Places to meet someone new near Berlin, Germany")
    plain = sent.get_body(("plain",))
    assert plain is not None and "PyBerlin" in plain.get_content()


def test_digest_email_message_id_is_the_same_on_every_attempt() -> None:
    first = digest_email(digest(), envelope=ENVELOPE, links=LINKS, key="k", now=NOW)
    retry = digest_email(
        digest(), envelope=ENVELOPE, links=LINKS, key="k", now=NOW + timedelta(hours=1)
    )
    other = digest_email(digest(), envelope=ENVELOPE, links=LINKS, key="k2", now=NOW)
    assert first["Message-ID"] == retry["Message-ID"]
    assert first["Message-ID"] != other["Message-ID"]
    assert first["Message-ID"].endswith("@meetscout.test>")


@pytest.mark.parametrize(
    "hostile",
    [
        "Berlin\r\nBcc: victim@example.org",
        "Berlin\nBcc: victim@example.org",
        "Berlin\rBcc: victim@example.org",
        "Berlin\u2028Bcc: victim@example.org",
    ],
)
def test_digest_email_headers_hold_no_injected_header(hostile: str) -> None:
    message = digest_email(
        digest(place=hostile, title=hostile), envelope=ENVELOPE, links=LINKS, key="k", now=NOW
    )
    raw = message.as_bytes(policy=SMTP)
    headers = raw.split(b"\r\n\r\n", 1)[0]
    assert not any(line.startswith(b"Bcc:") for line in headers.split(b"\r\n"))
    sent = reparse(message)
    assert sent["Bcc"] is None
    assert "Bcc: victim@example.org" in sent["Subject"]


def test_digest_email_needs_a_web_unsubscribe_link() -> None:
    with pytest.raises(HeaderError):
        digest_email(
            digest(),
            envelope=ENVELOPE,
            links=DigestLinks(unsubscribe="javascript:alert(1)"),
            key="k",
            now=NOW,
        )


@pytest.mark.parametrize(
    ("sender", "recipient"),
    [
        ("meetscout <digest@meetscout.test>", "ada@example.org\r\nBcc: victim@example.org"),
        ("meetscout <digest@meetscout.test>\nBcc: victim@example.org", "ada@example.org"),
        ("meetscout <digest@meetscout.test>", "not an address"),
        ("nobody", "ada@example.org"),
    ],
)
def test_envelope_rejects_what_is_not_one_address(sender: str, recipient: str) -> None:
    with pytest.raises(HeaderError):
        Envelope(sender=sender, recipient=recipient)


def test_confirmation_email_carries_the_confirm_link_in_both_parts() -> None:
    confirm = "https://meetscout.test/subscriptions/tok/confirm?code=abc"
    sent = reparse(
        confirmation_email(
            envelope=ENVELOPE,
            confirm_url=confirm,
            manage_url="https://meetscout.test/subscriptions/tok",
            place="Berlin, Germany",
            radius_km=25,
            key="k",
            now=NOW,
        )
    )
    assert sent.get_content_type() == "multipart/alternative"
    plain, html = sent.get_body(("plain",)), sent.get_body(("html",))
    assert plain is not None and confirm in plain.get_content()
    assert html is not None and f'href="{confirm}"' in html.get_content()
    assert sent["List-Unsubscribe"] is None
