"""A feed over time: changes reach subscribers under the same UID with a higher SEQUENCE.

Events go through the store's upsert (which keeps SEQUENCE and ``updated``)
and out through HTTP, as between two crawls; hostile source text goes the
same way and must never add a content line.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from icalendar import Calendar

from service.app import create_app
from service.model import Event, Venue
from service.settings import Settings
from service.store import EventStore
from tests.factories import HOSTILE, NOW, toronto_event
from tests.support.ical import begin_lines, fetch_feed, property_names

FEED = "/feeds/events.ics"
LATER = NOW + timedelta(hours=5)


@pytest.fixture
def feed_client(settings: Settings, store: EventStore) -> Iterator[TestClient]:
    with TestClient(create_app(settings, clock=lambda: NOW)) as client:
        yield client


def only(calendar: Calendar) -> Calendar:
    (vevent,) = calendar.walk("VEVENT")
    return vevent


@pytest.mark.parametrize("url", [FEED, "/events/{id}.ics"])
def test_get_feed_time_change_keeps_uid_raises_sequence(
    feed_client: TestClient, store: EventStore, url: str
) -> None:
    event = toronto_event("moved")
    store.upsert_many([event], now=NOW)
    before, old = fetch_feed(feed_client, url.format(id=event.id))
    moved = event.with_changes(
        start=event.start + timedelta(hours=1), end=event.effective_end + timedelta(hours=1)
    )
    store.upsert_many([moved], now=LATER)

    after, new = fetch_feed(feed_client, url.format(id=event.id))

    assert str(only(new)["UID"]) == str(only(old)["UID"]) == f"{event.id}@meetscout"
    assert int(only(new)["SEQUENCE"]) == int(only(old)["SEQUENCE"]) + 1
    assert only(new).decoded("DTSTART") == moved.start
    assert only(new).decoded("LAST-MODIFIED") == LATER
    assert only(new).decoded("DTSTAMP") == LATER
    assert after.headers["etag"] != before.headers["etag"]
    assert (
        feed_client.get(
            url.format(id=event.id), headers={"If-None-Match": before.headers["etag"]}
        ).status_code
        == 200
    )


@pytest.mark.parametrize(
    "changes",
    [
        {"title": "Toronto Health Tech Meetup, renamed"},
        {"venue": Venue(name="Elsewhere", city="Toronto", country="CA", lat=43.7, lon=-79.4)},
        {"all_day": True},
    ],
    ids=["title", "place", "all-day"],
)
def test_get_feed_schedule_change_raises_sequence(
    feed_client: TestClient, store: EventStore, changes: dict[str, object]
) -> None:
    event = toronto_event("changes")
    store.upsert_many([event], now=NOW)
    _, old = fetch_feed(feed_client, FEED)
    store.upsert_many([event.with_changes(**changes)], now=LATER)

    _, new = fetch_feed(feed_client, FEED)

    assert str(only(new)["UID"]) == str(only(old)["UID"])
    assert int(only(new)["SEQUENCE"]) == int(only(old)["SEQUENCE"]) + 1


def test_get_feed_description_change_keeps_sequence_moves_last_modified(
    feed_client: TestClient, store: EventStore
) -> None:
    event = toronto_event("described")
    store.upsert_many([event], now=NOW)
    before, old = fetch_feed(feed_client, FEED)
    store.upsert_many([event.with_changes(description="Now with a panel.")], now=LATER)

    after, new = fetch_feed(feed_client, FEED)

    assert int(only(new)["SEQUENCE"]) == int(only(old)["SEQUENCE"])
    assert only(new).decoded("LAST-MODIFIED") == LATER
    assert "Now with a panel." in str(only(new)["DESCRIPTION"])
    assert after.headers["etag"] != before.headers["etag"]


def test_get_feed_unchanged_recrawl_is_the_same_bytes_and_304(
    feed_client: TestClient, store: EventStore
) -> None:
    events = [toronto_event("a"), toronto_event("b", days=6)]
    store.upsert_many(events, now=NOW)
    before, _ = fetch_feed(feed_client, FEED)
    store.upsert_many(events, now=LATER)

    after, _ = fetch_feed(feed_client, FEED)
    conditional = feed_client.get(FEED, headers={"If-None-Match": before.headers["etag"]})

    assert after.content == before.content
    assert conditional.status_code == 304


def test_get_feed_new_event_changes_etag(feed_client: TestClient, store: EventStore) -> None:
    store.upsert_many([toronto_event("first")], now=NOW)
    before = feed_client.get(FEED).headers["etag"]
    store.upsert_many([toronto_event("second", days=8)], now=NOW)

    response = feed_client.get(FEED, headers={"If-None-Match": before})

    assert response.status_code == 200
    assert response.content.count(b"BEGIN:VEVENT") == 2


# Hostile source text through the whole HTTP path

STORABLE = {name: words for name, words in HOSTILE.items() if name != "lone-surrogate"}


def hostile_event(words: str) -> Event:
    """Every text field a source fills, set to ``words``; the id and times stay put."""
    return toronto_event(
        "hostile",
        title=words,
        description=words,
        venue=Venue(name=words, address=words, city=f"{words} city", lat=43.6, lon=-79.4),
        organizer=words,
        url=f"https://example.org/{words}",
        source_url=f"https://example.org/source/{words}",
        currency=words,
        price=5.0,
        categories=[words],
    )


@pytest.mark.parametrize("words", STORABLE.values(), ids=STORABLE.keys())
@pytest.mark.parametrize("url", [FEED, "/events/{id}.ics"])
def test_get_feed_hostile_text_adds_no_content_line(
    feed_client: TestClient, store: EventStore, words: str, url: str
) -> None:
    params = {"alarm": 30, "followup": "1"} if url == FEED else {}
    plain = hostile_event("Plain words")
    store.upsert_many([plain], now=NOW)
    plain_feed, _ = fetch_feed(feed_client, url.format(id=plain.id), params=params)
    store.upsert_many([hostile_event(words)], now=LATER)

    hostile_feed, calendar = fetch_feed(feed_client, url.format(id=plain.id), params=params)

    assert begin_lines(hostile_feed.content) == begin_lines(plain_feed.content)
    assert property_names(hostile_feed.content) == property_names(plain_feed.content)
    uids = {str(vevent["UID"]) for vevent in calendar.walk("VEVENT")}
    assert f"{plain.id}@meetscout" in uids
    assert all(re.fullmatch(rf"{plain.id}(-followup)?@meetscout", uid) for uid in uids)


def test_get_feed_hostile_search_words_stay_in_the_calendar_name(
    feed_client: TestClient, store: EventStore
) -> None:
    store.upsert_many([toronto_event("plain")], now=NOW)
    words = 'Mixer\r\nEND:VCALENDAR\r\nBEGIN:VEVENT;,\\ "x"'

    response, calendar = fetch_feed(feed_client, FEED, params={"q": words})

    assert begin_lines(response.content) == ["BEGIN:VCALENDAR", "END:VCALENDAR"]
    assert "END:VCALENDAR" in str(calendar["NAME"])
