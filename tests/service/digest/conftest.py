"""These tests run on SQLite and on PostgreSQL (tests/support/databases.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.databases import BACKENDS, backend_url


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return backend_url(request, tmp_path)
