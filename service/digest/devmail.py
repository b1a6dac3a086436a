"""A local mail sink for trying meetscout with no mail server: mail is printed, not sent.

``meetscout up`` starts one when ``MEETSCOUT_SMTP_URL`` is unset, so a
newcomer can sign up for the digest and find the confirmation link in the
terminal that runs the service.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
from typing import Any

from aiosmtpd.controller import Controller
from rich.console import Console
from rich.panel import Panel

HOST = "127.0.0.1"


class PrintingHandler:
    """An aiosmtpd handler that shows each message's plain-text part on a console."""

    def __init__(self, console: Console) -> None:
        self.console = console

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = message_from_bytes(envelope.content, policy=default)
        assert isinstance(message, EmailMessage)
        part = message.get_body(preferencelist=("plain",))
        text = part.get_content() if part is not None else "(no plain-text part)"
        recipients = ", ".join(envelope.rcpt_tos)
        self.console.print(
            Panel(text.strip(), title=f"Mail to {recipients}: {message['Subject']}", expand=False)
        )
        return "250 Message printed, not sent"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


@contextmanager
def printing_mail_sink(console: Console) -> Iterator[str]:
    """Run a sink on 127.0.0.1 while the block runs; yields its ``smtp://`` URL."""
    port = free_port()
    controller = Controller(PrintingHandler(console), hostname=HOST, port=port)
    controller.start()
    try:
        yield f"smtp://{HOST}:{port}"
    finally:
        controller.stop()
