"""A host's profile: where to read about them is their own pages, without tracking."""

from __future__ import annotations

from service.hosts import clean_link, host_profile
from service.store import EventStore, HostStore
from tests.factories import NOW, make_event


def test_read_about_keeps_their_own_site_and_its_subdomains(store: EventStore) -> None:
    store.upsert_many(
        [
            make_event(
                1,
                organizer="Uni",
                organizer_url="https://www.uni.example/",
                url="https://law.uni.example/events/moot?utm_source=x",
            ),
            make_event(2, days=2, organizer="Uni", url="https://tickets.example.com/uni-gala"),
            make_event(3, days=3, organizer="Uni", url="https://uni.example/open-day#top"),
        ],
        now=NOW,
    )
    profile = host_profile(HostStore(store.engine), slug="uni", now=NOW)
    assert profile is not None
    assert [link.url for link in profile.read_about] == [
        "https://www.uni.example/",
        "https://law.uni.example/events/moot",
        "https://uni.example/open-day",
    ]


def test_clean_link_drops_tracking_and_refuses_other_schemes() -> None:
    assert (
        clean_link("https://a.example/p?id=3&fbclid=x&utm_medium=y") == "https://a.example/p?id=3"
    )
    assert clean_link("javascript:alert(1)") is None
    assert clean_link("mailto:a@b.example") is None
