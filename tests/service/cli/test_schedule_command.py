"""`meetscout schedule --once`: crawls what is due in processes of its own, then nothing more."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select

from service.store import HealthStore, ScheduleStore, make_engine
from service.store.tables import events
from tests.support.crawling import FLASKCON, FLASKCON_NOW


def schedule_once(tmp_path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "service", "schedule", "--once"],
        env={
            **os.environ,
            "MEETSCOUT_DATA_DIR": str(tmp_path / "data"),
            "MEETSCOUT_SOURCES": str(tmp_path / "sources.toml"),
            "MEETSCOUT_REPLAY_AT": FLASKCON_NOW.isoformat(),
            "COLUMNS": "200",
        },
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_schedule_once_crawls_what_is_due_and_then_waits(tmp_path: Path) -> None:
    shutil.copy(FLASKCON, tmp_path / "flaskcon.ics")
    (tmp_path / "sources.toml").write_text(
        '[[source]]\nname = "flaskcon"\ntype = "ics"\nurl = "flaskcon.ics"\nrefresh = "2h"\n'
    )
    first = schedule_once(tmp_path)
    assert first.returncode == 0, first.stdout + first.stderr
    assert "flaskcon: crawled (exit 0)" in first.stdout
    assert (tmp_path / "data" / "crawl-logs" / "flaskcon.log").is_file()

    engine = make_engine(f"sqlite:///{tmp_path / 'data' / 'meetscout.db'}")
    with engine.connect() as conn:
        stored = conn.execute(select(events.c.id)).all()
    assert len(stored) == 6
    assert [run.outcome for run in HealthStore(engine).runs(source="flaskcon")] == ["ok"]
    state = ScheduleStore(engine).states()["flaskcon"]
    assert state.holder is None
    assert state.next_due is not None and state.next_due.isoformat() == "2025-05-10T02:00:00+00:00"
    engine.dispose()

    again = schedule_once(tmp_path)
    assert again.returncode == 0
    assert "Nothing is due." in again.stdout
