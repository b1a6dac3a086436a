"""What the digest tests share: the bundled data located, a real SMTP server on 127.0.0.1."""

from __future__ import annotations

import email
import socket
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from email.policy import default
from functools import cache
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from scrapy.http import Request, TextResponse

from crawlers.sources import Source
from crawlers.spiders.confs_tech import ConfsTechSpider
from service.model import Event, Kind, Venue
from service.places.gazetteer import get_gazetteer
from tests.conftest import NOW

SNAPSHOT = Path(__file__).resolve().parent.parent / "data" / "snapshot" / "confs-tech" / "2026"

MONDAY = datetime(2026, 11, 30, 6, 0, tzinfo=UTC)
"""The Monday after NOW, 07:00 in Berlin: when the weekly run goes out."""
NEXT_MONDAY = datetime(2026, 12, 7, 6, 0, tzinfo=UTC)

SCRIPT_TITLE = "<script>alert(1)</script>"


def locate(event: Event) -> Event:
    """What the crawl's locate stage does, with the same offline gazetteer."""
    venue = event.venue
    place = get_gazetteer().resolve_parts(venue.city, venue.region, venue.country)
    if place is None:
        return event
    return event.with_changes(
        venue=Venue(
            name=venue.name,
            address=venue.address,
            city=venue.city,
            region=venue.region,
            country=venue.country,
            lat=place.lat,
            lon=place.lon,
        ),
        timezone=event.timezone or place.timezone,
    )


@cache
def bundled_events() -> tuple[Event, ...]:
    """The bundled confs.tech snapshot's 2026 conferences, with sources.toml's defaults, located."""
    spider = ConfsTechSpider(
        source=Source(
            name="confs-tech",
            type="confs_tech",
            url="https://example.org/c",
            kind="conference",
            sectors=["technology"],
        ),
        now=NOW,
    )
    events: dict[str, Event] = {}
    for path in sorted(SNAPSHOT.glob("*.json")):
        response = TextResponse(
            url=path.as_uri(),
            body=path.read_bytes(),
            request=Request(path.as_uri()),
            encoding="utf-8",
        )
        for event in spider.parse(response, topic=path.stem):
            event.sectors = event.sectors or ["technology"]
            events.setdefault(event.id, locate(event))
    return tuple(events.values())


def script_event() -> Event:
    """A meetup in Berlin whose title is markup, on the Wednesday of MONDAY's week."""
    return Event(
        id="script-title-meetup",
        title=SCRIPT_TITLE,
        start=datetime(2026, 12, 2, 17, 0, tzinfo=UTC),
        end=datetime(2026, 12, 2, 19, 0, tzinfo=UTC),
        source="test",
        timezone="Europe/Berlin",
        kind=Kind.MEETUP,
        sectors=["technology"],
        venue=Venue(name="<b>Hall</b>", city="Berlin", country="Germany", lat=52.52, lon=13.405),
        url="https://example.org/meetups/script",
        organizer='"><img src=x onerror=alert(2)>',
        description="<script>alert(3)</script>",
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Received:
    sender: str
    recipients: list[str]
    data: bytes

    @property
    def message(self) -> EmailMessage:
        return email.message_from_bytes(self.data, policy=default)  # type: ignore[return-value]


@dataclass
class SinkHandler:
    """Keeps every message; refuses recipients in ``refuse`` with a temporary failure."""

    received: list[Received] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        if address in self.refuse:
            return "451 4.3.0 mailbox busy, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            self.received.append(
                Received(envelope.mail_from, list(envelope.rcpt_tos), bytes(envelope.content))
            )
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[Received]:
        with self.lock:
            return [item for item in self.received if address in item.recipients]


class SmtpSink:
    """A real SMTP server on 127.0.0.1 (aiosmtpd) for the length of a test."""

    def __init__(self) -> None:
        self.handler = SinkHandler()
        self.port = free_port()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}?timeout=10"

    def __enter__(self) -> SmtpSink:
        self.controller.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.controller.stop()
