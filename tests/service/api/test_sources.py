"""``/sources`` serves each source's health."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient

from service.store import CrawlRun, EventStore, HealthStore
from tests.factories import NOW


def test_list_sources_empty_before_any_crawl(client: TestClient) -> None:
    assert client.get("/sources").json() == {"items": []}


def test_list_sources_shows_latest_run_and_last_clean(
    client: TestClient, seeded: EventStore
) -> None:
    health = HealthStore(seeded.engine)
    clean = CrawlRun(
        source="finos",
        type="ics",
        started=NOW,
        finished=NOW,
        outcome="ok",
        clean=True,
        found=577,
        stored=577,
        inserted=577,
    )
    failed = CrawlRun(
        source="finos",
        type="ics",
        started=NOW + timedelta(days=1),
        finished=NOW + timedelta(days=1),
        outcome="failed",
        clean=False,
        http_status=503,
        errors={"fetch_failed": 1},
        last_error="HttpError: 503 Service Unavailable",
    )
    health.record(run=clean)
    health.record(run=failed)
    [item] = client.get("/sources").json()["items"]
    assert item["name"] == "finos"
    assert item["outcome"] == "failed"
    assert item["http_status"] == 503
    assert item["last_error"] == "HttpError: 503 Service Unavailable"
    assert item["last_clean_crawl"].startswith("2026-11-27T12:00")
    assert item["events"] == 577
