"""Sending email over SMTP, configured by one URL.

``MEETSCOUT_SMTP_URL`` says everything: ``smtp://host:25`` (plain),
``smtp+starttls://user:password@host:587`` (upgraded with STARTTLS) or
``smtps://user:password@host:465`` (TLS from the start); user and password
are percent-decoded, and ``?timeout=`` sets the socket timeout in seconds.
One connection is reused for a whole digest run and reopened when the
server drops it.
"""

from __future__ import annotations

import contextlib
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Literal, Protocol
from urllib.parse import parse_qs, unquote, urlsplit

Security = Literal["none", "starttls", "tls"]

SCHEMES: dict[str, tuple[Security, int]] = {
    "smtp": ("none", 25),
    "smtp+starttls": ("starttls", 587),
    "smtps": ("tls", 465),
}
DEFAULT_TIMEOUT = 30.0


class MailError(Exception):
    """A message could not be handed to the mail server."""


class Mailer(Protocol):
    def send(self, message: EmailMessage) -> None: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    security: Security = "none"
    username: str | None = None
    password: str | None = None
    timeout: float = DEFAULT_TIMEOUT

    def __repr__(self) -> str:
        user = f"{self.username}:***@" if self.username else ""
        return f"SmtpConfig({self.security} {user}{self.host}:{self.port})"


def parse_smtp_url(url: str) -> SmtpConfig:
    """Read an ``smtp://``, ``smtp+starttls://`` or ``smtps://`` URL; ValueError when wrong."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES:
        raise ValueError(f"SMTP URL scheme must be one of {', '.join(SCHEMES)}, got {scheme!r}")
    if not parts.hostname:
        raise ValueError("SMTP URL needs a host")
    security, default_port = SCHEMES[scheme]
    try:
        port = parts.port or default_port
    except ValueError as exc:
        raise ValueError(f"SMTP URL has a bad port: {exc}") from exc
    query = parse_qs(parts.query)
    timeout = DEFAULT_TIMEOUT
    if "timeout" in query:
        try:
            timeout = float(query["timeout"][-1])
        except ValueError as exc:
            raise ValueError("SMTP URL timeout must be a number of seconds") from exc
        if timeout <= 0:
            raise ValueError("SMTP URL timeout must be positive")
    return SmtpConfig(
        host=parts.hostname,
        port=port,
        security=security,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        timeout=timeout,
    )


class SmtpMailer:
    """Sends through one SMTP server, connecting on the first message."""

    def __init__(self, config: SmtpConfig, *, tls_context: ssl.SSLContext | None = None) -> None:
        self.config = config
        self._tls = tls_context or ssl.create_default_context()
        self._smtp: smtplib.SMTP | None = None

    @classmethod
    def from_url(cls, url: str) -> SmtpMailer:
        return cls(parse_smtp_url(url))

    def _connect(self) -> smtplib.SMTP:
        config = self.config
        smtp: smtplib.SMTP
        if config.security == "tls":
            smtp = smtplib.SMTP_SSL(
                config.host, config.port, timeout=config.timeout, context=self._tls
            )
        else:
            smtp = smtplib.SMTP(config.host, config.port, timeout=config.timeout)
        try:
            smtp.ehlo()
            if config.security == "starttls":
                smtp.starttls(context=self._tls)
                smtp.ehlo()
            if config.username:
                smtp.login(config.username, config.password or "")
        except BaseException:
            _quietly_close(smtp)
            raise
        return smtp

    def send(self, message: EmailMessage) -> None:
        """Hand ``message`` over; MailError says why not (the server's reply when it gave one)."""
        for attempt in (1, 2):
            try:
                if self._smtp is None:
                    self._smtp = self._connect()
                self._smtp.send_message(message)
                return
            except smtplib.SMTPServerDisconnected as exc:
                self._drop()
                if attempt == 2:
                    raise MailError(f"server disconnected: {exc}") from exc
            except smtplib.SMTPRecipientsRefused as exc:
                self._reset()
                replies = "; ".join(
                    f"{code} {reply.decode(errors='replace')}"
                    for code, reply in exc.recipients.values()
                )
                raise MailError(f"recipient refused: {replies}") from exc
            except smtplib.SMTPResponseException as exc:
                self._reset()
                reply = exc.smtp_error
                text = reply.decode(errors="replace") if isinstance(reply, bytes) else str(reply)
                raise MailError(f"{exc.smtp_code} {text}") from exc
            except (smtplib.SMTPException, OSError) as exc:
                self._drop()
                raise MailError(str(exc) or type(exc).__name__) from exc

    def _reset(self) -> None:
        """Keep a connection the server still talks on; drop one it does not."""
        if self._smtp is None:
            return
        try:
            self._smtp.rset()
        except (smtplib.SMTPException, OSError):
            self._drop()

    def _drop(self) -> None:
        if self._smtp is not None:
            _quietly_close(self._smtp)
            self._smtp = None

    def close(self) -> None:
        if self._smtp is not None:
            with contextlib.suppress(smtplib.SMTPException, OSError):
                self._smtp.quit()
            self._drop()

    def __enter__(self) -> SmtpMailer:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def _quietly_close(smtp: smtplib.SMTP) -> None:
    with contextlib.suppress(OSError):
        smtp.close()
