"""Hosts merged across sources by website or name; follows; private "I'm going" lists."""

from __future__ import annotations

from datetime import timedelta

from service.model import Status, Venue
from service.store import EventStore, GoingStore, HostStore, SubscriptionStore
from service.store.host_records import name_key, site_key, slug_of
from tests.factories import NOW, make_event, make_subscription

TORONTO = Venue(city="Toronto", lat=43.65, lon=-79.38)
HAMILTON = Venue(city="Hamilton", lat=43.26, lon=-79.87)


def test_site_key_folds_www_and_keeps_a_platforms_group() -> None:
    assert site_key("https://www.TechTO.ca/about") == "techto.ca"
    assert site_key("https://www.meetup.com/Toronto-AI/events/") == "meetup.com/toronto-ai"
    assert (
        site_key("https://www.eventbrite.co.uk/o/queer-lit-48062")
        == "eventbrite.co.uk/queer-lit-48062"
    )
    assert site_key("https://www.meetup.com/") is None
    assert site_key("mailto:a@example.org") is None


def test_name_key_folds_case_punctuation_accents_and_the() -> None:
    assert name_key("The Coach House Books") == name_key("coach house books.")
    assert name_key("Café Réunion") == "cafe reunion"
    assert slug_of("Queer Lit & Social Refuge") == "queer-lit-and-social-refuge"


def test_same_name_from_two_sources_is_one_host_and_gets_the_website(store: EventStore) -> None:
    store.upsert_many([make_event(1, source="a", organizer="TechTO")], now=NOW)
    store.upsert_many(
        [make_event(2, source="b", organizer="techto", organizer_url="https://techto.ca/")],
        now=NOW,
    )
    first, second = (
        store.get(event_id=make_event(n, source=s).id) for n, s in ((1, "a"), (2, "b"))
    )
    assert first is not None and second is not None
    assert first.host == second.host == "techto"
    host = HostStore(store.engine).get(slug="techto")
    assert host is not None
    assert host.name == "TechTO"
    assert host.website == "https://techto.ca/"


def test_same_website_under_two_names_is_one_host(store: EventStore) -> None:
    store.upsert_many(
        [
            make_event(1, organizer="Toronto Public Library", organizer_url="https://www.tpl.ca/"),
            make_event(2, organizer="TPL Young Adults", organizer_url="https://tpl.ca/teens"),
        ],
        now=NOW,
    )
    hosts = {store.get(event_id=make_event(n).id).host for n in (1, 2)}  # type: ignore[union-attr]
    assert hosts == {"toronto-public-library"}


def test_same_name_with_two_different_websites_is_two_hosts(store: EventStore) -> None:
    store.upsert_many(
        [
            make_event(1, organizer="Rotary Club", organizer_url="https://rotary-a.example.org/"),
            make_event(2, organizer="Rotary Club", organizer_url="https://rotary-b.example.org/"),
        ],
        now=NOW,
    )
    hosts = [store.get(event_id=make_event(n).id).host for n in (1, 2)]  # type: ignore[union-attr]
    assert hosts == ["rotary-club", "rotary-club-2"]


def test_event_without_organizer_has_no_host(store: EventStore) -> None:
    store.upsert_many([make_event(1)], now=NOW)
    event = store.get(event_id=make_event(1).id)
    assert event is not None
    assert event.host is None
    assert HostStore(store.engine).count() == 0


def test_a_host_merge_changes_no_events_sequence(store: EventStore) -> None:
    store.upsert_many([make_event(1, organizer="TechTO")], now=NOW)
    store.upsert_many(
        [make_event(2, source="b", organizer="TechTO", organizer_url="https://techto.ca/")],
        now=NOW,
    )
    result = store.upsert_many([make_event(1, organizer="TechTO")], now=NOW + timedelta(hours=1))
    assert result.unchanged == 1


def test_host_events_upcoming_and_recent(store: EventStore) -> None:
    store.upsert_many([make_event(n, days=n, organizer="TechTO") for n in (-3, -1, 2, 5)], now=NOW)
    hosts = HostStore(store.engine)
    upcoming = hosts.events(slugs=["techto"], start=NOW)
    recent = hosts.events(slugs=["techto"], end=NOW, newest_first=True)
    assert [event.title for event in upcoming] == ["Event 2", "Event 5"]
    assert [event.title for event in recent] == ["Event -1", "Event -3"]


def test_active_hosts_near_a_place_busiest_first(store: EventStore) -> None:
    store.upsert_many(
        [
            make_event(1, organizer="Small Club", venue=TORONTO),
            make_event(2, organizer="Busy Club", venue=TORONTO),
            make_event(3, organizer="Busy Club", venue=TORONTO, days=2),
            make_event(4, organizer="Far Club", venue=HAMILTON),
            make_event(5, organizer="Past Club", venue=TORONTO, days=-2),
            make_event(6, organizer="Gone Club", venue=TORONTO, status=Status.CANCELLED),
        ],
        now=NOW,
    )
    active = HostStore(store.engine).active_near(lat=43.65, lon=-79.38, radius_km=25, now=NOW)
    assert [(found.host.name, found.upcoming) for found in active] == [
        ("Busy Club", 2),
        ("Small Club", 1),
    ]


def test_follow_unfollow_and_forget_with_the_subscription(store: EventStore) -> None:
    store.upsert_many([make_event(1, organizer="TechTO")], now=NOW)
    subscriptions = SubscriptionStore(store.engine)
    subscription = subscriptions.create(subscription=make_subscription(), confirm_code="c")
    hosts = HostStore(store.engine)
    assert hosts.follow(subscription_id=subscription.id, slug="techto", now=NOW)
    assert not hosts.follow(subscription_id=subscription.id, slug="techto", now=NOW)
    assert [host.slug for host in hosts.followed(subscription_id=subscription.id)] == ["techto"]
    assert hosts.unfollow(subscription_id=subscription.id, slug="techto")
    assert hosts.followed(subscription_id=subscription.id) == []
    hosts.follow(subscription_id=subscription.id, slug="techto", now=NOW)
    going = GoingStore(store.engine)
    marked = going.find(token=subscription.token, now=NOW)
    assert marked is not None
    going.mark(going=marked, event_id=make_event(1).id, now=NOW)

    subscriptions.delete(token=subscription.token)

    assert hosts.followed(subscription_id=subscription.id) == []
    assert going.find(token=marked.token, now=NOW) is None
    assert going.marks(going=marked) == []


def test_going_list_marks_unmarks_and_deletes(store: EventStore) -> None:
    going = GoingStore(store.engine)
    mine = going.create(now=NOW)
    other = going.create(now=NOW)
    assert len(mine.token) >= 40 and mine.token != other.token
    assert going.mark(going=mine, event_id="a", now=NOW)
    assert not going.mark(going=mine, event_id="a", now=NOW)
    going.mark(going=mine, event_id="b", now=NOW + timedelta(minutes=1))
    going.mark(going=other, event_id="a", now=NOW)
    assert [mark.event_id for mark in going.marks(going=mine)] == ["b", "a"]
    assert going.unmark(going=mine, event_id="b")
    assert [mark.event_id for mark in going.marks(going=mine)] == ["a"]
    going.delete(going=mine)
    assert going.find(token=mine.token, now=NOW) is None
    assert [mark.event_id for mark in going.marks(going=other)] == ["a"]


def test_a_subscription_token_opens_one_list_for_good(store: EventStore) -> None:
    subscription = SubscriptionStore(store.engine).create(
        subscription=make_subscription(), confirm_code="c"
    )
    going = GoingStore(store.engine)
    first = going.find(token=subscription.token, now=NOW)
    again = going.find(token=subscription.token, now=NOW)
    assert first is not None and again is not None
    assert first.id == again.id
    assert first.subscription_id == subscription.id
    assert first.token != subscription.token
    assert going.find(token="not-a-token", now=NOW) is None
