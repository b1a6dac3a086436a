"""Background commands: their output, their end, and no more than a few at once."""

from __future__ import annotations

import sys

import pytest

from service.admin import jobs
from service.admin.jobs import Busy, JobRunner, job_environment
from service.settings import Settings


def test_a_job_runs_in_the_background_and_keeps_its_output() -> None:
    runner = JobRunner(command=(sys.executable, "-c", "import sys; print('hello', *sys.argv[1:])"))

    job = runner.start("greet", "operator")
    runner.wait(job.id, timeout=30)

    assert not job.running and job.succeeded
    assert job.output().strip() == "hello operator"
    assert runner.latest_for("greet") is job


def test_a_failing_job_says_so() -> None:
    runner = JobRunner(command=(sys.executable, "-c", "raise SystemExit(3)"))
    job = runner.start("fail")
    runner.wait(job.id, timeout=30)
    assert job.returncode == 3 and not job.succeeded


def test_only_a_few_jobs_run_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(jobs, "RUNNING_AT_ONCE", 1)
    runner = JobRunner(command=(sys.executable, "-c", "import time; time.sleep(30)"))
    first = runner.start("slow")
    try:
        with pytest.raises(Busy):
            runner.start("another")
    finally:
        assert first.process is not None
        first.process.kill()
        first.process.wait()


def test_jobs_use_the_store_and_sources_the_app_serves(settings: Settings) -> None:
    env = job_environment(settings.model_copy(update={"fetch_allow": ("cal.corp",)}))
    assert env["MEETSCOUT_DATABASE_URL"] == settings.database_url
    assert env["MEETSCOUT_SOURCES"] == str(settings.sources)
    assert env["MEETSCOUT_FETCH_ALLOW"] == "cal.corp"
