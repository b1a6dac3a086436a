"""The app with the operator's pages on: a token, a sources file, a store of events."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from service.app import create_app
from service.settings import Settings
from service.store import EventStore
from tests.factories import NOW, python_meetup
from tests.support.admin import TOKEN, sources_toml


@pytest.fixture
def admin_settings(settings: Settings) -> Settings:
    settings.sources.write_text(sources_toml("library", "chamber"), encoding="utf-8")
    return settings.model_copy(update={"admin_token": SecretStr(TOKEN)})


@pytest.fixture
def admin(admin_settings: Settings, store: EventStore) -> Iterator[TestClient]:
    store.upsert_many([python_meetup(1), python_meetup(2)], now=NOW)
    with TestClient(create_app(admin_settings, clock=lambda: NOW)) as client:
        yield client
