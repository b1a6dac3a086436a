"""Shared test fixtures: a frozen clock, settings in a temporary folder, a fresh store.

Fixtures only: what tests import (factories, helpers) lives in ``tests/factories.py``
and ``tests/support/``.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from service.settings import Settings
from service.store import EventStore, make_engine, migrate
from tests.factories import NOW


@pytest.fixture
def now() -> datetime:
    return NOW


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        database_url=f"sqlite:///{tmp_path / 'meetscout.db'}",
        sources=tmp_path / "sources.toml",
        base_url="http://testserver",
    )


@pytest.fixture
def store(settings: Settings) -> Iterator[EventStore]:
    engine = make_engine(settings.database_url)
    migrate(engine)
    yield EventStore(engine)
    engine.dispose()
