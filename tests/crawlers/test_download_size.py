"""A page larger than ``DOWNLOAD_WARNSIZE`` is read whole, and said once in the crawl's log.

The crawl sets a warn size (``crawlers/settings.py``) below its limit: an
answer between the two is still a source's answer, but an operator should
see that a source has grown that large. Here the warn size is kept smaller
than the saved feed, served with its length and without one (read until the
server closes), in small pieces.
"""

from __future__ import annotations

from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

from crawlers import settings as crawl_settings
from service.settings import Settings
from tests.support.crawling import FLASKCON, FLASKCON_NOW, crawl_logged
from tests.support.serving import answering

FEED = FLASKCON.read_bytes()
WARNSIZE = len(FEED) // 2
PIECE = 128


class Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path not in ("/sized.ics", "/unsized.ics"):
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/calendar; charset=utf-8")
        if self.path == "/sized.ics":
            self.send_header("Content-Length", str(len(FEED)))
        self.end_headers()
        for at in range(0, len(FEED), PIECE):
            self.wfile.write(FEED[at : at + PIECE])
            self.wfile.flush()

    def log_message(self, *_args: object) -> None:
        return


@pytest.fixture
def server() -> Iterator[str]:
    with answering(Handler) as base:
        yield base


def test_the_crawl_warns_below_its_download_limit() -> None:
    assert 0 < crawl_settings.DOWNLOAD_WARNSIZE < crawl_settings.DOWNLOAD_MAXSIZE


def test_a_feed_above_the_warn_size_is_read_whole_and_logged_once(
    server: str, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MEETSCOUT_HTTP_CACHE_DIR", str(tmp_path / "cache"))
    settings.sources.write_text(
        f'[[source]]\nname = "sized"\ntype = "ics"\nurl = "{server}/sized.ics"\n'
        f'[[source]]\nname = "unsized"\ntype = "ics"\nurl = "{server}/unsized.ics"\n'
    )
    overrides = {"DOWNLOAD_WARNSIZE": WARNSIZE, "DOWNLOAD_DELAY": 0}
    reports, log = crawl_logged(settings, FLASKCON_NOW, overrides=overrides)

    for name in ("sized", "unsized"):
        assert reports[name]["outcome"] == "ok", reports[name]
        assert reports[name]["stored"] == 6  # every session of the feed: read whole
    said = [line for line in log.splitlines() if "warn size" in line]
    assert len(said) == 2, log  # one line for each source's answer, not one per piece
    (sized,) = [line for line in said if "/sized.ics" in line]
    (unsized,) = [line for line in said if "/unsized.ics" in line]
    assert f"Expected to receive {len(FEED)} bytes" in sized  # known from Content-Length
    assert f"({WARNSIZE})" in sized and f"({WARNSIZE})" in unsized
    assert "Traceback" not in log
