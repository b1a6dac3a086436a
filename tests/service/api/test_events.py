"""``/events`` and ``/healthz`` read like HTTP transcripts."""

from __future__ import annotations

from datetime import datetime

import pytest
from fastapi.testclient import TestClient

from service.model import Venue
from service.search import plan
from service.store import EventStore
from tests.factories import NOW, make_event


def test_get_healthz_ok(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response.json()["events"] > 500


def test_healthz_counts_once_while_the_store_is_unchanged(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    store: EventStore = client.app.state.store  # type: ignore[attr-defined]
    counted = []
    count = store.count
    monkeypatch.setattr(store, "count", lambda **kw: counted.append(kw) or count(**kw))

    first = client.get("/healthz").json()["events"]
    second = client.get("/healthz").json()["events"]
    store.upsert_many([make_event(title="Nurses' networking breakfast")], now=NOW)
    third = client.get("/healthz").json()["events"]

    assert second == first
    assert third == first + 1
    assert len(counted) == 2


def test_list_events_upcoming_only_soonest_first(client: TestClient) -> None:
    body = client.get("/events", params={"limit": 200, "sort": "date", "repeats": "each"}).json()
    starts = [datetime.fromisoformat(item["start"]) for item in body["items"]]
    ends = [datetime.fromisoformat(item["end"]) for item in body["items"]]
    assert len(body["items"]) == 200
    assert starts == sorted(starts)
    assert all(end >= NOW for end in ends)
    assert body["total"] > 200


def test_list_events_has_the_design_fields(client: TestClient) -> None:
    item = client.get("/events", params={"kind": "conference", "limit": 1}).json()["items"][0]
    for name in (
        "id",
        "title",
        "kind",
        "sectors",
        "start",
        "end",
        "timezone",
        "all_day",
        "attendance",
        "venue",
        "url",
        "organizer",
        "description",
        "price",
        "is_free",
        "status",
        "source",
        "source_url",
        "first_seen",
        "last_seen",
        "updated",
    ):
        assert name in item
    assert set(item["venue"]) == {"name", "address", "city", "region", "country", "lat", "lon"}
    assert item["kind"] == "conference"
    assert item["all_day"] is True


def test_list_events_start_carries_the_local_offset(client: TestClient) -> None:
    body = client.get("/events", params={"q": "KDB", "limit": 1}).json()
    item = body["items"][0]
    assert item["timezone"] == "America/New_York"
    assert item["start"].endswith("-05:00")
    assert item["start"][11:16] == "09:30"


def test_list_events_filters_kind_and_window(client: TestClient) -> None:
    body = client.get(
        "/events",
        params={"kind": "conference", "start": "2026-12-01", "end": "2026-12-31"},
    ).json()
    assert body["items"]
    for item in body["items"]:
        assert item["kind"] == "conference"
        assert item["start"][:10] <= "2026-12-31"
        assert item["end"][:10] >= "2026-12-01"


def test_list_events_q_matches_title(client: TestClient) -> None:
    body = client.get("/events", params={"q": "fdc3 standard"}).json()
    assert body["total"] > 0
    assert all("FDC3 Standard" in item["title"] for item in body["items"])


@pytest.mark.parametrize(
    ("typed", "word"), [("universit", "university"), ("communit", "community")]
)
def test_list_events_q_cut_past_the_stem_finds_the_word(
    client: TestClient, typed: str, word: str
) -> None:
    store: EventStore = client.app.state.store  # type: ignore[attr-defined]
    store.upsert_many([make_event(title=f"{word.title()} networking night")], now=NOW)

    whole = client.get("/events", params={"q": word, "limit": 100}).json()
    cut = client.get("/events", params={"q": typed, "limit": 100}).json()

    assert f"{word.title()} networking night" in [item["title"] for item in cut["items"]]
    assert {item["id"] for item in whole["items"]} <= {item["id"] for item in cut["items"]}


def test_list_events_cursor_walks_all_pages(client: TestClient) -> None:
    params = {"kind": "conference", "limit": 7}
    first = client.get("/events", params=params).json()
    seen = [item["id"] for item in first["items"]]
    cursor = first["next_cursor"]
    while cursor:
        page = client.get("/events", params={**params, "cursor": cursor}).json()
        seen.extend(item["id"] for item in page["items"])
        cursor = page["next_cursor"]
    assert len(seen) == len(set(seen)) == first["total"]


def test_list_events_links_to_the_same_search_as_a_feed(client: TestClient) -> None:
    body = client.get("/events", params={"kind": "meetup", "q": "cdm"}).json()
    assert body["feed_url"] == "http://testserver/feeds/events.ics?kind=meetup&q=cdm"
    assert body["webcal_url"] == "webcal://testserver/feeds/events.ics?kind=meetup&q=cdm"


def test_get_event_by_id(client: TestClient) -> None:
    item = client.get("/events", params={"limit": 1}).json()["items"][0]
    response = client.get(f"/events/{item['id']}")
    assert response.status_code == 200
    search_only = {"distance_km", "score", "why", "series"}
    assert response.json() == {key: value for key, value in item.items() if key not in search_only}


def test_get_event_unknown_is_404(client: TestClient) -> None:
    assert client.get("/events/doesnotexist").status_code == 404


def test_get_event_ics(client: TestClient) -> None:
    item = client.get("/events", params={"limit": 1}).json()["items"][0]
    response = client.get(f"/events/{item['id']}.ics")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    assert f"UID:{item['id']}".encode() in response.content


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"start": "next tuesday"}, "start"),
        ({"end": "2026-02-30"}, "end"),
        ({"kind": "rave"}, "kind"),
        ({"limit": 0}, "limit"),
        ({"limit": 201}, "limit"),
        ({"q": "x" * 201}, "q"),
        ({"cursor": "!!!"}, "cursor"),
        ({"start": "2026-12-10", "end": "2026-12-01"}, "end"),
    ],
)
def test_list_events_bad_parameter_is_422_naming_it(
    client: TestClient, params: dict[str, object], parameter: str
) -> None:
    response = client.get("/events", params=params)
    assert response.status_code == 422
    assert any(parameter in error["loc"] for error in response.json()["detail"])


def test_list_events_shows_a_series_once_and_the_feed_keeps_every_date(
    client: TestClient,
) -> None:
    once = client.get("/events", params={"q": "KDB Project call", "limit": 50}).json()
    each = client.get(
        "/events", params={"q": "KDB Project call", "limit": 50, "repeats": "each"}
    ).json()
    feed = client.get("/feeds/events.ics", params={"q": "KDB Project call"}).text

    assert once["total"] == len(once["items"]) < each["total"]
    for item in once["items"]:
        assert item["series"]["rhythm"].endswith(", 9:30 am")
        assert item["series"]["next"] == item["start"]
    starts = sorted(
        datetime.fromisoformat(start)
        for item in once["items"]
        for start in item["series"]["starts"]
    )
    assert starts == sorted(datetime.fromisoformat(other["start"]) for other in each["items"])
    assert all(other["series"] is None for other in each["items"])
    window = {"start": "2026-11-20T00:00:00Z", "end": "2027-05-27T00:00:00Z"}
    in_window = client.get(
        "/events", params={"q": "KDB Project call", "repeats": "each", **window}
    ).json()
    assert feed.count("BEGIN:VEVENT") == in_window["total"] > len(once["items"])


def test_list_events_repeats_takes_once_or_each(client: TestClient) -> None:
    response = client.get("/events", params={"repeats": "sometimes"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "repeats"]


def test_a_search_with_many_matches_says_its_total_is_a_lower_bound(
    client: TestClient, seeded: EventStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Counting every match near a place is left out when there are many: the answer says
    "at least", in the JSON and on the page."""
    hall = Venue(name="Hall", city="Toronto", lat=43.6532, lon=-79.3832)
    seeded.upsert_many(
        [make_event(f"t{n}", title=f"Talk {n}", venue=hall, days=1 + n / 3) for n in range(30)],
        now=NOW,
    )
    params = {"near": "Toronto", "radius_km": 50, "limit": 2, "repeats": "each"}
    whole = client.get("/events", params=params).json()
    monkeypatch.setattr(plan, "READ_ALL_BELOW", 0)
    bounded = client.get("/events", params={**params, "radius_km": 49}).json()

    assert whole["total_exact"] is True
    assert whole["total"] > 2
    assert bounded["total_exact"] is False
    assert 2 <= bounded["total"] <= whole["total"]
    assert [item["id"] for item in bounded["items"]] == [item["id"] for item in whole["items"]]
    page = client.get("/", params={**params, "radius_km": 48}).text
    assert "At least " in page
