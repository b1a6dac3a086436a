"""An event that repeats shows once in a search: at its next date, with its rhythm."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from service.model import Attendance, Event, Venue
from service.search import Point, SearchCache, SearchPage, SearchRequest, search
from service.store import EventStore
from service.store.tables import events
from service.text.series import clock_text, rhythm_text
from tests.factories import NOW, TORONTO, make_event

CAFE = Venue(name="Café Rustica", city="Toronto", lat=43.6532, lon=-79.3832)
LIBRARY = Venue(name="North York Library", city="Toronto", lat=43.7615, lon=-79.4111)
TUESDAY_0730 = datetime(2026, 12, 1, 7, 30, tzinfo=TORONTO)
"""The Tuesday after NOW, 7:30 in Toronto."""
TORONTO_POINT = Point(lat=43.6532, lon=-79.3832, label="Toronto")


def breakfast(week: int, **fields: object) -> Event:
    values: dict[str, object] = {
        "title": "Networking Breakfast",
        "start": TUESDAY_0730 + timedelta(weeks=week),
        "venue": CAFE,
        "timezone": "America/Toronto",
        "organizer": "Toronto Board of Trade",
    }
    values.update(fields)
    return make_event(f"breakfast-{week}", **values)


def talks(count: int) -> list[Event]:
    return [
        make_event(
            f"talk-{n}", days=1.5 + n, title=f"Talk {n}", venue=LIBRARY, timezone="America/Toronto"
        )
        for n in range(count)
    ]


def all_pages(store: EventStore, request: SearchRequest, cache: SearchCache) -> list[SearchPage]:
    pages = [search(store, request, now=NOW, cache=cache)]
    while pages[-1].next_cursor:
        cursor = pages[-1].next_cursor
        pages.append(
            search(
                store, SearchRequest(**{**request.__dict__, "cursor": cursor}), now=NOW, cache=cache
            )
        )
    return pages


# Rhythms


@pytest.mark.parametrize(
    ("gap_days", "said"),
    [
        (7, "every Tuesday, 7:30 am"),
        (14, "every other Tuesday, 7:30 am"),
        (1, None),
        (28, "monthly, on a Tuesday, 7:30 am"),
    ],
)
def test_rhythm_of_regular_dates(gap_days: int, said: str | None) -> None:
    starts = [TUESDAY_0730 + timedelta(days=gap_days * n) for n in range(4)]
    expected = said or "every day, 7:30 am"
    assert rhythm_text(starts) == expected


def test_rhythm_of_irregular_dates_and_all_day_ones() -> None:
    uneven = [TUESDAY_0730, TUESDAY_0730 + timedelta(days=3), TUESDAY_0730 + timedelta(days=11)]
    assert rhythm_text(uneven) == "on several dates, 7:30 am"
    skipped = [TUESDAY_0730 + timedelta(weeks=n) for n in (0, 1, 3)]
    assert rhythm_text(skipped) == "most Tuesdays, 7:30 am"
    assert rhythm_text([TUESDAY_0730, TUESDAY_0730 + timedelta(weeks=1)], all_day=True) == (
        "every Tuesday"
    )
    with pytest.raises(ValueError, match="two dates"):
        rhythm_text([TUESDAY_0730])


@pytest.mark.parametrize(
    ("hour", "minute", "said"),
    [(7, 30, "7:30 am"), (0, 0, "12 am"), (12, 0, "12 pm"), (18, 5, "6:05 pm")],
)
def test_clock_text(hour: int, minute: int, said: str) -> None:
    assert clock_text(datetime(2026, 12, 1, hour, minute, tzinfo=UTC)) == said


# Search


@pytest.mark.parametrize("sort", ["score", "date", "distance"])
def test_weekly_event_shows_once_across_pages_with_honest_totals(
    store: EventStore, cache: SearchCache, sort: str
) -> None:
    store.upsert_many([*(breakfast(week) for week in range(6)), *talks(7)], now=NOW)
    request = SearchRequest(near=TORONTO_POINT, radius_km=50, sort=sort, limit=3, once=True)  # type: ignore[arg-type]

    pages = all_pages(store, request, cache)
    titles = [item.event.title for page in pages for item in page.items]

    assert titles.count("Networking Breakfast") == 1
    assert len(titles) == 8
    assert {page.total for page in pages} == {8}
    assert len(set(titles)) == 8
    shown = next(item for page in pages for item in page.items if item.series is not None)
    assert shown.event.id == breakfast(0).id, "the next date stands for the series"
    assert shown.series is not None
    assert shown.series.rhythm == "every Tuesday, 7:30 am"
    assert shown.series.count == 6
    assert all(page.items for page in pages)


def test_without_once_every_date_is_a_result(store: EventStore, cache: SearchCache) -> None:
    store.upsert_many([*(breakfast(week) for week in range(6)), *talks(2)], now=NOW)
    page = search(store, SearchRequest(limit=50), now=NOW, cache=cache)
    assert page.total == 8
    assert all(item.series is None for item in page.items)


def test_same_title_elsewhere_or_by_another_host_is_another_event(
    store: EventStore, cache: SearchCache
) -> None:
    others = [
        breakfast(0),
        breakfast(1),
        breakfast(2, venue=LIBRARY),
        breakfast(3, organizer="Another Group", source="other-source"),
        breakfast(4, start=TUESDAY_0730 + timedelta(weeks=4, hours=2)),
    ]
    store.upsert_many(others, now=NOW)
    page = search(store, SearchRequest(limit=50, sort="date", once=True), now=NOW, cache=cache)

    assert page.total == 4
    assert [item.series is not None for item in page.items] == [True, False, False, False]


def test_source_series_groups_dates_whatever_their_time(
    store: EventStore, cache: SearchCache
) -> None:
    calls = [
        make_event(
            f"call-{n}",
            start=datetime(2026, 11, 30, 14, 0, tzinfo=UTC) + timedelta(days=n, hours=n % 2),
            title="Project call",
            details={"series": "uid-family-1"},
        )
        for n in range(5)
    ]
    store.upsert_many(calls, now=NOW)
    page = search(store, SearchRequest(limit=50, once=True), now=NOW, cache=cache)

    assert page.total == 1
    assert page.items[0].series is not None
    assert page.items[0].series.rhythm == "every day"


def test_series_read_from_dates_after_the_window(store: EventStore, cache: SearchCache) -> None:
    """A week holds one date of a weekly event; the rhythm still comes from those ahead."""
    store.upsert_many([breakfast(week) for week in range(4)], now=NOW)
    week = SearchRequest(end=TUESDAY_0730 + timedelta(days=2), once=True, limit=50)

    page = search(store, week, now=NOW, cache=cache)

    assert page.total == 1
    assert page.items[0].series is not None
    assert page.items[0].series.count == 4
    assert page.items[0].series.rhythm == "every Tuesday, 7:30 am"


def test_series_outside_the_radius_stays_out_of_the_total(
    store: EventStore, cache: SearchCache
) -> None:
    far = Venue(name="Café Rustica", city="Ottawa", lat=45.4215, lon=-75.6972)
    store.upsert_many([*(breakfast(week, venue=far) for week in range(3)), *talks(2)], now=NOW)
    request = SearchRequest(near=TORONTO_POINT, radius_km=50, once=True, limit=50)
    page = search(store, request, now=NOW, cache=cache)
    assert page.total == 2
    assert [item.event.title for item in page.items].count("Networking Breakfast") == 0


def test_online_only_dates_of_a_series_join_a_search_that_asks_for_online(
    store: EventStore, cache: SearchCache
) -> None:
    webinars = [
        breakfast(week, venue=Venue(), attendance=Attendance.ONLINE, title="Webinar")
        for week in range(3)
    ]
    store.upsert_many(webinars, now=NOW)
    request = SearchRequest(
        near=TORONTO_POINT,
        radius_km=50,
        once=True,
        limit=50,
        attendance=(Attendance.IN_PERSON, Attendance.ONLINE),
    )
    page = search(store, request, now=NOW, cache=cache)
    assert page.total == 1
    assert page.items[0].series is not None


def test_local_time_decides_the_weekday(store: EventStore, cache: SearchCache) -> None:
    """Tuesday 21:00 in Toronto is Wednesday in UTC: the rhythm says Tuesday."""
    late = [
        breakfast(
            week,
            start=datetime(2026, 12, 1, 21, 0, tzinfo=ZoneInfo("America/Toronto"))
            + timedelta(weeks=week),
        )
        for week in range(3)
    ]
    store.upsert_many(late, now=NOW)
    page = search(store, SearchRequest(once=True, limit=50), now=NOW, cache=cache)
    assert page.items[0].series is not None
    assert page.items[0].series.rhythm == "every Tuesday, 9 pm"


def test_only_series_of_more_than_one_stored_event_are_repeated(store: EventStore) -> None:
    store.upsert_many([breakfast(0), breakfast(1), *talks(2)], now=NOW)
    with store.engine.connect() as connection:
        keys = dict(connection.execute(select(events.c.id, events.c.series_key)).all())

    assert store.repeated_series(set(keys.values()) | {"no-such-series"}) == {keys[breakfast(0).id]}
    assert store.repeated_series(()) == set()


def test_a_page_of_events_alone_in_their_series_reads_no_dates(
    store: EventStore, cache: SearchCache, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Most events are the only one of their series: their page asks the store for no dates."""
    store.upsert_many(talks(5), now=NOW)
    asked: list[object] = []
    read = EventStore.series_dates
    monkeypatch.setattr(
        EventStore, "series_dates", lambda self, **kw: asked.append(kw) or read(self, **kw)
    )

    page = search(store, SearchRequest(once=True, limit=50), now=NOW, cache=cache)

    assert [item.event.title for item in page.items] == [f"Talk {n}" for n in range(5)]
    assert all(item.series is None for item in page.items)
    assert asked == []
    store.upsert_many([breakfast(0), breakfast(1)], now=NOW)
    page = search(store, SearchRequest(once=True, limit=50), now=NOW, cache=cache)
    assert len(asked) == 1
    assert [item.series.count for item in page.items if item.series] == [2]
