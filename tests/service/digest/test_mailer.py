"""SMTP from one URL, sending through a real server on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator
from email.message import EmailMessage

import pytest

from service.digest.mailer import MailError, SmtpConfig, SmtpMailer, parse_smtp_url
from tests.support.smtp import SmtpSink, free_port


@pytest.fixture
def sink() -> Iterator[SmtpSink]:
    with SmtpSink() as server:
        yield server


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("smtp://mail.example.org", SmtpConfig("mail.example.org", 25, "none")),
        (
            "smtp+starttls://ada:s%40cret@mail.example.org:2525",
            SmtpConfig("mail.example.org", 2525, "starttls", "ada", "s@cret"),
        ),
        (
            "smtps://apikey:k@smtp.example.org?timeout=5",
            SmtpConfig("smtp.example.org", 465, "tls", "apikey", "k", 5.0),
        ),
        ("SMTP+STARTTLS://mail.example.org", SmtpConfig("mail.example.org", 587, "starttls")),
    ],
)
def test_parse_smtp_url(url: str, expected: SmtpConfig) -> None:
    assert parse_smtp_url(url) == expected


@pytest.mark.parametrize(
    "url",
    [
        "http://mail.example.org",
        "smtp://",
        "smtp://mail.example.org:99999",
        "smtp://mail.example.org?timeout=soon",
        "smtp://mail.example.org?timeout=0",
    ],
)
def test_parse_smtp_url_rejects(url: str) -> None:
    with pytest.raises(ValueError):
        parse_smtp_url(url)


def test_smtp_config_repr_hides_the_password() -> None:
    config = parse_smtp_url("smtps://ada:hunter2@mail.example.org")
    assert "hunter2" not in repr(config)


def message(to: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = "meetscout <digest@meetscout.test>"
    msg["To"] = to
    msg["Subject"] = "hello"
    msg.set_content("hi")
    return msg


def test_send_reuses_one_connection_for_many_messages(sink: SmtpSink) -> None:
    with SmtpMailer.from_url(sink.url) as mailer:
        mailer.send(message("a@example.org"))
        mailer.send(message("b@example.org"))
    assert [item.recipients for item in sink.handler.received] == [
        ["a@example.org"],
        ["b@example.org"],
    ]


def test_send_refused_recipient_is_a_mail_error_and_the_next_still_goes(sink: SmtpSink) -> None:
    sink.handler.refuse.add("busy@example.org")
    with SmtpMailer.from_url(sink.url) as mailer:
        with pytest.raises(MailError, match="451"):
            mailer.send(message("busy@example.org"))
        mailer.send(message("ok@example.org"))
    assert [item.recipients for item in sink.handler.received] == [["ok@example.org"]]


def test_send_to_a_closed_port_is_a_mail_error() -> None:
    with (
        SmtpMailer.from_url(f"smtp://127.0.0.1:{free_port()}?timeout=2") as mailer,
        pytest.raises(MailError),
    ):
        mailer.send(message("a@example.org"))
