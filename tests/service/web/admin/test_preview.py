"""The sources page's Preview: a dry crawl of the address by ``meetscout sources check``."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest
from fastapi.testclient import TestClient

from service.admin.jobs import JobRunner, job_environment
from service.app import create_app
from service.settings import Settings
from service.store import EventQuery, EventStore
from tests.factories import NOW
from tests.support.admin import sign_in
from tests.support.saved import FIXTURES
from tests.support.serving import serving

QUEER_LIT = "eventbrite-organizer-queer-lit-bookshop.html"
RECORDED = datetime.fromisoformat("2024-05-01T00:00:00+00:00")
"""A moment seven of the page's 24 events come after."""


@pytest.fixture
def site() -> Iterator[str]:
    with serving(FIXTURES / "html") as base:
        yield base


@pytest.fixture
def previewing(admin_settings: Settings) -> Iterator[tuple[TestClient, JobRunner]]:
    settings = admin_settings.model_copy(
        update={"fetch_allow": ("127.0.0.1",), "replay_at": RECORDED}
    )
    with TestClient(create_app(settings, clock=lambda: NOW)) as client:
        runner = JobRunner(env=job_environment(settings))
        client.app.state.admin_jobs = runner  # type: ignore[attr-defined]
        yield client, runner


def test_preview_runs_a_dry_crawl_and_shows_what_would_be_stored(
    previewing: tuple[TestClient, JobRunner], site: str, store: EventStore
) -> None:
    client, runner = previewing
    csrf = sign_in(client)
    before = len(store.search(query=EventQuery()))

    answer = client.post(
        "/admin/preview",
        data={"csrf": csrf, "address": f"{site}/{QUEER_LIT}"},
        follow_redirects=False,
    )

    assert answer.status_code == 303
    job = runner.latest()[0]
    assert job.argv[-3:] == ("sources", "check", f"{site}/{QUEER_LIT}")
    runner.wait(job.id, timeout=180)
    assert job.succeeded, job.output()
    page = client.get(f"/admin/jobs/{job.id}").text
    assert "Would store 7 events" in page
    assert "nothing was written to the store" in page
    assert "Ancoats Quiz" in page
    assert len(store.search(query=EventQuery())) == before
