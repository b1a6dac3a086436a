"""The sources page: health with attention first, pause, hold, remove, recrawl, discovery."""

from __future__ import annotations

import re
import sys
from datetime import timedelta

from fastapi.testclient import TestClient

from service.admin.jobs import JobRunner
from service.settings import Settings
from service.store import CrawlRun, EventStore, HealthStore
from tests.factories import NOW
from tests.support.admin import sign_in


def test_sources_needing_attention_come_first(admin: TestClient, store: EventStore) -> None:
    HealthStore(store.engine).record(
        run=CrawlRun(
            source="library",
            type="ics",
            started=NOW - timedelta(minutes=1),
            finished=NOW,
            outcome="ok",
            clean=True,
            found=2,
        )
    )
    HealthStore(store.engine).record(
        run=CrawlRun(
            source="test",
            type="ics",
            started=NOW - timedelta(minutes=1),
            finished=NOW,
            outcome="ok",
            clean=True,
            found=2,
        )
    )
    sign_in(admin)

    page = admin.get("/admin/sources").text

    order = [name for name in re.findall(r'<th scope="row">(\w+)', page)]
    assert order == ["chamber", "library", "test"]
    assert "never crawled" in page
    assert "no longer in the sources file" in page


def test_pause_hold_and_remove_edit_the_file_keeping_its_comments(
    admin: TestClient, admin_settings: Settings
) -> None:
    csrf = sign_in(admin)

    for action in ("pause", "hold"):
        answer = admin.post(f"/admin/sources/library/{action}", data={"csrf": csrf})
        assert answer.status_code == 200
    text = admin_settings.sources.read_text()
    assert "paused = true" in text and "hold = true" in text
    assert "# library: kept by the operator" in text

    admin.post("/admin/sources/library/resume", data={"csrf": csrf})
    admin.post("/admin/sources/chamber/remove", data={"csrf": csrf})

    text = admin_settings.sources.read_text()
    assert "paused" not in text and "hold = true" in text
    assert 'name = "chamber"' not in text
    assert text.startswith("# Our city's calendars\n")
    assert admin.post("/admin/sources/nobody/pause", data={"csrf": csrf}).status_code == 404


def test_recrawl_runs_the_crawl_command_for_that_source_and_shows_it(
    admin: TestClient,
) -> None:
    fake = JobRunner(command=(sys.executable, "-c", "import sys; print('crawled', sys.argv[1:])"))
    admin.app.state.admin_jobs = fake  # type: ignore[attr-defined]
    csrf = sign_in(admin)

    answer = admin.post(
        "/admin/sources/library/recrawl", data={"csrf": csrf}, follow_redirects=False
    )

    assert answer.status_code == 303
    job_id = int(answer.headers["location"].rsplit("/", 1)[1])
    fake.wait(job_id, timeout=30)
    page = admin.get(f"/admin/jobs/{job_id}").text
    assert "finished" in page
    assert "crawled [&#39;crawl&#39;, &#39;--source&#39;, &#39;library&#39;]" in page
    assert "recrawl finished" in admin.get("/admin/sources").text


def test_an_address_is_checked_before_the_discovery_runs(admin: TestClient) -> None:
    fake = JobRunner(command=(sys.executable, "-c", "import sys; print(sys.argv[1:])"))
    admin.app.state.admin_jobs = fake  # type: ignore[attr-defined]
    csrf = sign_in(admin)

    inside = admin.post(
        "/admin/discover", data={"csrf": csrf, "address": "http://169.254.169.254/"}
    )
    assert inside.status_code == 422
    assert fake.latest() == []

    answer = admin.post(
        "/admin/discover",
        data={"csrf": csrf, "address": "webcal://library.example.org/events.ics", "name": "lib"},
        follow_redirects=False,
    )
    job = fake.latest()[0]
    assert answer.status_code == 303
    assert job.argv[-5:] == (
        "sources",
        "add",
        "https://library.example.org/events.ics",
        "--name",
        "lib",
    )
    fake.wait(job.id, timeout=30)
    page = admin.get(f"/admin/jobs/{job.id}").text
    assert 'action="/admin/preview"' in page and 'action="/admin/add"' in page
