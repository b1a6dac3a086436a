"""The web pages over a store of real, located events, with a real SMTP server for the sign-up."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from service.app import create_app
from service.settings import Settings
from service.store import EventStore
from tests.factories import NOW
from tests.support.saved import page_events
from tests.support.smtp import SmtpSink


@pytest.fixture
def sink() -> Iterator[SmtpSink]:
    with SmtpSink() as server:
        yield server


@pytest.fixture
def web_settings(settings: Settings, sink: SmtpSink) -> Settings:
    return settings.model_copy(
        update={"smtp_url": SecretStr(sink.url), "mail_from": "meetscout <digest@meetscout.test>"}
    )


@pytest.fixture
def page_store(store: EventStore) -> EventStore:
    store.upsert_many(page_events(), now=NOW)
    return store


@pytest.fixture
def web(web_settings: Settings, page_store: EventStore) -> Iterator[TestClient]:
    with TestClient(create_app(web_settings, clock=lambda: NOW)) as client:
        yield client
