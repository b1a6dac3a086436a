"""The one search: real located events, checked against the geodesic, in the order asked."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from service.model import Attendance, Event, Kind, Status, Venue
from service.places.distance import exact_km, fast_error_bound
from service.search import (
    Point,
    SearchError,
    SearchPage,
    SearchRequest,
    point_of,
    resolve_place,
    search,
)
from service.store import EventQuery, EventStore
from tests.factories import NOW, make_event, toronto_event
from tests.support.saved import located_events
from tests.support.templates import Templates

YEAR_START = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture
def located(store: EventStore, templates: Templates) -> EventStore:
    templates.seed(store, "located", located_events)
    return store


def everything(store: EventStore) -> list[Event]:
    return store.search(query=EventQuery())


def walk(store: EventStore, request: SearchRequest) -> list[tuple[Event, float | None, float]]:
    """Every result of a search, page by page."""
    found: list[tuple[Event, float | None, float]] = []
    cursor = None
    while True:
        page = search(store, SearchRequest(**{**request.__dict__, "cursor": cursor}), now=NOW)
        found.extend((item.event, item.distance_km, item.score) for item in page.items)
        cursor = page.next_cursor
        if cursor is None:
            return found


def inside(store: EventStore, point: Point, radius_km: float, start: datetime) -> set[str]:
    return {
        event.id
        for event in everything(store)
        if event.venue.lat is not None
        and event.venue.lon is not None
        and event.effective_end >= start
        and exact_km(point.lat, point.lon, event.venue.lat, event.venue.lon) <= radius_km
    }


PLACES = [
    ("San Jose, CA", 25),
    ("San Jose, CA", 80),
    ("Amsterdam", 25),
    ("Amsterdam", 50),
    ("Berlin", 25),
    ("Berlin", 120),
    ("Cottbus", 2),
    ("Frankfurt", 100),
    ("London", 500),
]


@pytest.mark.parametrize(("place", "radius_km"), PLACES)
@pytest.mark.parametrize("sort", ["score", "date", "distance"])
def test_search_near_a_city_returns_exactly_the_events_inside_the_radius(
    located: EventStore, place: str, radius_km: float, sort: str
) -> None:
    point = point_of(resolve_place(place))
    request = SearchRequest(
        near=point,
        radius_km=radius_km,
        start=YEAR_START,
        sort=sort,
        limit=7,  # type: ignore[arg-type]
    )

    results = walk(located, request)

    expected = inside(located, point, radius_km, YEAR_START)
    assert expected
    assert [event.id for event, _, _ in results] == list(dict.fromkeys(e.id for e, _, _ in results))
    assert {event.id for event, _, _ in results} == expected
    assert search(located, request, now=NOW).total == len(expected)
    for event, distance, _ in results:
        geodesic = exact_km(point.lat, point.lon, event.venue.lat, event.venue.lon)  # type: ignore[arg-type]
        assert distance == pytest.approx(geodesic, rel=fast_error_bound(geodesic, point.lat))
        assert distance <= radius_km
    if sort == "distance":
        distances = [distance for _, distance, _ in results]
        assert distances == sorted(distances)  # type: ignore[type-var]
    elif sort == "date":
        starts = [event.start for event, _, _ in results]
        assert starts == sorted(starts)
    else:
        keys = [(-score, event.start) for event, _, score in results]
        assert keys == sorted(keys)


def test_search_results_carry_their_reasons(located: EventStore) -> None:
    point = point_of(resolve_place("Cottbus"))

    page = search(located, SearchRequest(near=point, radius_km=5, limit=50), now=NOW)

    assert page.items
    for item in page.items:
        assert item.why[0].endswith("away") or item.why[0].startswith("in Cottbus")
        assert len(item.why) >= 3
        assert 0 <= item.score <= 1


def test_search_default_is_upcoming_only(located: EventStore) -> None:
    page = search(located, SearchRequest(limit=1000), now=NOW)

    assert page.items
    assert all(item.event.effective_end >= NOW for item in page.items)
    assert page.total == len(page.items)


def test_search_in_person_includes_hybrid_and_online_brings_in_online_events(
    located: EventStore,
) -> None:
    berlin = point_of(resolve_place("Berlin"))
    base = SearchRequest(near=berlin, radius_km=50, start=YEAR_START, limit=1000)

    in_person = search(
        located, SearchRequest(**{**base.__dict__, "attendance": (Attendance.IN_PERSON,)}), now=NOW
    )
    online = search(
        located, SearchRequest(**{**base.__dict__, "attendance": (Attendance.ONLINE,)}), now=NOW
    )

    assert {item.event.attendance for item in in_person.items} == {
        Attendance.IN_PERSON,
        Attendance.MIXED,
    }
    remote = [item for item in online.items if item.event.attendance is Attendance.ONLINE]
    assert remote
    assert all(item.distance_km is None for item in remote)
    assert all(item.event.attendance is not Attendance.IN_PERSON for item in online.items)
    every_online = [e for e in everything(located) if e.attendance is Attendance.ONLINE]
    assert len(remote) == len([e for e in every_online if e.effective_end >= YEAR_START])


def test_search_without_online_leaves_online_events_out_of_a_place(located: EventStore) -> None:
    berlin = point_of(resolve_place("Berlin"))

    page = search(located, SearchRequest(near=berlin, start=YEAR_START, limit=1000), now=NOW)

    assert all(item.distance_km is not None for item in page.items)


def test_search_filters_by_sector_kind_price_and_words(located: EventStore) -> None:
    workshop = newcomer(1)
    workshop.kind, workshop.is_free, workshop.title = Kind.WORKSHOP, True, "Soldering workshop"
    paid = newcomer(2)
    paid.is_free = False
    located.upsert_many([workshop, paid], now=NOW)
    cottbus = point_of(resolve_place("Cottbus"))
    for request, check in [
        (SearchRequest(sectors=("technology",)), lambda e: "technology" in e.sectors),
        (SearchRequest(sectors=("finance", "science-and-research")), lambda e: e.sectors),
        (SearchRequest(kinds=(Kind.WORKSHOP,)), lambda e: e.kind is Kind.WORKSHOP),
        (SearchRequest(kinds=(Kind.CONFERENCE,)), lambda e: e.kind is Kind.CONFERENCE),
        (SearchRequest(free=True), lambda e: e.is_free is True),
        (SearchRequest(free=False), lambda e: e.is_free is False),
        (SearchRequest(q="repair"), lambda e: "repair" in e.title.lower()),
        (
            SearchRequest(near=cottbus, sectors=("energy-and-environment",)),
            lambda e: "energy-and-environment" in e.sectors,
        ),
    ]:
        page = search(
            located,
            SearchRequest(**{**request.__dict__, "start": YEAR_START, "limit": 1000}),
            now=NOW,
        )
        assert page.items, request
        assert all(check(item.event) for item in page.items), request
        assert page.total == len(page.items)
    technology = search(
        located, SearchRequest(sectors=("technology",), start=YEAR_START, limit=1000), now=NOW
    )
    expected = [e for e in everything(located) if e.effective_end >= YEAR_START]
    assert technology.total == sum("technology" in e.sectors for e in expected)


def test_search_date_window(located: EventStore) -> None:
    start = datetime(2027, 1, 1, tzinfo=UTC)
    end = datetime(2027, 1, 31, tzinfo=UTC)

    page = search(located, SearchRequest(start=start, end=end, limit=1000), now=NOW)

    assert page.items
    assert all(i.event.start <= end and i.event.effective_end >= start for i in page.items)


def test_search_by_date_without_place_pages_in_store_order(located: EventStore) -> None:
    request = SearchRequest(sort="date", limit=9)

    results = [event for event, _, _ in walk(located, request)]

    expected = sorted(
        (e for e in everything(located) if e.effective_end >= NOW), key=lambda e: (e.start, e.id)
    )
    assert [e.id for e in results] == [e.id for e in expected]


@pytest.mark.parametrize("sort", ["score", "date", "distance"])
def test_search_cursor_is_stable_while_events_are_added(located: EventStore, sort: str) -> None:
    cottbus = point_of(resolve_place("Cottbus"))
    request = SearchRequest(near=cottbus, radius_km=10, sort=sort, limit=5)  # type: ignore[arg-type]
    before = [event.id for event, _, _ in walk(located, request)]

    seen: list[str] = []
    page = search(located, request, now=NOW)
    added = 0
    while True:
        seen.extend(item.event.id for item in page.items)
        if page.next_cursor is None:
            break
        added += 1
        located.upsert_many([newcomer(added)], now=NOW)
        page = search(
            located, SearchRequest(**{**request.__dict__, "cursor": page.next_cursor}), now=NOW
        )

    assert added
    assert len(seen) == len(set(seen))
    assert [event_id for event_id in seen if event_id in before] == before


def newcomer(n: int) -> Event:
    """A strong event right at the centre of Cottbus, added mid-walk."""
    return make_event(
        n,
        source="late",
        title=f"Maker meetup {n}",
        start=NOW + timedelta(days=1, hours=n),
        kind=Kind.MEETUP,
        is_free=True,
        venue=Venue(city="Cottbus", lat=51.7577, lon=14.3289),
    )


def test_search_cursor_from_another_sort_is_refused(located: EventStore) -> None:
    page = search(located, SearchRequest(limit=2), now=NOW)
    assert page.next_cursor

    with pytest.raises(SearchError) as raised:
        search(located, SearchRequest(limit=2, sort="date", cursor=page.next_cursor), now=NOW)

    assert raised.value.parameter == "cursor"


@pytest.mark.parametrize(
    ("request_", "parameter"),
    [
        (SearchRequest(near=Point(91, 0)), "lat"),
        (SearchRequest(near=Point(0, -181)), "lon"),
        (SearchRequest(near=Point(float("nan"), 0)), "lat"),
        (SearchRequest(radius_km=0), "radius_km"),
        (SearchRequest(radius_km=-1), "radius_km"),
        (SearchRequest(radius_km=500.1), "radius_km"),
        (SearchRequest(radius_km=float("nan")), "radius_km"),
        (SearchRequest(sectors=("nursing",)), "sector"),
        (SearchRequest(sort="distance"), "sort"),
        (SearchRequest(sort="best"), "sort"),  # type: ignore[arg-type]
        (SearchRequest(limit=0), "limit"),
        (SearchRequest(cursor="not a cursor"), "cursor"),
        (SearchRequest(start=NOW, end=NOW - timedelta(days=1)), "end"),
        (SearchRequest(start=datetime(2026, 1, 1)), "start"),  # noqa: DTZ001
        (SearchRequest(q="x" * 201), "q"),
    ],
)
def test_search_bad_request_names_the_parameter(
    located: EventStore, request_: SearchRequest, parameter: str
) -> None:
    with pytest.raises(SearchError) as raised:
        search(located, request_, now=NOW)

    assert raised.value.parameter == parameter


def test_search_spatial_index_follows_upserts(store: EventStore) -> None:
    toronto = point_of(resolve_place("Toronto"))
    event = newcomer(1)
    event.venue = Venue(city="Toronto", lat=43.65, lon=-79.38)
    store.upsert_many([event], now=NOW)
    assert [i.event.id for i in search(store, SearchRequest(near=toronto), now=NOW).items] == [
        event.id
    ]

    moved = newcomer(1)
    store.upsert_many([moved], now=NOW)
    assert search(store, SearchRequest(near=toronto), now=NOW).items == []

    gone = newcomer(1)
    gone.venue = Venue(city="Cottbus")
    store.upsert_many([gone], now=NOW)
    cottbus = point_of(resolve_place("Cottbus"))
    assert search(store, SearchRequest(near=cottbus), now=NOW).items == []
    assert search(store, SearchRequest(), now=NOW).total == 1


def test_search_skips_cancelled_when_asked(located: EventStore) -> None:
    event = newcomer(1)
    event.status = Status.CANCELLED
    located.upsert_many([event], now=NOW)

    live = search(located, SearchRequest(statuses=(Status.SCHEDULED,), q="Maker meetup 1"), now=NOW)
    every = search(located, SearchRequest(q="Maker meetup 1"), now=NOW)

    assert live.total == 0
    assert every.total == 1
    assert every.items[0].score == 0


def test_resolve_place_picks_the_most_populous_and_suggests_on_unknown() -> None:
    assert resolve_place("Portland").region == "OR"
    assert resolve_place("  Portland,   ME ").region == "ME"

    with pytest.raises(SearchError) as raised:
        resolve_place("Torontoo")
    assert raised.value.parameter == "near"
    assert "Toronto, Ontario, Canada" in raised.value.suggestions
    assert "Toronto, Ontario, Canada" in raised.value.message

    for text in ("", "   ", "x" * 10_000):
        with pytest.raises(SearchError):
            resolve_place(text)


def test_search_page_is_a_plain_value() -> None:
    page = SearchPage(items=[], total=0, next_cursor=None)

    assert page.total == 0


@pytest.mark.parametrize("sort", ["score", "date", "distance"])
def test_search_near_a_place_reads_words_from_the_full_text_index(
    store: EventStore, sort: str
) -> None:
    here = Venue(city="Toronto", lat=43.65, lon=-79.38)
    store.upsert_many(
        [
            make_event(1, title="Nursing careers night", venue=here),
            make_event(2, title="Café founders breakfast", venue=here),
            make_event(
                3, title="Nursing in Berlin", venue=Venue(city="Berlin", lat=52.52, lon=13.4)
            ),
        ],
        now=NOW - timedelta(days=2),
    )
    toronto = point_of(resolve_place("Toronto"))

    def titles(q: str) -> list[str]:
        page = search(store, SearchRequest(near=toronto, q=q, sort=sort), now=NOW)
        return [item.event.title for item in page.items]

    assert titles("nurses") == ["Nursing careers night"]
    assert titles("cafe found") == ["Café founders breakfast"]
    assert titles('"NEAR( -*') == []


def test_search_ranks_tonights_meetup_above_a_long_run_that_started_months_ago(
    store: EventStore,
) -> None:
    """Listed once from the summer to after Christmas (Asheville's "Wine Wednesday"), a meetup
    is not on tonight for all its listing says: the same meetup tonight ranks first."""
    long_run = toronto_event("wine-wednesday", days=-120, hours=24 * 150)
    tonight = toronto_event("tonight", days=11 / 24)
    store.upsert_many([long_run, tonight], now=NOW)

    page = search(store, SearchRequest(near=Point(43.66, -79.39, "Toronto")), now=NOW)

    assert [item.event.id for item in page.items] == [tonight.id, long_run.id]
    assert "runs until Sunday 27 December 2026" in page.items[1].why


def test_search_still_ranks_a_short_event_on_now_above_tonights(store: EventStore) -> None:
    on_now = toronto_event("on-now", days=-1 / 24)
    tonight = toronto_event("tonight", days=11 / 24)
    store.upsert_many([tonight, on_now], now=NOW)

    page = search(store, SearchRequest(near=Point(43.66, -79.39, "Toronto")), now=NOW)

    assert [item.event.id for item in page.items] == [on_now.id, tonight.id]
    assert "happening now" in page.items[0].why
