"""Best first without a place stops reading early; the pages and totals stay the full ranking's."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from service import search as search_module
from service.model import Attendance, Event, Kind, Status, Venue, make_event_id
from service.ranking import Scorer, ScoreWeights
from service.search import SearchPage, SearchRequest, search
from service.store import EventStore
from tests.conftest import NOW


def random_events(count: int, seed: int = 7) -> list[Event]:
    rng = random.Random(seed)
    events = []
    for index in range(count):
        start = NOW + timedelta(hours=rng.choice(range(-30, 24 * 60, 6)))
        events.append(
            Event(
                id=make_event_id("best", str(index)),
                title=f"Event {index}",
                start=start,
                end=start + timedelta(hours=rng.choice((1, 2, 48))),
                source="best",
                kind=rng.choice(list(Kind)),
                sectors=rng.sample(["technology", "healthcare", "finance"], rng.randint(1, 2)),
                attendance=rng.choice(list(Attendance)),
                venue=Venue(city="Toronto", lat=43.65, lon=-79.38),
                is_free=rng.choice((True, False, None)),
                status=Status.CANCELLED if rng.random() < 0.05 else Status.SCHEDULED,
            )
        )
    return events


def full_ranking(store: EventStore, request: SearchRequest) -> SearchPage:
    """The same page from scoring every match."""
    cursor = search_module._decode_cursor(request.cursor, "score") if request.cursor else None
    now = cursor.now if cursor else NOW
    scorer = Scorer(ScoreWeights(), now=now, near=False, sectors=request.sectors)
    query = search_module._query(request, now)
    return search_module._ranked(store, request, query, scorer, cursor, now)


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"limit": 7},
        {"limit": 1},
        {"sectors": ("healthcare",), "limit": 5},
        {"kinds": (Kind.MEETUP, Kind.WORKSHOP), "limit": 4},
        {"free": True, "limit": 9},
        {"start": NOW + timedelta(days=20), "limit": 6},
    ],
)
def test_best_first_pages_match_the_full_ranking(store: EventStore, changes: dict) -> None:
    store.upsert_many(random_events(600), now=NOW)
    request = SearchRequest(**changes)
    pages = 0
    while True:
        page = search(store, request, now=NOW)
        assert page == full_ranking(store, request)
        pages += 1
        if page.next_cursor is None or pages > 40:
            break
        request = replace(request, cursor=page.next_cursor)
    assert pages > 1


def test_totals_follow_writes_and_time(store: EventStore) -> None:
    def upcoming(count: int, now: datetime) -> int:
        return sum(1 for event in random_events(count) if event.effective_end >= now)

    store.upsert_many(random_events(50), now=NOW)
    assert search(store, SearchRequest(), now=NOW).total == upcoming(50, NOW)
    store.upsert_many(random_events(60)[50:], now=NOW)
    assert search(store, SearchRequest(), now=NOW).total == upcoming(60, NOW)
    later = NOW + timedelta(days=3)
    expected = upcoming(60, later)
    assert search(store, SearchRequest(), now=later).total == expected
    assert search(store, SearchRequest(sort="date"), now=later).total == expected
