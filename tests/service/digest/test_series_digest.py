"""A weekly event in the digest: one date this week, and its rhythm from the dates ahead."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from feeds.digest import render_html, render_json, render_markdown, render_text
from service.digest.compile import compile_digest
from service.model import Venue
from service.search import Point, SearchRequest
from service.store import EventStore
from tests.factories import NOW, TORONTO, make_event

CAFE = Venue(name="Café Rustica", city="Toronto", lat=43.6532, lon=-79.3832)


def test_digest_names_the_rhythm_of_a_weekly_event(store: EventStore) -> None:
    first = datetime(2026, 12, 1, 7, 30, tzinfo=TORONTO)
    weekly = [
        make_event(
            f"breakfast-{week}",
            title="Networking Breakfast",
            start=first + timedelta(weeks=week),
            venue=CAFE,
            timezone="America/Toronto",
        )
        for week in range(5)
    ]
    once = make_event("talk", title="A talk", start=first + timedelta(days=1), venue=CAFE)
    store.upsert_many([*weekly, once], now=NOW)
    request = SearchRequest(near=Point(43.6532, -79.3832, "Toronto"), radius_km=25)

    digest = compile_digest(
        store,
        request,
        now=NOW,
        timezone="America/Toronto",
        place="Toronto",
        week_of=NOW + timedelta(days=3),
    )

    by_title = {item.event.title: item for item in digest.items}
    assert by_title["Networking Breakfast"].rhythm == "every Tuesday, 7:30 am"
    assert by_title["Networking Breakfast"].event.id == weekly[0].id
    assert by_title["A talk"].rhythm is None
    assert "Repeats: every Tuesday, 7:30 am" in render_text(digest)
    assert "**Repeats:** every Tuesday, 7:30 am" in render_markdown(digest)
    assert "<strong>Repeats:</strong> every Tuesday, 7:30 am" in render_html(digest)
    items = json.loads(render_json(digest))
    found = [item for item in _items(items) if item.get("title") == "Networking Breakfast"]
    assert found and found[0]["repeats"] == "every Tuesday, 7:30 am"


def _items(data: object) -> list[dict[str, object]]:
    """Every item object in the digest's JSON, wherever it sits."""
    found: list[dict[str, object]] = []
    if isinstance(data, dict):
        if "repeats" in data:
            found.append(data)
        for value in data.values():
            found.extend(_items(value))
    elif isinstance(data, list):
        for value in data:
            found.extend(_items(value))
    return found
