"""``/feeds/events.ics`` options and window: cancelled policies, alarms, follow-ups, 422s.

Events are stored relative to the test clock; every feed is read by three
parsers (``fetch_feed``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from icalendar import Calendar

from service.app import create_app
from service.model import Kind, Status, Venue
from service.settings import Settings
from service.store import EventStore
from tests.factories import NOW, toronto_event
from tests.support.ical import fetch_feed

FEED = "/feeds/events.ics"


class Clock:
    """The app's clock, moved by tests."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


@pytest.fixture
def feed_client(settings: Settings, store: EventStore, clock: Clock) -> Iterator[TestClient]:
    with TestClient(create_app(settings, clock=clock)) as client:
        yield client


def summaries(calendar: Calendar) -> dict[str, str]:
    return {str(v["UID"]).split("@")[0]: str(v["SUMMARY"]) for v in calendar.walk("VEVENT")}


def x_text(calendar: Calendar, name: str) -> str:
    """An X- property as TEXT (RFC 5545 3.3.11): icalendar leaves unknown ones escaped."""
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m[1] in "nN" else m[1], str(calendar[name]))


def uids(calendar: Calendar) -> set[str]:
    return {str(vevent["UID"]) for vevent in calendar.walk("VEVENT")}


# Cancelled events


@pytest.fixture
def cancelled_pair(store: EventStore) -> tuple[str, str]:
    live = toronto_event("live", days=2)
    gone = toronto_event("gone", days=4, status=Status.CANCELLED)
    store.upsert_many([live, gone], now=NOW)
    return live.id, gone.id


def test_get_feed_cancelled_default_keeps_with_status(
    feed_client: TestClient, cancelled_pair: tuple[str, str]
) -> None:
    live, gone = cancelled_pair

    _, calendar = fetch_feed(feed_client, FEED)

    statuses = {str(v["UID"]).split("@")[0]: str(v["STATUS"]) for v in calendar.walk("VEVENT")}
    assert statuses == {live: "CONFIRMED", gone: "CANCELLED"}
    assert not summaries(calendar)[gone].startswith("Cancelled")


def test_get_feed_cancelled_keep(feed_client: TestClient, cancelled_pair: tuple[str, str]) -> None:
    _, gone = cancelled_pair

    _, calendar = fetch_feed(feed_client, FEED, params={"cancelled": "keep"})

    assert summaries(calendar)[gone] == "Toronto Health Tech Meetup gone"


def test_get_feed_cancelled_mark(feed_client: TestClient, cancelled_pair: tuple[str, str]) -> None:
    live, gone = cancelled_pair

    _, calendar = fetch_feed(feed_client, FEED, params={"cancelled": "mark"})

    assert summaries(calendar)[gone] == "Cancelled: Toronto Health Tech Meetup gone"
    assert summaries(calendar)[live] == "Toronto Health Tech Meetup live"
    (vevent,) = [v for v in calendar.walk("VEVENT") if str(v["UID"]).startswith(gone)]
    assert str(vevent["STATUS"]) == "CANCELLED"


def test_get_feed_cancelled_hide(feed_client: TestClient, cancelled_pair: tuple[str, str]) -> None:
    live, _ = cancelled_pair

    _, calendar = fetch_feed(feed_client, FEED, params={"cancelled": "hide"})

    assert set(summaries(calendar)) == {live}


def test_get_feed_cancelled_hide_does_not_count_against_the_limit(
    feed_client: TestClient, store: EventStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("service.api.routes.feeds.MAX_FEED_EVENTS", 2)
    store.upsert_many(
        [
            toronto_event("gone-1", days=1, status=Status.CANCELLED),
            toronto_event("gone-2", days=2, status=Status.CANCELLED),
            toronto_event("live-1", days=3),
            toronto_event("live-2", days=4),
        ],
        now=NOW,
    )

    _, calendar = fetch_feed(feed_client, FEED, params={"cancelled": "hide"})

    assert sorted(summaries(calendar).values()) == [
        "Toronto Health Tech Meetup live-1",
        "Toronto Health Tech Meetup live-2",
    ]


def test_get_feed_event_cancelled_later_keeps_uid_raises_sequence(
    feed_client: TestClient, store: EventStore
) -> None:
    event = toronto_event("to-cancel")
    store.upsert_many([event], now=NOW)
    _, before = fetch_feed(feed_client, FEED)
    store.upsert_many([event.with_changes(status=Status.CANCELLED)], now=NOW + timedelta(hours=1))

    _, after = fetch_feed(feed_client, FEED, params={"cancelled": "mark"})

    (old,), (new,) = before.walk("VEVENT"), after.walk("VEVENT")
    assert str(new["UID"]) == str(old["UID"])
    assert int(new["SEQUENCE"]) == int(old["SEQUENCE"]) + 1
    assert str(new["STATUS"]) == "CANCELLED"
    assert str(new["SUMMARY"]).startswith("Cancelled: ")


def test_get_feed_vanished_event_cancelled_by_snapshots_shows_cancelled(
    feed_client: TestClient, store: EventStore
) -> None:
    event = toronto_event("vanishes")
    store.upsert_many([event], now=NOW)
    window = {"start": NOW, "end": NOW + timedelta(days=30)}
    for hours in (1, 2):
        store.mark_missing(
            source="feed-test", seen_ids=set(), now=NOW + timedelta(hours=hours), **window
        )

    _, calendar = fetch_feed(feed_client, FEED)

    (vevent,) = calendar.walk("VEVENT")
    assert str(vevent["STATUS"]) == "CANCELLED"
    assert int(vevent["SEQUENCE"]) == 1


# Alarms and follow-ups


@pytest.mark.parametrize("minutes", [0, 30, 10080])
def test_get_feed_alarm_before_each_live_event(
    feed_client: TestClient, cancelled_pair: tuple[str, str], minutes: int
) -> None:
    live, gone = cancelled_pair

    _, calendar = fetch_feed(feed_client, FEED, params={"alarm": minutes})

    alarms = {
        str(v["UID"]).split("@")[0]: [a.decoded("TRIGGER") for a in v.walk("VALARM")]
        for v in calendar.walk("VEVENT")
    }
    assert alarms == {live: [-timedelta(minutes=minutes)], gone: []}


def test_get_feed_no_alarm_by_default(feed_client: TestClient, store: EventStore) -> None:
    store.upsert_many([toronto_event("plain")], now=NOW)

    _, calendar = fetch_feed(feed_client, FEED)

    assert calendar.walk("VALARM") == []


def test_get_feed_followup_next_morning_with_own_uid(
    feed_client: TestClient, store: EventStore
) -> None:
    event = toronto_event("followed")
    store.upsert_many([event], now=NOW)

    _, calendar = fetch_feed(feed_client, FEED, params={"followup": "1"})

    by_uid = {str(v["UID"]): v for v in calendar.walk("VEVENT")}
    assert set(by_uid) == {f"{event.id}@meetscout", f"{event.id}-followup@meetscout"}
    followup = by_uid[f"{event.id}-followup@meetscout"]
    assert str(followup["SUMMARY"]) == (f"Follow up with the people you met at {event.title}")
    assert "Who do you know that you think I should meet?" in str(followup["DESCRIPTION"])
    assert followup.decoded("DTSTART").date() == event.local_end().date() + timedelta(days=1)


def test_get_feed_followup_uids_stable_across_polls(
    feed_client: TestClient, store: EventStore, clock: Clock
) -> None:
    store.upsert_many([toronto_event("a"), toronto_event("b", days=5)], now=NOW)
    _, first = fetch_feed(feed_client, FEED, params={"followup": "1"})
    clock.now = NOW + timedelta(days=1)

    _, second = fetch_feed(feed_client, FEED, params={"followup": "1"})

    assert uids(first) == uids(second)
    assert len(uids(first)) == 4


# Validation


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"cancelled": "delete"}, "cancelled"),
        ({"cancelled": ""}, "cancelled"),
        ({"alarm": -1}, "alarm"),
        ({"alarm": 10081}, "alarm"),
        ({"alarm": "soon"}, "alarm"),
        ({"alarm": "1.5"}, "alarm"),
        ({"followup": "maybe"}, "followup"),
        ({"kind": "rave"}, "kind"),
        ({"start": "next tuesday"}, "start"),
        ({"end": "2026-02-30"}, "end"),
        ({"q": "x" * 201}, "q"),
        ({"start": "2026-12-10", "end": "2026-12-01"}, "end"),
    ],
)
def test_get_feed_bad_parameter_is_422_naming_it(
    feed_client: TestClient, params: dict[str, object], parameter: str
) -> None:
    response = feed_client.get(FEED, params=params)

    assert response.status_code == 422
    assert any(parameter in error["loc"] for error in response.json()["detail"])


# The window


def test_get_feed_window_last_week_to_horizon(feed_client: TestClient, store: EventStore) -> None:
    keys = {"nine-days-ago": -9, "six-days-ago": -6, "now": 0, "in-179": 179, "in-182": 182}
    store.upsert_many([toronto_event(key, days=days) for key, days in keys.items()], now=NOW)

    _, calendar = fetch_feed(feed_client, FEED)

    titles = {title.rsplit(" ", 1)[1] for title in summaries(calendar).values()}
    assert titles == {"six-days-ago", "now", "in-179"}


def test_get_feed_window_clamps_explicit_dates(feed_client: TestClient, store: EventStore) -> None:
    keys = {"nine-days-ago": -9, "six-days-ago": -6, "in-179": 179, "in-182": 182}
    store.upsert_many([toronto_event(key, days=days) for key, days in keys.items()], now=NOW)

    _, calendar = fetch_feed(feed_client, FEED, params={"start": "2020-01-01", "end": "2030-01-01"})

    titles = {title.rsplit(" ", 1)[1] for title in summaries(calendar).values()}
    assert titles == {"six-days-ago", "in-179"}


def test_get_feed_window_explicit_dates_narrow_it(
    feed_client: TestClient, store: EventStore
) -> None:
    store.upsert_many([toronto_event(f"d{days}", days=days) for days in (2, 10, 40)], now=NOW)

    _, calendar = fetch_feed(feed_client, FEED, params={"start": "2026-12-05", "end": "2026-12-31"})

    assert [title.rsplit(" ", 1)[1] for title in summaries(calendar).values()] == ["d10"]


def test_get_feed_horizon_from_settings(settings: Settings, store: EventStore) -> None:
    store.upsert_many([toronto_event("in-20", days=20), toronto_event("in-40", days=40)], now=NOW)
    settings.feed_horizon_days = 30

    with TestClient(create_app(settings, clock=lambda: NOW)) as client:
        _, calendar = fetch_feed(client, FEED)

    assert [title.rsplit(" ", 1)[1] for title in summaries(calendar).values()] == ["in-20"]


def test_get_feed_holds_the_soonest_thousand(feed_client: TestClient, store: EventStore) -> None:
    events = [
        toronto_event(f"e{index:04d}", days=1 + index * 0.1, hours=1) for index in range(1005)
    ]
    store.upsert_many(events, now=NOW)

    _, calendar = fetch_feed(feed_client, FEED)

    got = {str(vevent["UID"]).split("@")[0] for vevent in calendar.walk("VEVENT")}
    assert got == {event.id for event in events[:1000]}


def test_get_feed_window_moves_by_whole_days(
    feed_client: TestClient, store: EventStore, clock: Clock
) -> None:
    store.upsert_many([toronto_event("soon", days=1)], now=NOW - timedelta(days=3))
    first, _ = fetch_feed(feed_client, FEED)
    clock.now = NOW + timedelta(hours=11)
    same_day, _ = fetch_feed(feed_client, FEED)
    clock.now = NOW + timedelta(hours=13)

    next_day = feed_client.get(
        FEED,
        headers={
            "Accept-Encoding": "identity",
            "If-Modified-Since": first.headers["last-modified"],
        },
    )

    assert same_day.content == first.content
    assert same_day.headers["etag"] == first.headers["etag"]
    assert first.headers["last-modified"] == "Fri, 27 Nov 2026 00:00:00 GMT"
    assert next_day.status_code == 200
    assert next_day.headers["last-modified"] == "Sat, 28 Nov 2026 00:00:00 GMT"
    assert next_day.headers["etag"] == first.headers["etag"]


# The calendar's own properties


def test_get_feed_names_the_search_in_words(feed_client: TestClient, store: EventStore) -> None:
    store.upsert_many([toronto_event("python", kind=Kind.CONFERENCE, days=10)], now=NOW)

    _, calendar = fetch_feed(
        feed_client,
        FEED,
        params={"kind": ["meetup", "conference"], "q": "python", "start": "2026-12-01"},
    )

    name = "Meetups and conferences matching “python” from 1 Dec 2026"
    assert str(calendar["NAME"]) == str(calendar["X-WR-CALNAME"]) == name
    description = str(calendar["DESCRIPTION"])
    assert description == x_text(calendar, "X-WR-CALDESC")
    assert description.startswith(name)
    assert "7 days ago to 180 days ahead" in description


def test_get_feed_unfiltered_name(feed_client: TestClient) -> None:
    _, calendar = fetch_feed(feed_client, FEED)

    assert str(calendar["X-WR-CALNAME"]) == "All events on meetscout"


def test_get_feed_description_mentions_alarm_and_followup(feed_client: TestClient) -> None:
    _, calendar = fetch_feed(feed_client, FEED, params={"alarm": 90, "followup": "true"})

    description = x_text(calendar, "X-WR-CALDESC")
    assert "A reminder 90 minutes before each event." in description
    assert "A follow-up note the morning after each event." in description


def test_get_feed_refresh_interval_from_settings(settings: Settings, store: EventStore) -> None:
    settings.feed_refresh_hours = 2

    with TestClient(create_app(settings, clock=lambda: NOW)) as client:
        response, calendar = fetch_feed(client, FEED)

    assert calendar.decoded("REFRESH-INTERVAL") == timedelta(hours=2)
    assert calendar["REFRESH-INTERVAL"].params["VALUE"] == "DURATION"
    assert str(calendar["X-PUBLISHED-TTL"]) == "PT2H"
    assert response.headers["cache-control"] == "public, max-age=7200"


def test_get_feed_empty_search_is_a_valid_empty_calendar(feed_client: TestClient) -> None:
    _, calendar = fetch_feed(feed_client, FEED, params={"q": "nothing matches this"})

    assert calendar.walk("VEVENT") == []
    assert calendar.walk("VTIMEZONE") == []


def test_get_feed_dtstamp_is_each_events_last_change(
    feed_client: TestClient, store: EventStore
) -> None:
    written = datetime(2026, 11, 25, 8, 30, tzinfo=UTC)
    store.upsert_many([toronto_event("stamped")], now=written)

    _, calendar = fetch_feed(feed_client, FEED)

    (vevent,) = calendar.walk("VEVENT")
    assert vevent.decoded("DTSTAMP") == written
    assert vevent.decoded("LAST-MODIFIED") == written
    assert vevent.decoded("CREATED") == written


# Every filter of /events, the place included


@pytest.fixture
def two_cities(store: EventStore) -> tuple[str, str]:
    toronto = toronto_event("toronto", days=3)
    montreal = toronto_event(
        "montreal",
        days=4,
        sectors=["finance"],
        venue=Venue(name="Centre", city="Montreal", country="CA", lat=45.5017, lon=-73.5673),
    )
    store.upsert_many([toronto, montreal], now=NOW)
    return toronto.id, montreal.id


def test_get_feed_near_place_cuts_at_the_radius(
    feed_client: TestClient, two_cities: tuple[str, str]
) -> None:
    toronto, _ = two_cities

    _, calendar = fetch_feed(feed_client, FEED, params={"near": "Toronto", "radius_km": 25})

    assert set(summaries(calendar)) == {toronto}
    (vevent,) = calendar.walk("VEVENT")
    assert "km away" in str(vevent["DESCRIPTION"])
    assert str(calendar["X-WR-CALNAME"]).startswith("Events within 25 km of Toronto")


def test_get_feed_near_coordinates_cuts_at_the_radius(
    feed_client: TestClient, two_cities: tuple[str, str]
) -> None:
    _, montreal = two_cities

    _, calendar = fetch_feed(
        feed_client, FEED, params={"lat": 45.5, "lon": -73.57, "radius_km": 10}
    )

    assert set(summaries(calendar)) == {montreal}


def test_get_feed_near_place_304_when_unchanged(
    feed_client: TestClient, two_cities: tuple[str, str]
) -> None:
    params = {"near": "Toronto", "radius_km": 25}
    etag = feed_client.get(FEED, params=params).headers["etag"]

    response = feed_client.get(FEED, params=params, headers={"If-None-Match": etag})

    assert response.status_code == 304


def test_get_feed_sector_filter(feed_client: TestClient, two_cities: tuple[str, str]) -> None:
    _, montreal = two_cities

    _, calendar = fetch_feed(feed_client, FEED, params={"sector": "finance"})

    assert set(summaries(calendar)) == {montreal}
    assert str(calendar["X-WR-CALNAME"]) == "Events in finance"


def test_get_feed_unknown_place_is_422_naming_near(feed_client: TestClient) -> None:
    response = feed_client.get(FEED, params={"near": "Atlantis Under The Sea"})

    assert response.status_code == 422
    assert any("near" in error["loc"] for error in response.json()["detail"])


def test_get_feed_description_says_why_but_not_how_soon(
    feed_client: TestClient, store: EventStore
) -> None:
    store.upsert_many([toronto_event("soon", days=1)], now=NOW)

    _, calendar = fetch_feed(feed_client, FEED, params={"sector": "healthcare"})

    description = str(calendar.walk("VEVENT")[0]["DESCRIPTION"])
    assert "Why: " in description
    for relative in ("today", "tomorrow", "this week", "next week", " days"):
        assert relative not in description.split("Why: ")[1].split("\n")[0]


def test_get_feed_dates_outside_the_window_are_an_empty_calendar(
    feed_client: TestClient, store: EventStore
) -> None:
    store.upsert_many([toronto_event("old", days=-30)], now=NOW)

    _, calendar = fetch_feed(feed_client, FEED, params={"start": "2026-10-01", "end": "2026-10-31"})

    assert calendar.walk("VEVENT") == []
