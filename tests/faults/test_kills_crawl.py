"""``kill -9`` at seeded random moments of a crawl, then a rerun: nothing lost, nothing doubled.

The campaign runs the real ``meetscout crawl`` in a process of its own, kills it with
SIGKILL at a moment drawn from a seeded generator, checks the store (SQLite's
``PRAGMA integrity_check``; on PostgreSQL, ``postgres_integrity`` of
``tests/support/databases.py``), and starts the next run on what the killed one left.
A last run goes to the end. It runs on both stores, each in a store of its own. Then
the store holds exactly the events one uninterrupted crawl of the same sources into a
new SQLite store stores, each once, none cancelled.

A crawl's moment is drawn within the length of the last run that went to its end (at
first the uninterrupted crawl's), so that a second crawl, which is shorter, is still
killed rather than left to end. What each kill interrupted is counted and printed,
never asserted: the moments differ from machine to machine.
"""

from __future__ import annotations

import os
import random
import shutil
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, inspect, select

from service.model import Status
from service.store import EventQuery, EventStore, make_engine
from service.store.tables import events
from tests.support.crawling import FLASKCON_NOW
from tests.support.kills import (
    KILLS,
    after_seconds,
    backend,
    command,
    exists,
    integrity,
    kill_when,
    reader,
    seed_for,
    to_the_end,
)
from tests.support.saved import FIXTURES
from tests.support.serving import serving

HTTP_FEEDS = ("pycon-us-2025-flaskcon.ics", "pycon-us-2025-charlas-spanish-track.ics")
FILE_FEEDS = ("pretalx-pycon-au-2023-schedule.ics", "wordpress-events-manager-community-centre.ics")
"""Real saved feeds: two served over HTTP on 127.0.0.1, two read from files."""


@pytest.fixture(scope="module")
def feed_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The feeds of :data:`HTTP_FEEDS` served on 127.0.0.1; yields the base address."""
    folder = tmp_path_factory.mktemp("served")
    for name in HTTP_FEEDS:
        shutil.copy(FIXTURES / "ics" / name, folder / name)
    with serving(folder) as base:
        yield base


def _crawl_env(url: str, site: Path, folder: Path, now: datetime) -> dict[str, str]:
    return {
        **os.environ,
        "MEETSCOUT_DATABASE_URL": url,
        "MEETSCOUT_SOURCES": str(site / "sources.toml"),
        "MEETSCOUT_HTTP_CACHE_DIR": str(folder / "httpcache"),
        "MEETSCOUT_FETCH_ALLOW": "127.0.0.1",
        "MEETSCOUT_REPLAY_AT": now.isoformat(),
        "MEETSCOUT_LOG_LEVEL": "WARNING",
    }


def _stored(url: str) -> dict[str, Status]:
    engine = make_engine(url)
    try:
        return {event.id: event.status for event in EventStore(engine).search(query=EventQuery())}
    finally:
        engine.dispose()


def _migrated(url: str) -> bool:
    """Whether the first migration committed (it is all or nothing: see test_migrations)."""
    engine = reader(url)
    try:
        return inspect(engine).has_table("events")
    finally:
        engine.dispose()


def _seen_at(url: str, now: datetime) -> tuple[int, int]:
    """(events this run stored or saw again, all events): how far the killed run got."""
    engine = reader(url)
    try:
        with engine.connect() as connection:
            total = connection.execute(select(func.count()).select_from(events)).scalar_one()
            seen = connection.execute(
                select(func.count()).select_from(events).where(events.c.last_seen >= now)
            ).scalar_one()
    finally:
        engine.dispose()
    return int(seen), int(total)


@pytest.fixture(scope="module")
def crawl_site(feed_server: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with the sources file of the crawl's campaigns and the feeds it reads as files."""
    folder = tmp_path_factory.mktemp("crawl")
    for name in FILE_FEEDS:
        shutil.copy(FIXTURES / "ics" / name, folder / name)
    (folder / "sources.toml").write_text(
        "".join(
            f'[[source]]\nname = "{name.removesuffix(".ics")}"\ntype = "ics"\n'
            f'url = "{feed_server}/{name}"\ndays_back = 30\n'
            for name in HTTP_FEEDS
        )
        + "".join(
            f'[[source]]\nname = "{name.removesuffix(".ics")}"\ntype = "ics"\n'
            f'url = "{name}"\ndays_back = 800\n'
            for name in FILE_FEEDS
        )
    )
    return folder


FINAL = FLASKCON_NOW + timedelta(minutes=4 * KILLS + 1)
"""The moment of the reference crawl and of each campaign's last run."""


@pytest.fixture(scope="module")
def reference(crawl_site: Path) -> tuple[dict[str, Status], float]:
    """What one uninterrupted crawl into a new SQLite store stores, and how long it took: what
    every campaign, on either store, must end with."""
    folder = crawl_site / "reference"
    folder.mkdir()
    url = f"sqlite:///{folder / 'meetscout.db'}"
    done, duration = to_the_end(command("crawl"), _crawl_env(url, crawl_site, folder, FINAL))
    assert done.returncode == 0, done.stdout + done.stderr
    expected = _stored(url)
    assert len(expected) > 100 and set(expected.values()) == {Status.SCHEDULED}
    return expected, duration


def test_kill_9_during_crawls_loses_and_doubles_nothing(
    tmp_path: Path,
    crawl_site: Path,
    reference: tuple[dict[str, Status], float],
    new_store: Callable[[str], str],
) -> None:
    expected, duration = reference
    url = new_store("killed")
    killed = tmp_path / "killed"
    killed.mkdir(exist_ok=True)

    seed = seed_for(url)
    rng = random.Random(seed)
    moments: Counter[str] = Counter()
    number = 0
    span = duration  # a moment is drawn within the last run that went to its end
    while moments.total() - moments["after the run had ended"] < KILLS:
        number += 1
        assert number <= 4 * KILLS, moments  # runs that end before their kill do not count
        now = FLASKCON_NOW + timedelta(minutes=number)
        at = rng.uniform(0.2, span)
        was_killed, elapsed = kill_when(
            command("crawl"), _crawl_env(url, crawl_site, killed, now), after_seconds(at)
        )
        if not exists(url):
            moments["before the store was created"] += 1
            continue
        assert integrity(url) == "ok", number
        if not _migrated(url):  # the first migration is all or nothing
            moments["before the first migration committed"] += 1
            continue
        seen, total = _seen_at(url, now)
        if not was_killed:
            moments["after the run had ended"] += 1
            span = elapsed
        elif total == 0:
            moments["before any event was stored"] += 1
        elif seen == 0:
            moments["before this run stored or saw an event"] += 1
        elif seen < total:
            moments["while events were being stored"] += 1
        else:
            moments["after every event was stored"] += 1

    done, _ = to_the_end(command("crawl"), _crawl_env(url, crawl_site, killed, FINAL))
    assert done.returncode == 0, done.stdout + done.stderr
    assert integrity(url) == "ok"
    assert _stored(url) == expected  # every event once, none lost, none cancelled
    print(
        f"\ncrawl on {backend(url)}: {KILLS} kills in {number} runs (seed {seed}, "
        f"an uninterrupted crawl took {duration:.1f} s, "
        f"{len(expected)} events): {dict(moments)}"
    )


# The digest
