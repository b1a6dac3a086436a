"""Shared test fixtures: a frozen clock, a fresh store, saved responses."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from scrapy.http import Request, TextResponse

from service.settings import Settings
from service.store import EventStore, make_engine, migrate

FIXTURES = Path(__file__).parent / "fixtures"
# The day these tests live in; nothing reads the real clock.
NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


def file_response(relative: str, url: str | None = None, status: int = 200) -> TextResponse:
    """A Scrapy response carrying a saved file's exact bytes."""
    path = FIXTURES / relative
    target = url or path.as_uri()
    return TextResponse(
        url=target,
        body=path.read_bytes(),
        status=status,
        request=Request(target),
        encoding="utf-8",
    )


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
def store(settings: Settings) -> EventStore:
    engine = make_engine(settings.database_url)
    migrate(engine)
    yield EventStore(engine)
    engine.dispose()
