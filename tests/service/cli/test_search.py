"""``meetscout search``, run as a person would run it."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from rich.console import Console

from service.cli.search import results_table
from service.search import SearchPage, SearchResult
from service.store import EventStore, make_engine, migrate
from tests.factories import NOW, make_event
from tests.support.saved import located_events


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli") / "search.db"
    engine = make_engine(f"sqlite:///{path}")
    migrate(engine)
    EventStore(engine).upsert_many(located_events(), now=NOW)
    engine.dispose()
    return path


def run(database: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "MEETSCOUT_DATABASE_URL": f"sqlite:///{database}", "COLUMNS": "250"}
    return subprocess.run(
        [sys.executable, "-m", "service", "search", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def rows(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith("│")]


def test_search_prints_a_ranked_table_with_reasons(database: Path) -> None:
    done = run(
        database,
        *("--near", "San Jose, CA", "--radius-km", "25", "--sector", "technology"),
        *("--start", "2026-01-01", "--sort", "distance"),
    )

    assert done.returncode == 0, done.stderr
    assert "Near San Jose, California, United States, within 25 km" in done.stdout
    for column in ("when", "title", "kind", "where", "distance", "score", "why"):
        assert column in done.stdout
    lines = rows(done.stdout)
    assert lines
    assert all("San Francisco" not in line for line in lines)
    assert any("Mountain View" in line for line in lines)
    assert "in San Jose (exact venue unknown)" in done.stdout
    # A long reason wraps onto lines of its own, with empty cells elsewhere.
    cells = [line.split("│")[5].split() for line in lines]
    distances = [float(cell[0]) for cell in cells if cell]
    assert distances == sorted(distances)


def test_search_limit_and_kind(database: Path) -> None:
    done = run(
        database, "--near", "Berlin", "--kind", "conference", "--start", "2026-01-01", "--limit=2"
    )

    assert done.returncode == 0, done.stderr
    assert len(rows(done.stdout)) == 2
    assert all(line.split("│")[3].strip() == "Conference" for line in rows(done.stdout))


def test_search_online_adds_online_events(database: Path) -> None:
    done = run(database, "--near", "Berlin", "--online", "--start", "2026-01-01", "--limit", "200")

    assert done.returncode == 0, done.stderr
    assert any("│ Online " in line for line in rows(done.stdout))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--near", "Torontoo"), "did you mean 'Toronto, Ontario, Canada'"),
        (("--near", "Toronto", "--radius-km", "600"), "--radius-km"),
        (("--near", "Toronto", "--radius-km", "0"), "--radius-km"),
        (("--sector", "nursing"), "unknown sector 'nursing'"),
        (
            (
                "--lat",
                "43.6",
            ),
            "--lon",
        ),
        (("--lat", "95", "--lon", "0"), "--lat"),
        (("--sort", "distance"), "--sort"),
        (("--start", "next week"), "--start"),
    ],
)
def test_search_bad_input_is_a_clear_message_and_exit_2(
    database: Path, args: tuple[str, ...], message: str
) -> None:
    done = run(database, *args)

    assert done.returncode == 2
    assert message in done.stdout
    assert "Traceback" not in done.stdout + done.stderr


def test_search_bad_option_type_exits_2(database: Path) -> None:
    done = run(database, "--radius-km", "far")

    assert done.returncode == 2
    assert "Traceback" not in done.stderr


def test_results_table_says_until_when_a_long_run_that_started_runs() -> None:
    """Asheville's "Wine Wednesday", listed once from 15 April to 16 December: on a Friday
    night in August its row says until when it runs, as its reasons do, not 15 April."""
    wine_wednesday = make_event(
        "wine",
        start=datetime(2026, 4, 15, 21, 0, tzinfo=UTC),
        end=datetime(2026, 12, 16, 23, 0, tzinfo=UTC),
        timezone="America/New_York",
    )
    tonight = make_event("tonight", start=datetime(2026, 8, 22, 22, 0, tzinfo=UTC))
    friday_night = datetime(2026, 8, 22, 2, 23, tzinfo=UTC)
    page = SearchPage(
        items=[SearchResult(event, None, 0.9, []) for event in (wine_wednesday, tonight)],
        total=2,
        next_cursor=None,
    )

    console = Console(width=200, record=True, color_system=None, force_terminal=False)
    console.print(results_table(page, now=friday_night))
    lines = rows(console.export_text())

    assert lines[0].split("│")[1].strip() == "runs until Wednesday 16 December 2026"
    assert lines[1].split("│")[1].strip() == "Sat 22 Aug 2026 22:00"
