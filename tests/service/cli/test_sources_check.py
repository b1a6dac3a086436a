"""``meetscout sources check NAME|URL``: a dry crawl prints what it would store, stores nothing."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect

from tests.support.crawling import FLASKCON, FLASKCON_NOW
from tests.support.saved import FIXTURES
from tests.support.serving import serving

QUEER_LIT = "eventbrite-organizer-queer-lit-bookshop.html"
"""An Eventbrite organiser's page: 24 schema.org events, 7 of them from May 2024 on."""
QUEER_LIT_NOW = "2024-05-01T00:00:00Z"


def check(
    tmp_path: Path, target: str, *, now: str, allow: str = "127.0.0.1"
) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "MEETSCOUT_DATABASE_URL": f"sqlite:///{tmp_path / 'check.db'}",
        "MEETSCOUT_SOURCES": str(tmp_path / "sources.toml"),
        "MEETSCOUT_FETCH_ALLOW": allow,
        "MEETSCOUT_REPLAY_AT": now,
        "COLUMNS": "80",
    }
    return subprocess.run(
        [sys.executable, "-m", "service", "sources", "check", target],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )


def nothing_stored(tmp_path: Path) -> bool:
    """No store was made, or the one there holds no event and no crawl."""
    database = tmp_path / "check.db"
    if not database.exists():
        return True
    engine = create_engine(f"sqlite:///{database}")
    try:
        tables = inspect(engine).get_table_names()
        with engine.connect() as connection:
            return all(
                connection.exec_driver_sql(f"SELECT COUNT(*) FROM {table}").scalar() == 0
                for table in tables
                if table != "alembic_version"
            )
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    with serving(FIXTURES / "html") as base:
        yield base


def test_check_an_address_discovers_it_and_lists_what_would_be_stored(
    site: str, tmp_path: Path
) -> None:
    done = check(tmp_path, f"{site}/{QUEER_LIT}", now=QUEER_LIT_NOW)

    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    assert "type = jsonld" in out and "24 schema.org Event(s) on the page" in out
    assert "Would store 7 events" in out
    assert "nothing was written to the store" in out
    assert " 2024-10-03 19:00 " in out and "Ancoats Quiz" in out and "Social Refuge" in out
    assert "Found 24; not stored:" in out
    assert "   17  dropped: outside window" in out
    assert max(len(line) for line in out.splitlines()) <= 80
    assert nothing_stored(tmp_path)


def test_check_a_named_source_crawls_it_dry(tmp_path: Path) -> None:
    (tmp_path / "sources.toml").write_text(
        f'[[source]]\nname = "flaskcon"\ntype = "ics"\nurl = "{FLASKCON.as_uri()}"\n'
    )
    now = FLASKCON_NOW.strftime("%Y-%m-%dT%H:%M:%SZ")

    done = check(tmp_path, "flaskcon", now=now)

    assert done.returncode == 0, done.stdout + done.stderr
    assert "Dry run of flaskcon: nothing was written to the store." in done.stdout
    assert "Would store 6 events" in done.stdout
    assert "type =" not in done.stdout  # a named source needs no discovery
    assert nothing_stored(tmp_path)


def test_check_an_unknown_name_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "sources.toml").write_text("")

    done = check(tmp_path, "nobody", now="2025-01-01T00:00:00Z")

    assert done.returncode == 2
    assert "no source named 'nobody'" in done.stdout


def test_check_an_address_with_nothing_to_crawl_says_why(site: str, tmp_path: Path) -> None:
    done = check(tmp_path, f"{site}/not-an-events-page-gfsc-studio.html", now=QUEER_LIT_NOW)

    assert done.returncode == 1
    assert "Nothing to crawl at" in done.stdout and "no calendar feed linked" in done.stdout
    assert nothing_stored(tmp_path)


def test_check_refuses_an_inside_address_without_a_traceback(site: str, tmp_path: Path) -> None:
    done = check(tmp_path, f"{site}/{QUEER_LIT}", now=QUEER_LIT_NOW, allow="")

    assert done.returncode == 1
    assert "a loopback address" in " ".join(done.stdout.split())
    assert "Traceback" not in done.stdout + done.stderr


def test_check_reads_the_event_pages_a_listing_links_and_follows_them(tmp_path: Path) -> None:
    site = tmp_path / "site"
    (site / "calendar" / "work-group").mkdir(parents=True)
    (site / "index.html").write_text(
        "<html><head><title>Commission</title></head><body>"
        '<a href="/calendar/work-group/">Police Discipline Work Group</a></body></html>'
    )
    detail = FIXTURES / "html/wordpress-yoast-graph-event-detail.html"
    (site / "calendar" / "work-group" / "index.html").write_bytes(detail.read_bytes())

    with serving(site) as base:
        done = check(tmp_path, f"{base}/", now="2024-01-15T00:00:00Z")

    assert done.returncode == 0, done.stdout + done.stderr
    text = " ".join(done.stdout.split())
    assert "type = jsonld" in text
    assert "schema.org Event data on 1 of the 1 event page(s) it links to" in text
    assert 'follow: a[href*="/calendar/"]' in text
    assert "Would store 1 event " in done.stdout
    assert "Police Discipline" in done.stdout


def test_dates_in_the_table_are_the_events_own_zone() -> None:
    from rich.console import Console

    from service.cli.tables import check_table
    from tests.factories import make_event

    event = make_event(
        start=datetime.fromisoformat("2026-09-01T22:30:00+00:00"), timezone="America/Toronto"
    )
    console = Console(width=80, record=True, color_system=None)
    console.print(check_table([event], title="t"))
    assert "2026-09-01 18:30" in console.export_text()
