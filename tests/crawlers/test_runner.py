"""Whole crawls through Scrapy, each in its own process (the reactor runs once).

Sources are saved real files read through ``file://`` URLs; the clock is
frozen by passing ``now`` to the runner (``tests/support/crawling.py``).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from service.model import Status, make_event_id
from service.settings import Settings
from service.store import EventQuery, EventStore, make_engine
from tests.support.crawling import FLASKCON, FLASKCON_NOW, crawl
from tests.support.saved import FIXTURES


@pytest.fixture
def sources(tmp_path: Path, settings: Settings) -> Path:
    shutil.copytree(FIXTURES / "confs-tech", tmp_path / "confs-tech")
    (tmp_path / "ics").mkdir()
    shutil.copy(
        FIXTURES / "ics/google-finos-community-calendar-large.ics", tmp_path / "ics/finos.ics"
    )
    shutil.copy(
        FIXTURES / "ics/broken-feed-html-login-page-served-as-ics.ics",
        tmp_path / "ics/login-page.ics",
    )
    settings.sources.write_text(
        """
[[source]]
name = "confs-tech"
type = "confs_tech"
url = "confs-tech"
topics = ["python", "javascript", "general", "data"]

[[source]]
name = "finos"
type = "ics"
url = "ics/finos.ics"
kind = "meetup"

[[source]]
name = "vanished"
type = "ics"
url = "ics/no-such-file.ics"

[[source]]
name = "login-page"
type = "ics"
url = "ics/login-page.ics"
"""
    )
    return tmp_path


def stored_ids(settings: Settings, source: str) -> dict[str, int]:
    engine = make_engine(settings.database_url)
    events = EventStore(engine).search(query=EventQuery(sources=[source]))
    engine.dispose()
    return {event.id: event.sequence for event in events}


def test_crawl_stores_every_source_and_reports_failures(settings: Settings, sources: Path) -> None:
    reports = crawl(settings)
    assert reports["finos"]["outcome"] == "ok"
    assert reports["finos"]["stored"] == 577
    assert reports["confs-tech"]["outcome"] == "ok"
    assert reports["confs-tech"]["stored"] > 0
    assert reports["confs-tech"]["dropped"]["outside_window"] > 0
    assert reports["confs-tech"]["missing"] == 3  # 2027 has only general.json of these
    assert reports["vanished"]["outcome"] == "failed"
    assert reports["login-page"]["outcome"] == "failed"
    assert "BEGIN:VCALENDAR" in reports["login-page"]["error"]
    assert len(stored_ids(settings, "finos")) == 577


def test_crawl_twice_changes_no_id_and_adds_nothing(settings: Settings, sources: Path) -> None:
    crawl(settings)
    before = {name: stored_ids(settings, name) for name in ("finos", "confs-tech")}
    second = crawl(settings)
    after = {name: stored_ids(settings, name) for name in ("finos", "confs-tech")}
    assert after == before
    assert second["finos"]["inserted"] == 0
    assert second["confs-tech"]["inserted"] == 0


def test_crawl_failed_source_keeps_stored_events(settings: Settings, sources: Path) -> None:
    crawl(settings)
    before = stored_ids(settings, "finos")
    shutil.copy(
        FIXTURES / "ics/broken-feed-html-login-page-served-as-ics.ics", sources / "ics/finos.ics"
    )
    reports = crawl(settings)
    assert reports["finos"]["outcome"] == "failed"
    assert stored_ids(settings, "finos") == before


def test_crawl_replayed_without_one_event_cancels_it_after_two_snapshots(
    tmp_path: Path, settings: Settings
) -> None:
    feed = FLASKCON.read_bytes()
    start, end = feed.index(b"BEGIN:VEVENT"), feed.index(b"END:VEVENT") + len(b"END:VEVENT\r\n")
    removed_uid = feed[start:end].split(b"UID:")[1].split(b"\r\n")[0].decode()
    settings.sources.write_text('[[source]]\nname = "flaskcon"\ntype = "ics"\nurl = "f.ics"\n')
    (tmp_path / "f.ics").write_bytes(feed)
    assert crawl(settings, FLASKCON_NOW)["flaskcon"]["stored"] == 6
    (tmp_path / "f.ics").write_bytes(feed[:start] + feed[end:])
    crawl(settings, FLASKCON_NOW)
    crawl(settings, FLASKCON_NOW)
    engine = make_engine(settings.database_url)
    events = EventStore(engine).search(query=EventQuery(sources=["flaskcon"]))
    engine.dispose()
    cancelled = [e for e in events if e.status is Status.CANCELLED]
    assert len(events) == 6
    assert len(cancelled) == 1
    assert cancelled[0].id == make_event_id("flaskcon", removed_uid)
