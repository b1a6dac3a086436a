"""``/hosts``: a host's JSON and feed, hosts near a place, following with a subscription."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from service.model import Kind, Status, Venue
from service.settings import Settings
from service.store import EventStore, SubscriptionStore
from tests.factories import NOW, make_event, make_subscription
from tests.support.ical import fetch_feed

TORONTO = Venue(name="Library", city="Toronto", country="CA", lat=43.65, lon=-79.38)


def host_events() -> list:
    return [
        make_event(
            "ai-1",
            title="AI reading group",
            days=2,
            source="a",
            organizer="TechTO",
            organizer_url="https://www.techto.ca/?utm_source=feed",
            url="https://techto.ca/events/ai?utm_campaign=x&id=1",
            kind=Kind.MEETUP,
            sectors=["technology"],
            venue=TORONTO,
            timezone="America/Toronto",
        ),
        make_event(
            "ai-2",
            title="Founders breakfast",
            days=9,
            source="b",
            organizer="Techto",
            kind=Kind.MEETUP,
            sectors=["technology", "sales-and-business"],
            venue=TORONTO,
            timezone="America/Toronto",
        ),
        make_event(
            "ai-0",
            title="Last month's demo night",
            days=-20,
            source="a",
            organizer="TechTO",
            kind=Kind.CONFERENCE,
            sectors=["technology"],
            venue=TORONTO,
        ),
        make_event(
            "gone",
            title="Cancelled talk",
            days=3,
            source="a",
            organizer="TechTO",
            venue=TORONTO,
            status=Status.CANCELLED,
        ),
        make_event("lib", title="Story time", days=1, organizer="Small Library", venue=TORONTO),
    ]


@pytest.fixture
def client(settings: Settings, store: EventStore) -> Iterator[TestClient]:
    store.upsert_many(host_events(), now=NOW)
    with TestClient(create_app(settings, clock=lambda: NOW)) as test_client:
        yield test_client


def test_get_event_names_its_host(client: TestClient) -> None:
    event = client.get(f"/events/{make_event('ai-2', source='b').id}").json()
    assert event["host"] == {
        "slug": "techto",
        "name": "Techto",
        "url": "http://testserver/hosts/techto",
        "page_url": "http://testserver/h/techto",
    }


def test_get_host_says_who_what_and_where_to_read(client: TestClient) -> None:
    response = client.get("/hosts/techto")
    assert response.status_code == 200
    host = response.json()
    assert host["name"] == "TechTO"
    assert host["website"] == "https://www.techto.ca/?utm_source=feed"
    assert host["read_about"] == [
        {"label": "Their website", "url": "https://www.techto.ca/"},
        {"label": "Their page for AI reading group", "url": "https://techto.ca/events/ai?id=1"},
    ]
    assert [title["title"] for title in host["upcoming"]] == [
        "AI reading group",
        "Founders breakfast",
    ]
    assert [event["title"] for event in host["recent"]] == ["Last month's demo night"]
    assert host["upcoming_total"] == 2
    assert host["sectors"][0] == {"key": "technology", "label": "Technology", "events": 3}
    assert {kind["key"]: kind["events"] for kind in host["kinds"]} == {
        "meetup": 2,
        "conference": 1,
    }
    assert host["feed_url"] == "http://testserver/hosts/techto.ics"
    assert host["webcal_url"] == "webcal://testserver/hosts/techto.ics"
    assert host["page_url"] == "http://testserver/h/techto"


def test_get_host_unknown_is_404(client: TestClient) -> None:
    assert client.get("/hosts/no-such-host").status_code == 404
    assert client.get("/hosts/Not_A_Slug").status_code == 422


def test_host_feed_holds_the_hosts_events_for_every_parser(client: TestClient) -> None:
    response, calendar = fetch_feed(client, "/hosts/techto.ics")
    titles = sorted(str(vevent["SUMMARY"]) for vevent in calendar.walk("VEVENT"))
    assert titles == ["AI reading group", "Cancelled talk", "Founders breakfast"]
    assert str(calendar["X-WR-CALNAME"]) == "TechTO · meetscout"
    again = client.get("/hosts/techto.ics", headers={"If-None-Match": response.headers["etag"]})
    assert again.status_code == 304


def test_list_hosts_near_a_place_busiest_first(client: TestClient) -> None:
    response = client.get("/hosts", params={"near": "Toronto"})
    assert response.status_code == 200
    page = response.json()
    assert [(item["slug"], item["upcoming"]) for item in page["items"]] == [
        ("techto", 2),
        ("small-library", 1),
    ]
    assert page["place"]["name"] == "Toronto"


def test_list_hosts_needs_a_known_place(client: TestClient) -> None:
    response = client.get("/hosts", params={"near": "Nowhereville Xyz"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "near"]
    assert client.get("/hosts").status_code == 422
    too_far = client.get("/hosts", params={"near": "Toronto", "radius_km": 100000})
    assert too_far.json()["detail"][0]["loc"] == ["query", "radius_km"]


def test_follow_and_unfollow_a_host(client: TestClient, store: EventStore) -> None:
    token = make_subscription().token
    SubscriptionStore(store.engine).create(subscription=make_subscription(), confirm_code="c")
    followed = client.post(f"/subscriptions/{token}/hosts", json={"host": "techto"})
    assert followed.status_code == 201
    assert [host["slug"] for host in followed.json()["hosts"]] == ["techto"]
    listed = client.get(f"/subscriptions/{token}/hosts").json()
    assert [host["name"] for host in listed["hosts"]] == ["TechTO"]
    assert client.delete(f"/subscriptions/{token}/hosts/techto").status_code == 204
    assert client.get(f"/subscriptions/{token}/hosts").json() == {"hosts": []}


def test_follow_refuses_unknown_subscription_or_host(client: TestClient, store: EventStore) -> None:
    SubscriptionStore(store.engine).create(subscription=make_subscription(), confirm_code="c")
    token = make_subscription().token
    unknown = "u" * 43
    assert (
        client.post(f"/subscriptions/{unknown}/hosts", json={"host": "techto"}).status_code == 404
    )
    assert client.post(f"/subscriptions/{token}/hosts", json={"host": "nobody"}).status_code == 404
    assert (
        client.post(f"/subscriptions/{token}/hosts", json={"host": "Bad Slug"}).status_code == 422
    )
