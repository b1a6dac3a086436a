"""Crawl each source again on its own interval, with any number of schedulers at once.

A source is due when its interval has passed since its last crawl: the
``refresh`` of its ``sources.toml`` entry, else what its feed asks for
(``REFRESH-INTERVAL`` or ``X-PUBLISHED-TTL``, kept within
:data:`ADVICE_FLOOR` and :data:`ADVICE_CEILING`), else the default setting.
Before crawling a due source a scheduler claims it in the store
(:class:`service.store.ScheduleStore`): schedulers on several machines, or
beside ``meetscout up``, never crawl one source at once, and a scheduler
that dies gives its sources back when its leases end.

Each crawl is ``meetscout crawl --source NAME`` in a process of its own
(Scrapy's reactor runs once per process); its conditional requests (ETag,
Last-Modified, through the crawl's HTTP cache) make an unchanged feed
cheap to ask again.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import subprocess
import sys
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO

from crawlers.sources import Source, SourcesError, crawlable, load_sources
from service.store import HealthStore, ScheduleState, ScheduleStore

ADVICE_FLOOR = timedelta(minutes=15)
"""A feed asking to be polled more often than this is polled this often."""
ADVICE_CEILING = timedelta(days=7)
LEASE = timedelta(hours=2)
"""How long a claim holds: a crawl still running then is stopped."""
CRAWLS_AT_ONCE = 2
POLL_SECONDS = 30.0

CrawlOne = Callable[[str], int]
"""Crawls the named source; returns the command's exit status."""

logger = logging.getLogger(__name__)


def holder_name() -> str:
    """Who a scheduler is, in the leases it holds: machine, process and a random part."""
    return f"{socket.gethostname()[:80]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def interval(source: Source, state: ScheduleState | None, default: timedelta) -> timedelta:
    """Time between two crawls of ``source``: its own refresh, its feed's advice, the default."""
    if source.refresh is not None:
        return source.refresh
    if state is not None and state.advised_seconds:
        advised = timedelta(seconds=state.advised_seconds)
        return min(max(advised, ADVICE_FLOOR), ADVICE_CEILING)
    return default


def crawl_in_a_process(log_dir: Path | None = None, *, timeout: timedelta = LEASE) -> CrawlOne:
    """The real crawl: ``meetscout crawl --source NAME``, its output kept in ``log_dir``."""

    def crawl(name: str) -> int:
        command = [sys.executable, "-m", "service", "crawl", "--source", name]
        with contextlib.ExitStack() as stack:
            output: int | IO[bytes] = subprocess.DEVNULL
            if log_dir is not None:
                log_dir.mkdir(parents=True, exist_ok=True)
                output = stack.enter_context((log_dir / f"{name}.log").open("wb"))
            try:
                return subprocess.run(
                    command,
                    stdout=output,
                    stderr=subprocess.STDOUT,
                    timeout=timeout.total_seconds(),
                    check=False,
                ).returncode
            except subprocess.TimeoutExpired:
                logger.warning("%s: the crawl ran out of its lease and was stopped", name)
                return 124

    return crawl


class Scheduler:
    """Claims due sources and crawls them, :data:`CRAWLS_AT_ONCE` at a time.

    ``clock`` is the one reading of the time (tests freeze it; a replayed
    recording's never moves, so nothing is crawled again). :meth:`tick`
    starts what is due and returns the crawls it started.
    """

    def __init__(
        self,
        *,
        sources: Path,
        schedule: ScheduleStore,
        health: HealthStore,
        clock: Callable[[], datetime],
        crawl: CrawlOne,
        default_refresh: timedelta,
        holder: str | None = None,
        lease: timedelta = LEASE,
        at_once: int = CRAWLS_AT_ONCE,
    ) -> None:
        self.sources_path = sources
        self.schedule = schedule
        self.health = health
        self.clock = clock
        self.crawl = crawl
        self.default_refresh = default_refresh
        self.holder = holder or holder_name()
        self.lease = lease
        self._pool = ThreadPoolExecutor(max_workers=at_once, thread_name_prefix="crawl")
        self._at_once = at_once
        self._running: dict[str, Future[int]] = {}
        self._known: list[Source] = []
        self._lock = threading.Lock()

    def sources(self) -> list[Source]:
        """The sources file as it is now; the last good reading when it has become invalid."""
        try:
            self._known = crawlable(load_sources(self.sources_path))
        except SourcesError as error:
            logger.error("%s; crawling the sources it listed before", error)
        return self._known

    def due(self, now: datetime) -> list[Source]:
        """Sources whose interval has passed, longest overdue first; never crawled ones first."""
        states = self.schedule.states()
        waiting: list[tuple[datetime | None, Source]] = []
        for source in self.sources():
            if source.name in self._running:
                continue
            state = states.get(source.name)
            if (
                state is not None
                and state.holder not in (None, self.holder)
                and state.lease_until is not None
                and state.lease_until > now
            ):
                continue  # another scheduler crawls it now
            when = self._next_due(source, state)
            if when is None or when <= now:
                waiting.append((when, source))
        waiting.sort(key=lambda item: (item[0] is not None, item[0] or now))
        return [source for _, source in waiting]

    def _next_due(self, source: Source, state: ScheduleState | None) -> datetime | None:
        if state is not None and state.next_due is not None:
            return state.next_due
        runs = self.health.runs(source=source.name, limit=1)
        if not runs:
            return None
        return runs[0].started + interval(source, state, self.default_refresh)

    def tick(self) -> dict[str, Future[int]]:
        """Start the crawls that are due and free, as many as there is room for."""
        with self._lock:
            self._running = {n: f for n, f in self._running.items() if not f.done()}
            now = self.clock()
            started: dict[str, Future[int]] = {}
            for source in self.due(now):
                if len(self._running) >= self._at_once:
                    break
                if not self.schedule.claim(
                    source=source.name, holder=self.holder, now=now, until=now + self.lease
                ):
                    continue
                future = self._pool.submit(self._crawl, source)
                self._running[source.name] = started[source.name] = future
            return started

    def _crawl(self, source: Source) -> int:
        logger.info("%s: crawling again", source.name)
        status = 1
        try:
            status = self.crawl(source.name)
        except Exception:  # a crawl that cannot even start must not stop the schedule
            logger.exception("%s: the scheduled crawl could not run", source.name)
        finally:
            state = self.schedule.states().get(source.name)
            next_due = self.clock() + interval(source, state, self.default_refresh)
            self.schedule.finish(source=source.name, holder=self.holder, next_due=next_due)
        logger.info("%s: crawled (exit %s); next at %s", source.name, status, next_due)
        return status

    def run_forever(self, stop: threading.Event, *, poll_seconds: float = POLL_SECONDS) -> None:
        """Tick until ``stop`` is set; crawls running then finish first."""
        while not stop.is_set():
            try:
                self.tick()
            except Exception:  # a store that is down for a while must not end the schedule
                logger.exception("the schedule could not be read; trying again")
            stop.wait(poll_seconds)
        self._pool.shutdown(wait=True)

    def close(self) -> None:
        self._pool.shutdown(wait=True)
