"""``/going``: a private "I'm going" list, its calendar with reminders, unmark and delete."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from service.model import Venue
from service.settings import Settings
from service.store import EventStore, SubscriptionStore
from tests.factories import NOW, make_event, make_subscription
from tests.support.ical import fetch_feed, parse_with_icaljs

BERLIN = Venue(name="Hall", city="Berlin", lat=52.52, lon=13.405)


@pytest.fixture
def client(settings: Settings, store: EventStore) -> Iterator[TestClient]:
    store.upsert_many(
        [
            make_event(n, days=n, venue=BERLIN, timezone="Europe/Berlin", organizer="Club")
            for n in (1, 2, 3)
        ],
        now=NOW,
    )
    with TestClient(create_app(settings, clock=lambda: NOW)) as test_client:
        yield test_client


def event_id(n: int) -> str:
    return make_event(n).id


def test_mark_going_without_a_token_starts_a_private_list(client: TestClient) -> None:
    response = client.post("/going", json={"event_id": event_id(1)})
    assert response.status_code == 201
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["referrer-policy"] == "no-referrer"
    body = response.json()
    token = body["token"]
    assert len(token) >= 40
    assert body["page_url"] == f"http://testserver/g/{token}"
    assert body["webcal_url"] == f"webcal://testserver/going/{token}.ics"
    assert [item["event"]["id"] for item in body["events"]] == [event_id(1)]


def test_mark_more_with_the_token_and_read_the_list(client: TestClient) -> None:
    token = client.post("/going", json={"event_id": event_id(2)}).json()["token"]
    client.post("/going", json={"event_id": event_id(1), "token": token})
    client.post("/going", json={"event_id": event_id(1), "token": token})
    listed = client.get(f"/going/{token}").json()
    assert [item["event"]["title"] for item in listed["events"]] == ["Event 1", "Event 2"]


def test_two_lists_never_see_each_other(client: TestClient) -> None:
    mine = client.post("/going", json={"event_id": event_id(1)}).json()["token"]
    theirs = client.post("/going", json={"event_id": event_id(2)}).json()["token"]
    assert mine != theirs
    assert [i["event"]["id"] for i in client.get(f"/going/{mine}").json()["events"]] == [
        event_id(1)
    ]
    event = client.get(f"/events/{event_id(1)}").json()
    assert not any("going" in key for key in event)


def test_unmark_and_delete_are_one_request_each(client: TestClient) -> None:
    token = client.post("/going", json={"event_id": event_id(1)}).json()["token"]
    client.post("/going", json={"event_id": event_id(2), "token": token})
    assert client.delete(f"/going/{token}/events/{event_id(1)}").status_code == 204
    assert [i["event"]["id"] for i in client.get(f"/going/{token}").json()["events"]] == [
        event_id(2)
    ]
    assert client.delete(f"/going/{token}").status_code == 204
    assert client.get(f"/going/{token}").status_code == 404
    assert client.get(f"/going/{token}.ics").status_code == 404


def test_unknown_token_or_event_is_404(client: TestClient) -> None:
    assert client.get(f"/going/{'x' * 43}").status_code == 404
    assert client.post("/going", json={"event_id": "nope"}).status_code == 404
    assert (
        client.post("/going", json={"event_id": event_id(1), "token": "y" * 43}).status_code == 404
    )
    assert (
        client.post("/going", json={"event_id": event_id(1), "token": "short"}).status_code == 422
    )


def test_a_subscriptions_token_marks_on_its_list(client: TestClient, store: EventStore) -> None:
    subscription = SubscriptionStore(store.engine).create(
        subscription=make_subscription(), confirm_code="c"
    )
    response = client.post("/going", json={"event_id": event_id(3), "token": subscription.token})
    assert response.status_code == 201
    assert response.json()["token"] == subscription.token
    listed = client.get(f"/going/{subscription.token}").json()
    assert [item["event"]["id"] for item in listed["events"]] == [event_id(3)]


def test_going_feed_has_a_reminder_and_a_follow_up_for_every_parser(client: TestClient) -> None:
    token = client.post("/going", json={"event_id": event_id(1)}).json()["token"]
    client.post("/going", json={"event_id": event_id(2), "token": token})
    response, calendar = fetch_feed(client, f"/going/{token}.ics")
    assert response.headers["cache-control"].startswith("private")
    assert response.headers["x-robots-tag"] == "noindex, nofollow"
    vevents = calendar.walk("VEVENT")
    main = [v for v in vevents if "followup" not in str(v["UID"])]
    follow_ups = [v for v in vevents if "followup" in str(v["UID"])]
    assert sorted(str(v["SUMMARY"]) for v in main) == ["Event 1", "Event 2"]
    assert len(follow_ups) == 2
    for vevent in main:
        alarms = vevent.walk("VALARM")
        assert len(alarms) == 1
        assert str(alarms[0]["ACTION"]) == "DISPLAY"
        assert alarms[0].decoded("TRIGGER").total_seconds() == -120 * 60
    rows = parse_with_icaljs(response.content)
    if rows is not None:
        assert len(rows) == 4
