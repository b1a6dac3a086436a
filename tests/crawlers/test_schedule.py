"""Scheduled crawls: each source on its own interval, one scheduler per source at a time.

The clock is frozen and moved by hand; the crawl itself is replaced by a
function that records what it was asked to crawl (a real crawl runs in a
process of its own and is tested in tests/crawlers/test_runner.py).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from crawlers.ical_quirks import advised_refresh
from crawlers.report import SourceReport
from crawlers.schedule import ADVICE_FLOOR, Scheduler
from crawlers.snapshot import conclude
from crawlers.sources import Source, SourcesError, load_sources
from crawlers.spiders.ics import IcsSpider
from service.store import EventStore, HealthStore, ScheduleStore
from tests.factories import NOW
from tests.support.saved import FIXTURES, file_response

DEFAULT = timedelta(hours=6)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


class Crawls:
    """Records each crawl; ``hold`` keeps a crawl running until released."""

    def __init__(self) -> None:
        self.names: list[str] = []
        self.hold: threading.Event | None = None
        self.started = threading.Event()

    def __call__(self, name: str) -> int:
        self.names.append(name)
        self.started.set()
        if self.hold is not None:
            assert self.hold.wait(60)
        return 0


def write_sources(path: Path, *entries: str) -> Path:
    path.write_text(
        "".join(
            f'[[source]]\nname = "{name}"\ntype = "ics"\nurl = "https://example.org/{name}.ics"\n'
            f"{extra}\n"
            for name, _, extra in (entry.partition(":") for entry in entries)
        )
    )
    return path


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


@pytest.fixture
def schedule(store: EventStore) -> ScheduleStore:
    return ScheduleStore(store.engine)


@pytest.fixture
def make_scheduler(
    store: EventStore, schedule: ScheduleStore, clock: Clock, tmp_path: Path
) -> Iterator[object]:
    made: list[Scheduler] = []

    def make(sources: Path, crawls: Crawls, holder: str = "a") -> Scheduler:
        scheduler = Scheduler(
            sources=sources,
            schedule=schedule,
            health=HealthStore(store.engine),
            clock=clock,
            crawl=crawls,
            default_refresh=DEFAULT,
            holder=holder,
        )
        made.append(scheduler)
        return scheduler

    yield make
    for scheduler in made:
        scheduler.close()


def run(scheduler: Scheduler) -> list[str]:
    """One tick, waiting for the crawls it started."""
    started = scheduler.tick()
    for future in started.values():
        future.result(60)
    return sorted(started)


def test_each_source_is_crawled_again_on_its_own_interval(
    make_scheduler, clock: Clock, tmp_path: Path
) -> None:
    sources = write_sources(
        tmp_path / "sources.toml", 'often:refresh = "1h"', 'daily:refresh = "1d"', "plain"
    )
    crawls = Crawls()
    scheduler = make_scheduler(sources, crawls)

    assert run(scheduler) == ["daily", "often"]  # never crawled: due now, two at a time
    assert run(scheduler) == ["plain"]
    assert run(scheduler) == []
    clock.now = NOW + timedelta(minutes=59)
    assert run(scheduler) == []
    clock.now = NOW + timedelta(hours=1)
    assert run(scheduler) == ["often"]
    clock.now = NOW + timedelta(hours=6)
    assert run(scheduler) == ["often", "plain"]  # the default for one that says nothing
    clock.now = NOW + timedelta(days=1)
    assert run(scheduler) == ["often", "plain"]  # the longest overdue first
    assert run(scheduler) == ["daily"]
    assert crawls.names.count("often") == 4


def test_a_feeds_advice_sets_the_interval_within_limits(
    make_scheduler, schedule: ScheduleStore, clock: Clock, tmp_path: Path
) -> None:
    sources = write_sources(tmp_path / "sources.toml", "hourly", "eager", 'own:refresh = "2d"')
    schedule.advise(source="hourly", seconds=3600)
    schedule.advise(source="eager", seconds=60)  # asks for every minute
    schedule.advise(source="own", seconds=3600)  # the operator's refresh wins
    scheduler = make_scheduler(sources, Crawls())
    run(scheduler), run(scheduler)
    due = {name: state.next_due for name, state in schedule.states().items()}
    assert due == {
        "hourly": NOW + timedelta(hours=1),
        "eager": NOW + ADVICE_FLOOR,
        "own": NOW + timedelta(days=2),
    }


def test_a_source_crawled_before_is_due_from_its_last_crawl(
    make_scheduler, store: EventStore, clock: Clock, tmp_path: Path
) -> None:
    sources = write_sources(tmp_path / "sources.toml", "feed")
    report = SourceReport(source="feed", type="ics", started=NOW - timedelta(hours=5))
    report.fetched = 1
    conclude(report, events=store, health=HealthStore(store.engine), now=NOW)
    scheduler = make_scheduler(sources, Crawls())
    assert run(scheduler) == []
    clock.now = NOW + timedelta(hours=1)
    assert run(scheduler) == ["feed"]


def test_two_schedulers_never_crawl_one_source_at_once(
    make_scheduler, schedule: ScheduleStore, clock: Clock, tmp_path: Path
) -> None:
    sources = write_sources(tmp_path / "sources.toml", "feed")
    first, second = Crawls(), Crawls()
    first.hold = threading.Event()
    a = make_scheduler(sources, first, holder="a")
    b = make_scheduler(sources, second, holder="b")

    running = a.tick()
    assert first.started.wait(60)
    assert run(b) == []  # a holds it
    assert schedule.states()["feed"].holder == "a"
    first.hold.set()
    running["feed"].result(60)
    assert run(b) == []  # crawled by a: not due for b either
    clock.now = NOW + DEFAULT
    assert run(b) == ["feed"]
    assert (first.names, second.names) == (["feed"], ["feed"])


def test_a_dead_schedulers_sources_come_back_when_its_lease_ends(
    make_scheduler, schedule: ScheduleStore, clock: Clock, tmp_path: Path
) -> None:
    sources = write_sources(tmp_path / "sources.toml", "feed")
    assert schedule.claim(source="feed", holder="gone", now=NOW, until=NOW + timedelta(hours=2))
    crawls = Crawls()
    scheduler = make_scheduler(sources, crawls, holder="b")
    assert run(scheduler) == []
    assert not schedule.claim(source="feed", holder="b", now=NOW, until=NOW + timedelta(hours=2))
    clock.now = NOW + timedelta(hours=2)
    assert run(scheduler) == ["feed"]
    assert schedule.states()["feed"].holder is None


def test_a_paused_source_is_left_alone(make_scheduler, tmp_path: Path) -> None:
    sources = write_sources(tmp_path / "sources.toml", "on", "off:paused = true")
    assert run(make_scheduler(sources, Crawls())) == ["on"]


def test_a_sources_file_broken_later_keeps_the_last_good_list(
    make_scheduler, clock: Clock, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    sources = write_sources(tmp_path / "sources.toml", "feed")
    scheduler = make_scheduler(sources, Crawls())
    assert run(scheduler) == ["feed"]
    sources.write_text("[[source]]\nname = 'broken'\n")
    clock.now = NOW + DEFAULT
    assert run(scheduler) == ["feed"]
    assert "broken" in caplog.text


def test_refresh_is_read_in_short_or_iso_form_and_kept_sensible(tmp_path: Path) -> None:
    sources = write_sources(
        tmp_path / "sources.toml", 'a:refresh = "30m"', 'b:refresh = "PT6H"', 'c:refresh = "2d"'
    )
    assert [source.refresh for source in load_sources(sources)] == [
        timedelta(minutes=30),
        timedelta(hours=6),
        timedelta(days=2),
    ]
    write_sources(tmp_path / "sources.toml", 'd:refresh = "1m"')
    with pytest.raises(SourcesError, match=r"refresh: .*between 15 minutes and 30 days"):
        load_sources(tmp_path / "sources.toml")


@pytest.mark.parametrize(
    ("fixture", "advice"),
    [
        # RFC 7986's REFRESH-INTERVAL (The Events Calendar writes both it and Microsoft's).
        ("ics/the-events-calendar-ecp-public-meetings.ics", timedelta(hours=1)),
        # Tockify writes P15M, meaning minutes (durations have no months).
        ("community-calendar/toronto/tockify_jamaalmyers.ics", timedelta(minutes=15)),
        ("ics/pycon-us-2025-flaskcon.ics", None),
    ],
)
def test_a_feeds_advice_is_read(fixture: str, advice: timedelta | None) -> None:
    assert advised_refresh((FIXTURES / fixture).read_bytes()) == advice


def test_the_ics_spider_reports_the_advice_and_the_crawl_keeps_it(
    store: EventStore, schedule: ScheduleStore
) -> None:
    source = Source(name="meetings", type="ics", url="https://example.org/meetings.ics")
    spider = IcsSpider(source=source, now=NOW)
    list(spider.parse(file_response("ics/the-events-calendar-ecp-public-meetings.ics")))
    assert spider.report.advised_refresh == timedelta(hours=1)
    spider.report.started = NOW
    conclude(
        spider.report, events=store, health=HealthStore(store.engine), now=NOW, schedule=schedule
    )
    assert schedule.states()["meetings"].advised_seconds == 3600
