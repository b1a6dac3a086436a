"""A bundled source is a file on the server: no public face shows where the server keeps it."""

from __future__ import annotations

from fastapi.testclient import TestClient

from service.model import Venue
from service.store import CrawlRun, EventStore, HealthStore
from tests.factories import NOW, make_event

SERVER_PATH = "/srv/meetscout/data/snapshot"
LISTING = f"file://{SERVER_PATH}/toronto/library.ics"


def _bundled(store: EventStore) -> str:
    event = make_event(
        "bundled",
        title="Resume workshop",
        source="bundled",
        source_url=LISTING,
        url=f"file://{SERVER_PATH}/toronto/page.html",
        venue=Venue(name="Central Library", city="Toronto", lat=43.667, lon=-79.387),
        timezone="America/Toronto",
    )
    store.upsert_many([event], now=NOW)
    return event.id


def test_no_face_shows_a_server_path(client: TestClient, seeded: EventStore) -> None:
    event_id = _bundled(seeded)

    shown = client.get(f"/events/{event_id}").json()
    assert shown["source_url"] is None
    assert shown["url"] is None
    for path in (
        f"/events/{event_id}",
        "/events?q=Resume+workshop",
        "/events?near=Toronto&q=Resume+workshop",
        f"/events/{event_id}.ics",
        "/feeds/events.ics?q=Resume+workshop",
        f"/e/{event_id}",
        "/?near=Toronto&q=Resume+workshop",
    ):
        answer = client.get(path)
        assert answer.status_code == 200, path
        assert "Resume workshop" in answer.text, path
        assert SERVER_PATH not in answer.text, path
        assert "file:" not in answer.text, path


def test_a_sources_last_error_names_the_file_not_its_folder(
    client: TestClient, seeded: EventStore
) -> None:
    HealthStore(seeded.engine).record(
        run=CrawlRun(
            source="bundled",
            type="ics",
            started=NOW,
            finished=NOW,
            outcome="failed",
            clean=False,
            errors={"fetch_failed": 1},
            last_error=f"IOError: [Errno 2] No such file or directory: '{SERVER_PATH}/gone.ics'"
            f" ({LISTING})",
        )
    )
    [item] = client.get("/sources").json()["items"]
    assert item["last_error"] == (
        "IOError: [Errno 2] No such file or directory: 'gone.ics' (library.ics)"
    )
