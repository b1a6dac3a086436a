"""Commands the operator's page runs in the background: a recrawl, a discovery, a dry crawl.

Each is the ``meetscout`` command itself in a subprocess (the crawl runs
Scrapy's reactor, once per process), its output kept in a file the page
shows while it runs and after. The app owns one :class:`JobRunner`; it
keeps the last few jobs and runs a few at once.
"""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from service.settings import Settings

MEETSCOUT = (sys.executable, "-m", "service")
"""The ``meetscout`` command, as this interpreter runs it."""
KEPT_JOBS = 20
RUNNING_AT_ONCE = 2
OUTPUT_SHOWN = 20_000
"""Characters of a job's output the page shows: its end, where the summary is."""


class Busy(Exception):
    """:data:`RUNNING_AT_ONCE` jobs already run."""


@dataclass
class Job:
    id: int
    label: str
    argv: tuple[str, ...]
    started: datetime
    log: Path
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)
    finished: datetime | None = None
    returncode: int | None = None

    @property
    def running(self) -> bool:
        return self.poll() is None

    @property
    def succeeded(self) -> bool:
        return self.returncode == 0

    def poll(self) -> int | None:
        if self.returncode is None and self.process is not None:
            code = self.process.poll()
            if code is not None:
                self.returncode = code
                self.finished = datetime.now(UTC)
        return self.returncode

    def output(self) -> str:
        try:
            text = self.log.read_bytes()[-OUTPUT_SHOWN:].decode("utf-8", "replace")
        except OSError:
            return ""
        return text


class JobRunner:
    """Starts commands in the background and remembers the last :data:`KEPT_JOBS`."""

    def __init__(
        self, *, command: Sequence[str] = MEETSCOUT, env: dict[str, str] | None = None
    ) -> None:
        self.command = tuple(command)
        self.env = env
        self._ids = itertools.count(1)
        self._jobs: OrderedDict[int, Job] = OrderedDict()
        self._lock = threading.Lock()
        self._folder = Path(tempfile.mkdtemp(prefix="meetscout-jobs-"))

    def start(self, label: str, *arguments: str) -> Job:
        """Run ``meetscout ARGUMENTS`` in the background; :class:`Busy` when too many run."""
        with self._lock:
            if sum(job.running for job in self._jobs.values()) >= RUNNING_AT_ONCE:
                raise Busy
            job_id = next(self._ids)
            log = self._folder / f"{job_id}.log"
            argv = (*self.command, *arguments)
            with log.open("wb") as out:
                process = subprocess.Popen(
                    argv,
                    stdin=subprocess.DEVNULL,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    env=self.env,
                )
            job = Job(
                id=job_id,
                label=label,
                argv=argv,
                started=datetime.now(UTC),
                log=log,
                process=process,
            )
            self._jobs[job_id] = job
            while len(self._jobs) > KEPT_JOBS:
                _, old = self._jobs.popitem(last=False)
                if old.running:  # never forget a job that still runs
                    self._jobs[old.id] = old
                    self._jobs.move_to_end(old.id, last=False)
                    break
                old.log.unlink(missing_ok=True)
            return job

    def get(self, job_id: int) -> Job | None:
        with self._lock:
            return self._jobs.get(job_id)

    def latest(self) -> list[Job]:
        """The jobs kept, newest first."""
        with self._lock:
            return list(reversed(self._jobs.values()))

    def latest_for(self, label: str) -> Job | None:
        return next((job for job in self.latest() if job.label == label), None)

    def wait(self, job_id: int, timeout: float) -> Job | None:
        """Wait for a job to finish (the CLI and tests; the page never waits)."""
        job = self.get(job_id)
        if job is not None and job.process is not None:
            job.process.wait(timeout=timeout)
            job.poll()
        return job


def job_environment(settings: Settings) -> dict[str, str]:
    """The environment of a job: this one, with the store and sources file the app serves
    (tests and embedders build their settings in code) and the replayed moment, if any."""
    env = dict(os.environ)
    env["MEETSCOUT_DATABASE_URL"] = settings.database_url
    env["MEETSCOUT_SOURCES"] = str(settings.sources)
    if settings.replay_at is not None:
        env["MEETSCOUT_REPLAY_AT"] = settings.replay_at.isoformat()
    if settings.fetch_allow:
        env["MEETSCOUT_FETCH_ALLOW"] = ",".join(settings.fetch_allow)
    return env
