"""The stores the fault tests run on."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

from tests.support.databases import BACKENDS, postgres_database


@pytest.fixture(params=BACKENDS)
def new_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[[str], str]]:
    """Makes an empty store (nothing migrated) by name: a SQLite file in a folder of that name,
    or a new PostgreSQL database (tests/support/databases.py), dropped at the end."""
    with ExitStack() as stack:

        def make(name: str) -> str:
            if request.param == "sqlite":
                (tmp_path / name).mkdir()
                return f"sqlite:///{tmp_path / name / 'meetscout.db'}"
            return stack.enter_context(postgres_database(migrated=False))

        yield make
