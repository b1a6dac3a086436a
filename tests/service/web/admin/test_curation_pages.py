"""Suggestions from visitors, held events, corrections and hiding, through the pages."""

from __future__ import annotations

import sys

from fastapi.testclient import TestClient

from service.admin.jobs import JobRunner
from service.model import Kind
from service.store import CurationStore, EventQuery, EventStore, SuggestionStore
from tests.factories import NOW, python_meetup
from tests.support.admin import sign_in


def test_a_visitor_suggests_a_calendar_and_the_operator_accepts_it(
    admin: TestClient, store: EventStore
) -> None:
    fake = JobRunner(command=(sys.executable, "-c", "print('proposal')"))
    admin.app.state.admin_jobs = fake  # type: ignore[attr-defined]

    form = admin.get("/suggest")
    sent = admin.post("/suggest", data={"address": "library.example.org/events", "note": "Ours"})

    assert form.status_code == 200 and "Suggest a calendar" in form.text
    assert sent.status_code == 200 and "https://library.example.org/events" in sent.text
    assert fake.latest() == []  # nothing fetched until the operator looks
    (waiting,) = SuggestionStore(store.engine).waiting()

    csrf = sign_in(admin)
    assert "https://library.example.org/events" in admin.get("/admin/sources").text
    accepted = admin.post(
        f"/admin/suggestions/{waiting.id}/accept", data={"csrf": csrf}, follow_redirects=False
    )

    assert accepted.status_code == 303
    assert fake.latest()[0].argv[-3:] == ("sources", "add", "https://library.example.org/events")
    assert SuggestionStore(store.engine).waiting() == []


def test_suggestions_refuse_inside_addresses_and_are_rate_limited(admin: TestClient) -> None:
    inside = admin.post("/suggest", data={"address": "http://127.0.0.1:8000/admin"})
    assert inside.status_code == 422
    assert "private network" in inside.text

    codes = [
        admin.post("/suggest", data={"address": f"https://e{n}.example.org/"}).status_code
        for n in range(5)
    ]
    assert codes[:3] == [200, 200, 200]
    assert codes[3:] == [429, 429]


def test_held_events_are_approved_or_hidden_from_the_events_page(
    admin: TestClient, store: EventStore
) -> None:
    store.upsert_many([python_meetup(3), python_meetup(4)], now=NOW, hold=True)
    csrf = sign_in(admin)

    page = admin.get("/admin/events").text
    assert "Python meetup 3" in page and "Python meetup 4" in page
    listed = admin.get("/events").text
    assert "Python meetup 1" in listed and "Python meetup 3" not in listed

    admin.post(f"/admin/events/{python_meetup(3).id}/approve", data={"csrf": csrf})
    admin.post(f"/admin/events/{python_meetup(4).id}/hide", data={"csrf": csrf})

    assert store.get(event_id=python_meetup(3).id) is not None
    assert store.get(event_id=python_meetup(4).id) is None
    assert CurationStore(store.engine).held() == []


def test_the_operator_corrects_and_hides_a_shown_event(
    admin: TestClient, store: EventStore
) -> None:
    csrf = sign_in(admin)
    event_id = python_meetup(1).id
    found = admin.get("/admin/events?q=Python").text
    assert f"/admin/events/{event_id}" in found

    form = admin.get(f"/admin/events/{event_id}")
    admin.post(
        f"/admin/events/{event_id}/correct",
        data={"csrf": csrf, "kind": "workshop", "sector": "education"},
    )

    assert form.status_code == 200
    stored = store.get(event_id=event_id)
    assert stored is not None and (stored.kind, stored.sectors) == (Kind.WORKSHOP, ["education"])

    admin.post(f"/admin/events/{event_id}/hide", data={"csrf": csrf})
    assert [e.id for e in store.search(query=EventQuery())] == [python_meetup(2).id]
    listed = admin.get("/events").text
    assert event_id not in listed and python_meetup(2).id in listed
