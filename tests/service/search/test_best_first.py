"""Best first reads less, with or without a place; its pages and totals are the full ranking's."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import datetime, timedelta
from itertools import pairwise
from operator import itemgetter
from typing import Any

import pytest

from service.model import Attendance, Event, Kind, Status, Venue
from service.search import Point, SearchCache, SearchPage, SearchRequest, search
from service.search import plan as search_module
from service.search.cursors import decode_cursor
from service.search.rank import Scorer
from service.settings import ScoreWeights
from service.store import EventStore
from service.store.nearby import WINDOW_ROWS, StartWindows, candidates
from tests.factories import NOW, make_event
from tests.support.templates import Templates


def random_events(
    count: int, seed: int = 7, *, spread_km: float = 0.0, long_runs: float = 0.0
) -> list[Event]:
    """Events over two months; ``spread_km`` scatters them around Toronto instead of one hall.

    A share ``long_runs`` of them are listed across weeks or months instead (an exhibition, a
    monthly evening listed once), most of them started long before NOW.
    """
    rng = random.Random(seed)
    events = []
    for index in range(count):
        start = NOW + timedelta(hours=rng.choice(range(-30, 24 * 60, 6)))
        length = timedelta(hours=rng.choice((1, 2, 48)))
        if rng.random() < long_runs:
            start = NOW + timedelta(hours=rng.choice(range(-24 * 200, 24 * 20, 7)))
            length = timedelta(hours=rng.choice(range(24 * 6, 24 * 300, 5)))
        online = spread_km and rng.random() < 0.1
        lat = 43.65 + rng.uniform(-1, 1) * spread_km / 111
        lon = -79.38 + rng.uniform(-1, 1) * spread_km / 80
        events.append(
            make_event(
                index,
                source="best",
                start=start,
                end=start + length,
                kind=rng.choice(list(Kind)),
                sectors=rng.sample(["technology", "healthcare", "finance"], rng.randint(1, 2)),
                attendance=Attendance.ONLINE if online else rng.choice(list(Attendance)),
                venue=Venue() if online else Venue(city="Toronto", lat=lat, lon=lon),
                is_free=rng.choice((True, False, None)),
                status=Status.CANCELLED if rng.random() < 0.05 else Status.SCHEDULED,
            )
        )
    return events


def full_ranking(store: EventStore, request: SearchRequest) -> SearchPage:
    """The same page from scoring every match and sorting them all."""
    cursor = decode_cursor(request.cursor, request.sort) if request.cursor else None
    now = cursor.now if cursor else NOW
    scorer = Scorer(ScoreWeights(), now=now, near=request.near is not None, sectors=request.sectors)
    query = search_module._query(request, now)
    near = search_module._Near(request)
    found = candidates(store, query=query, boxes=near.boxes, online=near.online)
    every = search_module._Top(request.sort, len(found.located) + len(found.online) + 1, after=None)
    near.offer(every, found, scorer)  # room for every entry: nothing dropped
    entries = sorted(every.page(), key=itemgetter(0))
    later = [entry for entry in entries if cursor is None or entry[0] > cursor.key]
    return search_module._page(
        SearchCache.nothing_kept(),
        store,
        request,
        query,
        later[: request.limit + 1],
        len(entries),
        now,
    )


def all_pages(store: EventStore, request: SearchRequest, cache: SearchCache) -> int:
    """Walk every page, checking each against the full ranking; returns how many.

    Each page is asked twice: near a place, a first ask reads every match
    (it needs the total) and the second reads window by window.
    """
    pages = shown = 0
    while True:
        page = search(store, request, now=NOW, cache=cache)
        expected = full_ranking(store, request)
        assert (page.items, page.next_cursor) == (expected.items, expected.next_cursor)
        shown += len(page.items)
        if page.total_exact:
            assert page.total == expected.total
        else:
            assert shown <= page.total <= expected.total, "at least so many"
        assert search(store, request, now=NOW, cache=cache) == page
        pages += 1
        if page.next_cursor is None or pages > 40:
            return pages
        request = replace(request, cursor=page.next_cursor)


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
def test_best_first_pages_match_the_full_ranking(
    cache: SearchCache, store: EventStore, templates: Templates, changes: dict
) -> None:
    templates.seed(store, "best-600", lambda: random_events(600))
    assert all_pages(store, SearchRequest(**changes), cache) > 1


TORONTO = Point(43.65, -79.38, "Toronto")


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"limit": 5},
        {"radius_km": 8.0, "limit": 6},
        {"sort": "date", "limit": 9},
        {"sort": "distance", "limit": 7},
        {"sort": "distance", "limit": 40, "attendance": (Attendance.IN_PERSON, Attendance.ONLINE)},
        {"sectors": ("healthcare",), "limit": 5},
        {"attendance": (Attendance.ONLINE,), "limit": 8},
        {"attendance": (Attendance.IN_PERSON, Attendance.ONLINE), "limit": 10},
        {"end": NOW + timedelta(days=9), "limit": 4},
        {"start": NOW + timedelta(days=1), "end": NOW + timedelta(days=1, hours=12)},
    ],
)
@pytest.mark.parametrize("read_all_below", [search_module.READ_ALL_BELOW, 0])
def test_best_first_near_a_place_matches_the_full_ranking(
    cache: SearchCache,
    store: EventStore,
    templates: Templates,
    changes: dict,
    read_all_below: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Read whole, or (with many matches) by windows of start or discs of distance."""
    monkeypatch.setattr(search_module, "READ_ALL_BELOW", read_all_below)
    templates.seed(
        store, "best-700-seed-11-spread-km-30", lambda: random_events(700, seed=11, spread_km=30)
    )
    request = SearchRequest(**{"near": TORONTO, "radius_km": 20.0, **changes})
    assert all_pages(store, request, cache) >= 1


@pytest.mark.parametrize(
    "changes",
    [
        {"limit": 5},
        {"limit": 1},
        {"sectors": ("healthcare",), "limit": 6},
        {"near": TORONTO, "radius_km": 20.0, "limit": 5},
        {"near": TORONTO, "radius_km": 8.0, "limit": 3},
        {"near": TORONTO, "radius_km": 20.0, "sectors": ("finance",), "limit": 7},
        {"near": TORONTO, "attendance": (Attendance.IN_PERSON, Attendance.ONLINE), "limit": 9},
        {"near": TORONTO, "end": NOW + timedelta(days=9), "limit": 4},
    ],
)
@pytest.mark.parametrize("seed", [3, 19])
def test_best_first_with_long_runs_matches_the_full_ranking(
    cache: SearchCache,
    store: EventStore,
    templates: Templates,
    changes: dict,
    seed: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Long runs that started long ago count less soonness than their start says: the
    windows of start time still give the full ranking's pages."""
    monkeypatch.setattr(search_module, "READ_ALL_BELOW", 0)
    events = random_events(700, seed=seed, spread_km=30, long_runs=0.3)
    templates.seed(store, f"best-700-{seed}-30-long", lambda: events)
    started = [e for e in events if e.start <= NOW < e.effective_end]
    assert sum(e.effective_end - e.start > timedelta(days=7) for e in started) > 50
    assert all_pages(store, SearchRequest(**changes), cache) >= 1


def test_a_search_near_a_place_with_many_matches_reads_less_than_every_match(
    cache: SearchCache, store: EventStore, templates: Templates, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Asked first or again, a search with many matches reads window by window, not every
    match: its total is then how many it saw, and it says that this is a lower bound."""
    monkeypatch.setattr(search_module, "READ_ALL_BELOW", 0)
    templates.seed(
        store, "best-3000-seed-11-spread-km-30", lambda: random_events(3000, seed=11, spread_km=30)
    )
    request = SearchRequest(near=TORONTO, radius_km=20, limit=5)
    every_match = full_ranking(store, request).total
    read = count_reads(monkeypatch)

    first = search(store, request, now=NOW, cache=cache)

    assert sum(read) < every_match / 2
    assert not first.total_exact
    assert len(first.items) <= first.total < every_match
    assert search(store, request, now=NOW, cache=cache) == first


def test_nearest_first_with_many_matches_never_counts_them_all(
    cache: SearchCache, store: EventStore, templates: Templates, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its first disc is sized from a box around the place that holds a few hundred, each
    count stopped there: counting the whole box could mean counting a city."""
    templates.seed(
        store, "best-3000-seed-11-spread-km-30", lambda: random_events(3000, seed=11, spread_km=30)
    )
    request = SearchRequest(near=TORONTO, radius_km=20, sort="distance", limit=5)
    with monkeypatch.context() as patch:
        patch.setattr(search_module, "READ_ALL_BELOW", 10**6)  # every match read and ranked
        every_match = search(store, request, now=NOW)
    counts: list[object] = []
    real = search_module.count_within

    def counted(*args: Any, **kwargs: Any) -> int:
        counts.append(kwargs.get("at_most"))
        return real(*args, **kwargs)

    monkeypatch.setattr(search_module, "count_within", counted)
    monkeypatch.setattr(search_module, "PROBE_AT_MOST", 64)

    first = search(store, request, now=NOW, cache=cache)

    assert every_match.total > search_module.READ_ALL_BELOW
    assert counts and None not in counts
    assert first.items == every_match.items


def test_once_full_best_first_reads_only_rows_that_can_still_make_the_page(
    cache: SearchCache, store: EventStore, templates: Templates, monkeypatch: pytest.MonkeyPatch
) -> None:
    """By score near a place, once the page is full, later windows let the index turn away
    each row that cannot beat its worst entry at its distance (of its kind, attendance and
    price): fewer rows read, the same page."""
    monkeypatch.setattr(search_module, "READ_ALL_BELOW", 0)
    templates.seed(
        store, "best-3000-seed-11-spread-km-30", lambda: random_events(3000, seed=11, spread_km=30)
    )
    request = SearchRequest(near=TORONTO, radius_km=20, limit=5)
    expected = full_ranking(store, request)
    asked: list[Any] = []
    real = search_module.candidates

    def recorded(*args: Any, **kwargs: Any) -> search_module.Candidates:
        found = real(*args, **kwargs)
        asked.append((kwargs.get("floor"), len(found.located) + len(found.online)))
        return found

    monkeypatch.setattr(search_module, "candidates", recorded)
    with monkeypatch.context() as patch:
        patch.setattr(search_module._Near, "floor", lambda near, needs: None)
        unfloored = search(store, request, now=NOW)
    read_unfloored = sum(rows for _, rows in asked)
    asked.clear()

    page = search(store, request, now=NOW, cache=cache)

    assert page.items == expected.items == unfloored.items
    assert asked[0][0] is None and asked[-1][0] is not None
    assert sum(rows for _, rows in asked) < read_unfloored


def test_nearest_first_counts_the_whole_box_once(
    cache: SearchCache, store: EventStore, templates: Templates, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Asked first, whether the box holds few matches is counted; the probe that sizes the
    first disc then starts at a quarter of the reach, not with the same count again."""
    templates.seed(
        store, "best-3000-seed-11-spread-km-30", lambda: random_events(3000, seed=11, spread_km=30)
    )
    request = SearchRequest(near=TORONTO, radius_km=20, sort="distance", limit=5)
    with monkeypatch.context() as patch:
        patch.setattr(search_module, "READ_ALL_BELOW", 10**6)  # every match read and ranked
        every_match = search(store, request, now=NOW)
    whole = search_module._Near(request).boxes
    counted_boxes: list[object] = []
    real = search_module.count_within

    def counted(*args: Any, **kwargs: Any) -> int:
        counted_boxes.append(kwargs["boxes"])
        return real(*args, **kwargs)

    monkeypatch.setattr(search_module, "count_within", counted)

    first = search(store, request, now=NOW, cache=cache)

    assert every_match.total > search_module.PROBE_AT_MOST
    assert counted_boxes.count(whole) == 1
    assert len(counted_boxes) > 1  # the probe counted smaller boxes
    assert first.items == every_match.items


@pytest.mark.parametrize(
    ("spread_km", "direction"), [(3, "smaller"), (60, "larger")], ids=["dense", "sparse"]
)
def test_the_nearest_first_probe_moves_one_way_until_its_count_says_enough(
    spread_km: float,
    direction: str,
    store: EventStore,
    templates: Templates,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """From a quarter of the reach, the probe's box halves while its count stops at
    PROBE_AT_MOST (a dense centre) and doubles while it holds fewer than PROBE_ENOUGH (a
    sparse one), never turning back: each count stays small, and the page is the same."""
    templates.seed(
        store,
        f"best-3000-seed-5-spread-km-{spread_km}",
        lambda: random_events(3000, seed=5, spread_km=spread_km),
    )
    request = SearchRequest(near=TORONTO, radius_km=20, sort="distance", limit=5)
    with monkeypatch.context() as patch:
        patch.setattr(search_module, "READ_ALL_BELOW", 10**6)  # every match read and ranked
        every_match = search(store, request, now=NOW)
    counts: list[tuple[object, int]] = []
    real = search_module.count_within

    def counted(*args: Any, **kwargs: Any) -> int:
        found = real(*args, **kwargs)
        counts.append((kwargs["boxes"], found))
        return found

    monkeypatch.setattr(search_module, "count_within", counted)
    monkeypatch.setattr(search_module, "READ_ALL_BELOW", 64)

    page = search(store, request, now=NOW)

    near = search_module._Near(request)
    probes = counts[1:]  # after the whole box's count
    assert probes[0][0] == near.boxes_within(request.radius_km / 4)
    assert len(probes) >= 2
    moved = [found for _, found in probes[:-1]]
    if direction == "smaller":
        assert all(found > search_module.PROBE_AT_MOST for found in moved)
        assert probes[1][0] == near.boxes_within(request.radius_km / 16)
    else:
        assert all(found < search_module.PROBE_ENOUGH for found in moved)
        assert probes[1][0] == near.boxes_within(request.radius_km / 2)
    assert page.items == every_match.items


def test_a_search_with_few_matches_asked_again_reads_them_at_once(
    cache: SearchCache, store: EventStore, templates: Templates, monkeypatch: pytest.MonkeyPatch
) -> None:
    templates.seed(
        store, "best-700-seed-11-spread-km-30", lambda: random_events(700, seed=11, spread_km=30)
    )
    read = count_reads(monkeypatch)
    request = SearchRequest(near=TORONTO, radius_km=20, limit=5)
    first = search(store, request, now=NOW, cache=cache)
    assert first.total <= search_module.READ_ALL_BELOW
    read.clear()

    assert search(store, request, now=NOW, cache=cache) == first
    assert len(read) == 1


@pytest.mark.parametrize(("radius_km", "counted"), [(3.0, False), (20.0, True)])
def test_a_first_ask_with_very_few_matches_reads_them_without_counting(
    store: EventStore,
    templates: Templates,
    monkeypatch: pytest.MonkeyPatch,
    radius_km: float,
    counted: bool,
) -> None:
    """Up to READ_FIRST matches, the read that gives them says they are few: one statement,
    no count. With more, the count decides as before. The page is the same either way."""
    templates.seed(
        store, "best-700-seed-11-spread-km-30", lambda: random_events(700, seed=11, spread_km=30)
    )
    request = SearchRequest(near=TORONTO, radius_km=radius_km, limit=5)
    with monkeypatch.context() as patch:
        patch.setattr(search_module, "READ_FIRST", 0)  # counted first, always
        expected = search(store, request, now=NOW)
    counts: list[int] = []
    real = search_module.count_within

    def counting(*args: Any, **kwargs: Any) -> int:
        counts.append(real(*args, **kwargs))
        return counts[-1]

    monkeypatch.setattr(search_module, "count_within", counting)
    read = count_reads(monkeypatch)

    page = search(store, request, now=NOW)

    assert page == expected
    assert (expected.total > search_module.READ_FIRST) is counted
    assert bool(counts) is counted
    assert len(read) == counted  # the few: read once, by the read that found them few


@pytest.mark.parametrize("sort", ["score", "date", "distance"])
def test_every_read_of_a_search_near_a_place_seeks_by_start(
    store: EventStore, templates: Templates, monkeypatch: pytest.MonkeyPatch, sort: str
) -> None:
    """Counts and whole reads too, not only windows: a sector's rows of cells hold the past
    events of years, which a read that does not seek would walk."""
    templates.seed(
        store, "best-700-seed-11-spread-km-30", lambda: random_events(700, seed=11, spread_km=30)
    )
    seeks: list[object] = []

    def recorded(read: Any) -> Any:
        def reading(*args: object, **kwargs: Any) -> object:
            seeks.append(kwargs["query"].starts_from)
            return read(*args, **kwargs)

        return reading

    for name in ("candidates", "candidates_if_few", "count_within"):
        monkeypatch.setattr(search_module, name, recorded(getattr(search_module, name)))
    request = SearchRequest(
        near=TORONTO, radius_km=20.0, sectors=("healthcare",), sort=sort, limit=5
    )

    search(store, request, now=NOW)

    assert seeks
    assert set(seeks) == {store.earliest_start_until(at=NOW)[0]}


@pytest.mark.parametrize("sort", ["score", "distance"])
def test_a_crowded_search_asked_again_goes_straight_to_its_matches(
    cache: SearchCache,
    store: EventStore,
    templates: Templates,
    monkeypatch: pytest.MonkeyPatch,
    sort: str,
) -> None:
    """Whether a search near a place has few matches or many is asked once while the store
    is unchanged: its next page, or the same search again, neither reads its first matches
    nor counts them again. The pages are those of a search that asks."""
    monkeypatch.setattr(search_module, "READ_ALL_BELOW", 64)
    templates.seed(
        store, "best-700-seed-11-spread-km-30", lambda: random_events(700, seed=11, spread_km=30)
    )
    request = SearchRequest(near=TORONTO, radius_km=20, sort=sort, limit=5)  # type: ignore[arg-type]
    asked: list[tuple[str, object]] = []
    for name in ("count_within", "candidates_if_few"):
        real = getattr(search_module, name)

        def recorded(*args: Any, _real: Any = real, _name: str = name, **kwargs: Any) -> Any:
            asked.append((_name, kwargs.get("at_most")))
            return _real(*args, **kwargs)

        monkeypatch.setattr(search_module, name, recorded)
    few_or_many = [("candidates_if_few", search_module.READ_FIRST), ("count_within", 64)]

    first = search(store, request, now=NOW, cache=cache)
    first_asked = list(asked)
    asked.clear()
    again = search(store, request, now=NOW, cache=cache)
    following = replace(request, cursor=first.next_cursor)
    second = search(store, following, now=NOW, cache=cache)

    assert first_asked[:2] == few_or_many
    assert not set(asked) & set(few_or_many)
    assert again == first
    assert second == search(store, following, now=NOW)


def count_reads(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Rows of every read of candidates the search makes from now on."""
    read: list[int] = []
    real = search_module.candidates

    def counted(*args: object, **kwargs: object) -> search_module.Candidates:
        found = real(*args, **kwargs)  # type: ignore[arg-type]
        read.append(len(found.located) + len(found.online))
        return found

    monkeypatch.setattr(search_module, "candidates", counted)
    return read


def test_start_windows_cover_the_range_without_gaps() -> None:
    last = NOW + timedelta(days=40)
    windows = StartWindows(NOW - timedelta(days=2), last, now=NOW)
    seen = []
    for low, high in windows:
        seen.append((low, high))
        windows.held(10 if len(seen) % 2 else 2_000)
    assert seen[0] == (NOW - timedelta(days=2), NOW + timedelta(days=1))
    assert seen[-1][1] == last
    for (_, high), (low, _) in pairwise(seen):
        assert low == high + timedelta(microseconds=1)
    assert all(low <= high for low, high in seen)


@pytest.mark.parametrize(
    ("expected", "first_high"),
    [
        (0, NOW + timedelta(days=1)),  # nothing known: one day
        (100_000, NOW + timedelta(days=1)),  # dense: never less than a day
        (WINDOW_ROWS * 4, NOW + timedelta(days=102) / 4),
        (WINDOW_ROWS // 2, NOW + timedelta(days=100)),  # fewer than a window's worth: all
    ],
)
def test_the_first_window_is_sized_from_the_matches_expected(
    expected: int, first_high: datetime
) -> None:
    """A window near a place scans the place's whole box, however few rows it keeps: knowing
    the total, the first window reaches where an even spread would put a window's rows."""
    first, last = NOW - timedelta(days=2), NOW + timedelta(days=100)
    windows = StartWindows(first, last, now=NOW, expected=expected)
    seen = []
    for low, high in windows:
        seen.append((low, high))
        windows.held(WINDOW_ROWS)
    assert seen[0] == (first, min(first_high, last))
    assert seen[-1][1] == last
    for (_, high), (low, _) in pairwise(seen):
        assert low == high + timedelta(microseconds=1)


def test_totals_follow_writes_and_time(cache: SearchCache, store: EventStore) -> None:
    def upcoming(count: int, now: datetime) -> int:
        return sum(1 for event in random_events(count) if event.effective_end >= now)

    store.upsert_many(random_events(50), now=NOW)
    assert search(store, SearchRequest(), now=NOW, cache=cache).total == upcoming(50, NOW)
    store.upsert_many(random_events(60)[50:], now=NOW)
    assert search(store, SearchRequest(), now=NOW, cache=cache).total == upcoming(60, NOW)
    later = NOW + timedelta(days=3)
    expected = upcoming(60, later)
    assert search(store, SearchRequest(), now=later, cache=cache).total == expected
    assert search(store, SearchRequest(sort="date"), now=later, cache=cache).total == expected


def test_a_write_during_a_first_ask_leaves_no_stale_total(
    cache: SearchCache, store: EventStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A crawl that lands while a search reads: the next ask counts the new events."""
    monkeypatch.setattr(search_module, "READ_ALL_BELOW", 10**6)  # counted exactly, and kept
    events = random_events(40, spread_km=10)
    store.upsert_many(events[:30], now=NOW)
    request = SearchRequest(near=TORONTO, radius_km=30, limit=5)
    readers = {name: getattr(search_module, name) for name in ("candidates", "candidates_if_few")}

    def read_then_write(read: Any) -> Any:
        def reading(*args: object, **kwargs: object) -> object:
            found = read(*args, **kwargs)
            store.upsert_many(events[30:], now=NOW)
            return found

        return reading

    for name, read in readers.items():  # whichever reads the matches of a first ask
        monkeypatch.setattr(search_module, name, read_then_write(read))
    first = search(store, request, now=NOW, cache=cache)
    for name, read in readers.items():
        monkeypatch.setattr(search_module, name, read)

    again = search(store, request, now=NOW, cache=cache)

    assert again.total == first.total + sum(
        1 for event in events[30:] if event.venue.lat is not None and event.effective_end >= NOW
    )
    assert again.total > first.total


@pytest.mark.parametrize(
    "changes",
    [
        {"limit": 5},
        {"sectors": ("healthcare",), "limit": 5},
        {"near": Point(43.65, -79.38), "radius_km": 30.0, "limit": 5},
        {"near": Point(43.65, -79.38), "radius_km": 30.0, "sort": "date", "limit": 5},
    ],
)
def test_kept_totals_and_pages_hold_until_an_event_ends(
    cache: SearchCache, store: EventStore, changes: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Asked at later and later moments (an event's end, then just after it), each answer
    reuses what the fresh answer before it kept, and still equals one computed afresh.

    Near a place, even a few matches are read window by window once their total is kept.
    """
    monkeypatch.setattr(search_module, "READ_ALL_BELOW", 0)
    events = random_events(120, seed=11, spread_km=40)
    store.upsert_many(events, now=NOW)
    ends = sorted({event.effective_end for event in events if event.effective_end > NOW})[:12]
    moments = [NOW] + [moment for end in ends for moment in (end, end + timedelta(microseconds=1))]
    request = SearchRequest(**changes)

    cache.forget()
    for moment in moments:
        kept = search(store, request, now=moment, cache=cache)
        cache.forget()
        fresh = search(store, request, now=moment, cache=cache)
        assert (kept.total, kept.items) == (fresh.total, fresh.items), moment


class _Fixed:
    """A scorer whose rank is a table lookup: scores with many ties, as rounding gives."""

    def __init__(self, scores: dict[str, float]) -> None:
        self.rank = lambda distance, sectors, start, end, kind, attendance, is_free, status: scores[
            kind
        ]


@pytest.mark.parametrize("sort", ["score", "date", "distance"])
@pytest.mark.parametrize("wanted", [1, 3, 51])
def test_a_page_keeps_the_least_entries_of_all_it_was_offered(sort: str, wanted: int) -> None:
    """Offered in batches, with ties in every key part but the id, and a cursor or none, the
    page is the full sort's first entries after the cursor; the count is every candidate
    inside the radius."""
    rng = random.Random(f"{sort}-{wanted}")

    def row(n: int, distance: float) -> tuple:
        kind = f"k{rng.randint(0, 3)}"
        return (
            f"id-{n:04d}",
            distance,
            0.0,
            float(rng.randint(0, 5)),
            kind,
            "",
            None,
            "",
            None,
            None,
            None,
        )

    # The cut reads the distance from the latitude; a negative one is outside the radius.
    located = [row(n, float(rng.randint(-1, 4))) for n in range(600)]
    online = [row(n, 0.0) for n in range(600, 640)]
    inside = sum(1 for candidate in located if candidate[1] >= 0) + len(online)
    scorer = _Fixed({f"k{n}": n / 4 for n in range(4)})

    def cut(lat: float, lon: float) -> float | None:
        return lat if lat >= 0 else None

    def offer(top: search_module._Top, batch: int) -> None:
        for start in range(0, len(located), batch):
            top.offer(located[start : start + batch], cut, scorer)  # type: ignore[arg-type]
        top.offer(online, None, scorer)  # type: ignore[arg-type]

    full = search_module._Top(sort, len(located) + len(online), after=None)
    offer(full, len(located))
    everything = full.page()
    assert len(everything) == inside == full.count
    assert sorted(everything, key=itemgetter(0)) == sorted(everything)
    for after in (None, everything[len(everything) // 3][0]):
        top = search_module._Top(sort, wanted, after=after)
        offer(top, 97)
        later = [entry for entry in sorted(everything) if after is None or entry[0] > after]
        assert top.page() == later[:wanted]
        assert top.count == inside


@pytest.mark.parametrize("sort", ["score", "date", "distance"])
@pytest.mark.parametrize("wanted", [1, 3, 51])
def test_a_page_of_series_keeps_the_soonest_date_of_each(sort: str, wanted: int) -> None:
    """Offered in batches of start time (each batch shuffled), dates of one series give one
    entry, their soonest inside the radius; the count is of series, singles included."""
    rng = random.Random(f"series-{sort}-{wanted}")
    rows = []
    for n in range(600):
        key = f"s{rng.randint(0, 40)}" if n % 3 else None
        distance = float(rng.randint(-1, 4)) if key is None else float(int(key[1:]) % 5 - 1)
        start = float(rng.randint(0, 50))
        rows.append((f"id-{n:04d}", distance, 0.0, start, "k", "", None, "", None, None, key))
    rows.sort(key=itemgetter(3))
    scorer = _Fixed({"k": 0.5})

    def cut(lat: float, lon: float) -> float | None:
        return lat if lat >= 0 else None

    inside = [row for row in rows if row[1] >= 0]
    soonest: dict[object, tuple] = {}
    for row in inside:
        name = row[10] or row[0]
        if name not in soonest or (row[3], row[0]) < (soonest[name][3], soonest[name][0]):
            soonest[name] = row
    heads = {row[0] for row in soonest.values()}
    full = search_module._Top(sort, len(rows), after=None)
    full.offer([row for row in inside if row[0] in heads], cut, scorer)  # type: ignore[arg-type]
    everything = full.page()
    for after in (None, everything[len(everything) // 3][0]):
        top = search_module._Top(sort, wanted, after=after, once=True)
        for start in range(0, len(rows), 97):
            batch = rows[start : start + 97]
            rng.shuffle(batch)
            top.offer(batch, cut, scorer)  # type: ignore[arg-type]
        later = [entry for entry in sorted(everything) if after is None or entry[0] > after]
        assert top.page() == later[:wanted]
        assert top.count == len(heads)
