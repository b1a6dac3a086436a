"""An app over a store seeded with events parsed from saved real files."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from service.settings import Settings
from service.store import EventStore
from tests.factories import NOW
from tests.support.databases import BACKENDS, backend_url
from tests.support.saved import real_events
from tests.support.templates import Templates


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """These tests run on SQLite and on PostgreSQL (tests/support/databases.py)."""
    return backend_url(request, tmp_path)


@pytest.fixture
def seeded(store: EventStore, templates: Templates) -> EventStore:
    templates.seed(store, "real", real_events)
    return store


@pytest.fixture
def client(settings: Settings, seeded: EventStore) -> Iterator[TestClient]:
    app = create_app(settings, clock=lambda: NOW)
    with TestClient(app) as test_client:
        yield test_client
