"""The digest names the events a person marked "I'm going" in its follow-up, and brings the
events of the hosts they follow."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from feeds.digest import render_html, render_markdown, render_text, view
from service.digest.build import build_digest
from service.digest.compile import subscription_digest
from service.digest.compose import digest_links
from service.model import Kind, Venue
from service.search import SearchResult
from service.store import EventStore, GoingStore, HostStore, SubscriptionStore
from service.text.advice import (
    FOLLOW_UP_INTRO,
    FOLLOW_UP_INTRO_GOING,
    FOLLOW_UP_STEPS,
    GOING_LINK,
)
from tests.factories import berlin_meetup, make_subscription

MONDAY = datetime(2026, 12, 7, 7, 0, tzinfo=UTC)  # 08:00 in Berlin
MUNICH = Venue(name="Werk", city="Munich", country="Germany", lat=48.14, lon=11.58)


def test_follow_up_names_the_events_marked_going_with_the_advice() -> None:
    went = [
        berlin_meetup(1, day=3, title="Data breakfast", organizer="Data Club"),
        berlin_meetup(2, day=5, title="Founders night"),
    ]
    upcoming = berlin_meetup(3, day=9)
    digest = build_digest(
        [SearchResult(upcoming, 2.0, 0.8, [])],
        now=MONDAY,
        timezone="Europe/Berlin",
        place="Berlin",
        radius_km=25,
        went=[*went, upcoming],
    )
    assert [(f.title, f.going) for f in digest.follow_ups] == [
        ("Founders night", True),
        ("Data breakfast", True),
    ]
    assert digest.follow_ups[1].host == "Data Club"
    assert digest.follow_up_intro == FOLLOW_UP_INTRO_GOING
    assert digest.follow_up_steps == list(FOLLOW_UP_STEPS)
    text = render_text(digest)
    assert FOLLOW_UP_INTRO_GOING in text
    assert "Founders night" in text
    assert all(step in text for step in FOLLOW_UP_STEPS)
    assert FOLLOW_UP_INTRO_GOING in render_markdown(digest)
    assert view(digest)["follow_ups"][0]["going"] is True


def test_without_marks_the_follow_up_is_about_last_weeks_picks() -> None:
    digest = build_digest([], now=MONDAY, timezone="Europe/Berlin", place="Berlin", radius_km=25)
    assert digest.follow_ups == []
    assert digest.follow_up_intro == FOLLOW_UP_INTRO


def stored_subscription(store: EventStore):  # type: ignore[no-untyped-def]
    subscriptions = SubscriptionStore(store.engine)
    created = subscriptions.create(
        subscription=make_subscription(sectors=("technology",), free_times=()), confirm_code="c"
    )
    return subscriptions, created


def test_subscription_digest_brings_followed_hosts_events(store: EventStore) -> None:
    far = berlin_meetup(
        10,
        day=10,
        title="Bookbinding evening",
        organizer="Munich Binders",
        venue=MUNICH,
        kind=Kind.WORKSHOP,
        sectors=["design-and-arts"],
    )
    near = berlin_meetup(11, day=9, title="Python night", sectors=["technology"])
    store.upsert_many([far, near], now=MONDAY - timedelta(days=3))
    subscriptions, subscription = stored_subscription(store)

    before = subscription_digest(store, subscriptions, subscription, now=MONDAY)
    assert "Bookbinding evening" not in [item.event.title for item in before.items]

    HostStore(store.engine).follow(
        subscription_id=subscription.id, slug="munich-binders", now=MONDAY
    )
    after = subscription_digest(store, subscriptions, subscription, now=MONDAY)
    [item] = [item for item in after.items if item.event.title == "Bookbinding evening"]
    assert item.why[0] == "From a host you follow"
    assert item.distance_km is not None and item.distance_km > 400


def test_subscription_digest_follow_up_names_what_they_marked(store: EventStore) -> None:
    went = berlin_meetup(20, day=4, title="AI reading group", sectors=["technology"])
    skipped = berlin_meetup(21, day=5, title="Not marked", sectors=["technology"])
    store.upsert_many([went, skipped], now=MONDAY - timedelta(days=7))
    subscriptions, subscription = stored_subscription(store)
    going = GoingStore(store.engine)
    marks = going.find(token=subscription.token, now=MONDAY)
    assert marks is not None
    going.mark(going=marks, event_id=went.id, now=MONDAY - timedelta(days=4))

    digest = subscription_digest(store, subscriptions, subscription, now=MONDAY)

    assert [(f.title, f.going) for f in digest.follow_ups] == [("AI reading group", True)]
    assert digest.follow_up_intro == FOLLOW_UP_INTRO_GOING


def test_digest_email_links_the_subscribers_going_list() -> None:
    subscription = make_subscription(id=7)
    links = digest_links("https://meetscout.example", subscription)
    assert links.going == f"https://meetscout.example/g/{subscription.token}"
    digest = build_digest([], now=MONDAY, timezone="Europe/Berlin", place="Berlin", radius_km=25)
    assert f"{GOING_LINK}: {links.going}" in render_text(digest, links)
    assert f'href="{links.going}"' in render_html(digest, links)
