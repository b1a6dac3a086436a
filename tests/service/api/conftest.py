"""An app over a store seeded with events parsed from saved real files."""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache

import pytest
from fastapi.testclient import TestClient

from crawlers.pipelines.normalize import html_to_text
from crawlers.sources import Source
from crawlers.spiders.confs_tech import ConfsTechSpider
from crawlers.spiders.ics import IcsSpider
from service.app import create_app
from service.model import Event
from service.settings import Settings
from service.store import EventStore
from tests.conftest import NOW, file_response


@cache
def real_events() -> tuple[Event, ...]:
    """Parsed once per test session: the store only reads them."""
    confs = ConfsTechSpider(
        source=Source(name="confs-tech", type="confs_tech", url="https://example.org/c"), now=NOW
    )
    finos = IcsSpider(
        source=Source(name="finos", type="ics", url="https://example.org/f.ics", kind="meetup"),
        now=NOW,
    )
    events: dict[str, Event] = {}
    for topic in ("python", "general"):
        for event in confs.parse(file_response(f"confs-tech/2026/{topic}.json"), topic=topic):
            events.setdefault(event.id, event)
    for event in finos.parse(file_response("ics/google-finos-community-calendar-large.ics")):
        event.description = html_to_text(event.description)
        events[event.id] = event
    return tuple(events.values())


@pytest.fixture
def seeded(store: EventStore) -> EventStore:
    store.upsert_many(real_events(), now=NOW)
    return store


@pytest.fixture
def client(settings: Settings, seeded: EventStore) -> Iterator[TestClient]:
    app = create_app(settings, clock=lambda: NOW)
    with TestClient(app) as test_client:
        yield test_client
