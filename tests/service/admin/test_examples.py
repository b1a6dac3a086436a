"""Corrections written as classifier examples in the development set's columns."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from pathlib import Path

from service.admin.examples import COLUMNS, write_examples
from service.model import Kind
from service.settings import Settings
from service.store import CurationStore, EventStore
from tests.factories import NOW, python_meetup


def test_examples_have_the_development_set_columns(store: EventStore) -> None:
    store.upsert_many([python_meetup(1, description="Nurses\nand  doctors")], now=NOW)
    CurationStore(store.engine).correct(
        event_id=python_meetup(1).id, kind=Kind.CAREER_FAIR, sectors=["healthcare"], now=NOW
    )
    out = io.StringIO()

    count = write_examples(CurationStore(store.engine).examples(), out)

    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert count == 1
    assert tuple(rows[0]) == COLUMNS
    assert rows[0] == {
        "source": "test",
        "label": "operator correction",
        "sectors": "healthcare",
        "kind": "career_fair",
        "title": "Python meetup 1",
        "description": "Nurses and doctors",
    }


def test_the_command_writes_the_examples(
    settings: Settings, store: EventStore, tmp_path: Path
) -> None:
    store.upsert_many([python_meetup(1)], now=NOW)
    CurationStore(store.engine).correct(event_id=python_meetup(1).id, kind=Kind.WORKSHOP, now=NOW)
    out = tmp_path / "examples.csv"

    done = subprocess.run(
        [sys.executable, "-m", "service", "corrections", "--out", str(out)],
        env={**os.environ, "MEETSCOUT_DATABASE_URL": settings.database_url},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )

    assert "1 corrected events" in done.stderr
    assert (
        out.read_text().splitlines()[1].startswith("test,operator correction,technology,workshop")
    )
