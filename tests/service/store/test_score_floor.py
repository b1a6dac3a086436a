"""A least score checked in the index: the rows it turns away could not have reached it."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest

from service.model import Attendance, Kind, Venue
from service.places.distance import RadiusCut, bounding_boxes, least_km_per_degree
from service.store import EventQuery, EventStore
from service.store.nearby import Floor, candidates
from tests.factories import NOW, make_event

CENTRE = (43.65, -79.38)
RADIUS_KM = 30.0
KINDS = {"meetup": 2.0, "book_signing": 2.0, "career_fair": 2.0, "conference": 1.5}
KINDS |= {"workshop": 1.0, "other": 0.3}
MODES = {"in_person": 1.0, "mixed": 0.75, "online": 0.2}
PRICES: dict[bool | None, float] = {True: 0.5, None: 0.25, False: 0.0}


def scattered(count: int) -> list:
    rng = random.Random(5)
    return [
        make_event(
            index,
            start=NOW + timedelta(hours=rng.randint(1, 24 * 30)),
            kind=rng.choice(list(Kind)),
            attendance=rng.choice([Attendance.IN_PERSON, Attendance.MIXED]),
            is_free=rng.choice((True, False, None)),
            sectors=rng.choice([[], ["technology"], ["healthcare", "technology"], ["legal"]]),
            venue=Venue(
                lat=CENTRE[0] + rng.uniform(-1, 1) * RADIUS_KM / 111,
                lon=CENTRE[1] + rng.uniform(-1, 1) * RADIUS_KM / 80,
            ),
        )
        for index in range(count)
    ]


def floor_of(need: float) -> Floor:
    scales = least_km_per_degree(*CENTRE, RADIUS_KM)
    assert scales is not None
    return Floor(
        lat=CENTRE[0],
        lon=CENTRE[1],
        lat_km=scales[0],
        lon_km=scales[1],
        half_km=10.0,
        need=need,
        proximity=3.0,
        kinds=KINDS,
        attendance=MODES,
        prices=PRICES,
    )


@pytest.mark.parametrize("sectors", [(), ("technology",)])
@pytest.mark.parametrize("need", [1.0, 4.5, 5.5])
def test_a_floor_turns_away_only_rows_that_cannot_reach_it(
    store: EventStore, need: float, sectors: tuple[str, ...]
) -> None:
    """With one sector, on SQLite, the rows come from that sector's (migration 0019)."""
    events = scattered(600)
    store.upsert_many(events, now=NOW)
    query = EventQuery(start=NOW, sectors=sectors)
    boxes = bounding_boxes(*CENTRE, RADIUS_KM)
    every = candidates(store, query=query, boxes=boxes).located
    kept = {
        row[0] for row in candidates(store, query=query, boxes=boxes, floor=floor_of(need)).located
    }
    cut = RadiusCut(*CENTRE, RADIUS_KM).distance
    by_id = {event.id: event for event in events}

    turned_away = [row for row in every if row[0] not in kept]
    for row in turned_away:
        event = by_id[row[0]]
        distance = cut(row[1], row[2])
        if distance is None:
            continue  # outside the radius: ranking cuts it anyway
        reached = 3.0 * 0.5 ** (distance / 10.0) + KINDS[event.kind.value]
        reached += MODES[event.attendance.value] + PRICES[event.is_free]
        assert reached < need, event
    assert kept <= {row[0] for row in every}
    assert all(set(sectors) <= set(by_id[row[0]].sectors) for row in every)
    if need <= 1.0:
        assert not turned_away  # every row reaches it at any distance
    else:
        assert turned_away and kept
