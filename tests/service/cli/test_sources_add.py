"""``meetscout sources add URL``: one guarded fetch, then the proposal with its evidence."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from crawlers.sources import load_sources
from tests.support.saved import FIXTURES


class Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def site() -> Iterator[str]:
    handler = partial(Quiet, directory=str(FIXTURES / "html"))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def add(tmp_path: Path, url: str, allow: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "MEETSCOUT_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
        "MEETSCOUT_SOURCES": str(tmp_path / "sources.toml"),
        "MEETSCOUT_FETCH_ALLOW": allow,
        "COLUMNS": "80",
    }
    return subprocess.run(
        [sys.executable, "-m", "service", "sources", "add", url, *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_sources_add_proposes_the_linked_feed_with_its_evidence(site: str, tmp_path: Path) -> None:
    done = add(tmp_path, f"{site}/wordpress-listing-12-events-missing-locations.html", "127.0.0.1")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "type = tribe_api" in done.stdout
    assert "url = https://www.degc.org/wp-json/tribe/events/v1/events" in done.stdout
    assert "the page links the plugin's REST API" in " ".join(done.stdout.split())


def test_sources_add_says_why_nothing_is_crawlable(site: str, tmp_path: Path) -> None:
    done = add(tmp_path, f"{site}/not-an-events-page-gfsc-studio.html", "127.0.0.1")
    assert done.returncode == 1
    assert "no calendar feed linked" in done.stdout


def test_sources_add_refuses_an_inside_address(site: str, tmp_path: Path) -> None:
    done = add(tmp_path, f"{site}/songkick-event-detail.html", "")
    assert done.returncode == 1
    assert "refused 127.0.0.1: a loopback address" in " ".join(done.stdout.split())
    assert "Traceback" not in done.stdout + done.stderr


def test_sources_add_yes_writes_the_entry_keeping_comments(site: str, tmp_path: Path) -> None:
    sources = tmp_path / "sources.toml"
    sources.write_text(
        '# The city\'s calendars.\n\n[[source]]\nname = "kept"  # by hand\ntype = "ics"\n'
        'url = "https://example.org/a.ics"\n'
    )
    page = f"{site}/wordpress-listing-12-events-missing-locations.html"
    done = add(tmp_path, page, "127.0.0.1", "--name", "degc", "--yes")
    assert done.returncode == 0, done.stdout + done.stderr
    text = sources.read_text()
    assert text.startswith('# The city\'s calendars.\n\n[[source]]\nname = "kept"  # by hand\n')
    [entry] = [s for s in load_sources(sources) if s.name == "degc"]
    assert (entry.type, entry.url) == (
        "tribe_api",
        "https://www.degc.org/wp-json/tribe/events/v1/events",
    )
    assert entry.timezone == "America/Detroit"
    again = add(tmp_path, page, "127.0.0.1", "--name", "degc", "--yes")
    assert again.returncode == 2
    assert "name: used already" in again.stdout
