"""Crawling saved real files: whole crawls in a process of their own, one spider per feed."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import UTC, datetime

from crawlers.sources import Source
from crawlers.spiders.ics import IcsSpider
from service.settings import Settings
from tests.factories import NOW
from tests.support.saved import FIXTURES

FLASKCON = FIXTURES / "ics/pycon-us-2025-flaskcon.ics"
"""FlaskCon at PyCon US 2025: six sessions, a feed small enough to serve and crawl often."""
FLASKCON_NOW = datetime(2025, 5, 10, tzinfo=UTC)
"""A day before FlaskCon: every one of its sessions is inside the crawl window."""

CRAWL = """
import json, logging, os, sys
from datetime import datetime
from pathlib import Path
from crawlers.runner import run_crawl
from crawlers.sources import load_sources
from service.settings import Settings
from service.store import make_engine, migrate
cache = Path(os.environ.get("MEETSCOUT_HTTP_CACHE_DIR") or Path(sys.argv[2]).parent / "httpcache")
settings = Settings(database_url=sys.argv[1], sources=Path(sys.argv[2]), log_level="WARNING",
                    http_cache_dir=cache)
engine = make_engine(settings.database_url); migrate(engine); engine.dispose()
logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
now = datetime.fromisoformat(sys.argv[3])
reports = run_crawl(settings, load_sources(settings.sources), now=now,
                    overrides=json.loads(sys.argv[4]))
print(json.dumps([{"source": r.source, "outcome": r.outcome.value, "found": r.found,
                   "stored": r.stored, "inserted": r.inserted, "dropped": dict(r.dropped),
                   "missing": r.missing, "error": r.last_error} for r in reports]))
"""


LOCAL_SERVERS = "127.0.0.1"
"""What the crawls of tests may fetch beyond the internet: their own servers on 127.0.0.1."""


def crawl(
    settings: Settings,
    now: datetime = NOW,
    allow: str = LOCAL_SERVERS,
    overrides: dict[str, object] | None = None,
) -> dict[str, dict]:
    """Run ``meetscout crawl`` over ``settings.sources`` in a new process (the reactor runs once
    per process), with the clock at ``now``, ``MEETSCOUT_FETCH_ALLOW`` at ``allow`` and the
    Scrapy settings ``overrides`` (limits and timeouts a test keeps small); each source's
    report by name. Fetched pages are cached beside the sources file unless
    ``MEETSCOUT_HTTP_CACHE_DIR`` says where."""
    reports, _ = crawl_logged(settings, now, allow, overrides)
    return reports


def crawl_logged(
    settings: Settings,
    now: datetime = NOW,
    allow: str = LOCAL_SERVERS,
    overrides: dict[str, object] | None = None,
) -> tuple[dict[str, dict], str]:
    """:func:`crawl`, and what the crawl logged (warnings and above, its standard error)."""
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            CRAWL,
            settings.database_url,
            str(settings.sources),
            now.isoformat(),
            json.dumps(overrides or {}),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
        env={**os.environ, "MEETSCOUT_FETCH_ALLOW": allow},
    )
    reports = {r["source"]: r for r in json.loads(done.stdout.strip().splitlines()[-1])}
    return reports, done.stderr


ICS = FIXTURES / "ics"
ICS_FEEDS = sorted(path.name for path in ICS.glob("*.ics"))
"""Every saved real iCalendar feed, by file name."""


def _starts(data: bytes) -> list[datetime]:
    """Every DTSTART the file's VEVENTs have, read loosely, as UTC."""
    events = re.findall(rb"(?s)BEGIN:VEVENT.*?END:VEVENT", data)
    found = [
        match
        for event in events
        for match in re.findall(rb"(?m)^DTSTART[^\r\n]*?:(\d{8})(?:T(\d{6}))?", event)
    ]
    return [
        datetime.strptime((day + (clock or b"000000")).decode(), "%Y%m%d%H%M%S").replace(tzinfo=UTC)
        for day, clock in found
    ]


def feed_spider(feed: str) -> IcsSpider:
    """A spider for a saved feed whose window starts at its first event and covers its last."""
    starts = _starts((ICS / feed).read_bytes())
    now = min(starts) if starts else NOW
    span = (max(starts) - now).days + 2 if starts else 0
    source = Source(
        name=feed.removesuffix(".ics"),
        type="ics",
        url=f"https://example.org/{feed}",
        days_back=7,
        days_ahead=min(max(span, 365), 3650),
    )
    return IcsSpider(source=source, now=now)
