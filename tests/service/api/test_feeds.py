"""``/feeds/events.ics``: the search as a calendar, parsed back by three parsers."""

from __future__ import annotations

import icalendar
from fastapi.testclient import TestClient

from tests.support.ical import check_feed

# The feed's window at the test clock (2026-11-27 12:00 UTC): whole UTC days
# from 7 days back to 180 days ahead.
WINDOW = {"start": "2026-11-20T00:00:00Z", "end": "2027-05-27T00:00:00Z", "repeats": "each"}
"""The list with every date of an event that repeats: the feed keeps them all."""


def parse(body: bytes) -> icalendar.Calendar:
    return check_feed(body)


def tzids(calendar: icalendar.Calendar) -> set[str]:
    used = set()
    for event in calendar.walk("VEVENT"):
        for name in ("DTSTART", "DTEND"):
            if name in event and "TZID" in event[name].params:
                used.add(event[name].params["TZID"])
    return used


def test_get_feed_is_a_valid_calendar(client: TestClient) -> None:
    response = client.get("/feeds/events.ics")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    calendar = parse(response.content)
    assert calendar["VERSION"] == "2.0"
    assert "PRODID" in calendar
    assert calendar["METHOD"] == "PUBLISH"


def test_get_feed_has_a_vtimezone_for_every_tzid(client: TestClient) -> None:
    calendar = parse(client.get("/feeds/events.ics").content)
    declared = {str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")}
    used = tzids(calendar)
    assert used
    assert used <= declared


def test_get_feed_holds_as_many_events_as_the_search(client: TestClient) -> None:
    for params in (
        {},
        {"kind": "conference"},
        {"q": "cdm"},
        {"start": "2027-01-01", "end": "2027-02-01"},
    ):
        total = client.get("/events", params={**WINDOW, **params}).json()["total"]
        calendar = parse(client.get("/feeds/events.ics", params=params).content)
        assert len(calendar.walk("VEVENT")) == total, params


def test_get_feed_uids_are_event_ids(client: TestClient) -> None:
    ids = set()
    cursor = None
    while True:
        params = {**WINDOW, "limit": 200}
        page = client.get(
            "/events", params={**params, "cursor": cursor} if cursor else params
        ).json()
        ids.update(item["id"] for item in page["items"])
        cursor = page["next_cursor"]
        if not cursor:
            break
    calendar = parse(client.get("/feeds/events.ics").content)
    uids = {str(event["UID"]).split("@")[0] for event in calendar.walk("VEVENT")}
    assert uids == ids


def test_get_feed_bad_filter_is_422(client: TestClient) -> None:
    response = client.get("/feeds/events.ics", params={"kind": "nope"})
    assert response.status_code == 422
