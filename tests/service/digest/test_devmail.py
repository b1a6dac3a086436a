"""The local mail sink prints what it receives instead of sending it."""

from __future__ import annotations

import io
from email.message import EmailMessage

from rich.console import Console

from service.digest.devmail import printing_mail_sink
from service.digest.mailer import SmtpMailer


def test_printing_mail_sink_shows_the_confirmation_link() -> None:
    out = io.StringIO()
    console = Console(file=out, width=200, force_terminal=False)
    message = EmailMessage()
    message["From"] = "meetscout <meetscout@localhost>"
    message["To"] = "ada@example.org"
    message["Subject"] = "Confirm your meetscout digest"
    message.set_content("Confirm here: http://127.0.0.1:8000/subscriptions/abc/confirm?code=1")
    message.add_alternative("<p>Confirm</p>", subtype="html")
    with printing_mail_sink(console) as url:
        assert url.startswith("smtp://127.0.0.1:")
        SmtpMailer.from_url(url).send(message)
    printed = out.getvalue()
    assert "ada@example.org" in printed
    assert "Confirm your meetscout digest" in printed
    assert "/subscriptions/abc/confirm?code=1" in printed
    assert "<p>" not in printed
