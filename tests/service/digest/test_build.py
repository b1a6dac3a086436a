"""A week's digest from search results: pure, so every case is a few events and a clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from service.digest.build import MAX_ALTERNATES, PreviousDigest, build_digest
from service.model import Attendance, Event, FreeTime, ListedEvent, Status
from service.search import SearchResult
from service.text.advice import ASK, OPENERS, prepare
from tests.factories import berlin_meetup

MONDAY = datetime(2026, 12, 7, 7, 0, tzinfo=UTC)  # 08:00 in Berlin
SENT_LAST_WEEK = datetime(2026, 11, 30, 7, 0, tzinfo=UTC)


def event(
    number: int,
    *,
    day: int = 8,
    hour: int = 17,
    attendance: Attendance = Attendance.IN_PERSON,
    **changes: object,
) -> Event:
    """Healthcare meetup ``e{number}`` in Berlin hosted by ``Host {number}``, known for a month."""
    values: dict[str, object] = {
        "sectors": ["healthcare"],
        "attendance": attendance,
        "organizer": f"Host {number}",
        "first_seen": SENT_LAST_WEEK - timedelta(days=30),
    }
    return berlin_meetup(number, day=day, hour=hour, **(values | changes))


def result(item: Event, score: float, distance: float | None = 3.0) -> SearchResult:
    return SearchResult(event=item, distance_km=distance, score=score, why=["close by"])


def digest(results: list[SearchResult], **options: object):  # type: ignore[no-untyped-def]
    values: dict[str, object] = {
        "now": MONDAY,
        "timezone": "Europe/Berlin",
        "place": "Berlin, Germany",
        "radius_km": 25.0,
        "sectors": ["healthcare"],
    }
    values.update(options)
    return build_digest(results, **values)  # type: ignore[arg-type]


def test_build_digest_top_pick_is_the_best_in_person_event_that_fits_free_time() -> None:
    online = result(event(1, attendance=Attendance.ONLINE), 0.99, None)
    daytime = result(event(2, hour=9), 0.95)  # 10:00 in Berlin
    evening = result(event(3, hour=18), 0.80)  # 19:00 in Berlin
    built = digest([online, daytime, evening], free_times=[FreeTime.WEEKDAY_EVENINGS])
    assert built.top_pick is not None
    assert built.top_pick.event.id == "e3"
    assert "Fits when you are free" in built.top_pick.why


def test_build_digest_alternates_fit_free_time_first_then_score() -> None:
    fitting = result(event(2, hour=18), 0.5)
    not_fitting = result(event(3, hour=9), 0.9)
    top = result(event(1, hour=17), 0.95)
    built = digest([not_fitting, fitting, top], free_times=[FreeTime.WEEKDAY_EVENINGS])
    assert [item.event.id for item in built.alternates] == ["e2", "e3"]
    assert "Outside the times you said you are free" in built.alternates[1].why


def test_build_digest_keeps_at_most_five_alternates() -> None:
    results = [result(event(n), 1 - n / 100) for n in range(10)]
    built = digest(results)
    assert built.top_pick is not None
    assert len(built.alternates) == MAX_ALTERNATES


def test_build_digest_covers_only_the_rest_of_the_week() -> None:
    last_week = result(event(1, day=6), 0.9)
    next_week = result(event(2, day=14), 0.9)
    cancelled = result(event(3, status=Status.CANCELLED), 0.99)
    sunday_night = result(event(4, day=13, hour=20), 0.5)  # 21:00 Sunday in Berlin
    built = digest([last_week, next_week, cancelled, sunday_night])
    assert [item.event.id for item in built.items] == ["e4"]
    assert built.week == "2026-W50"
    assert (built.week_start.isoformat(), built.week_end.isoformat()) == (
        "2026-12-07",
        "2026-12-13",
    )


def test_build_digest_shows_when_in_the_persons_time_and_where_and_how_far() -> None:
    built = digest([result(event(1, hour=17), 0.9, 2.5)])
    assert built.top_pick is not None
    assert built.top_pick.when == "Tuesday 8 December 2026, 18:00 to 20:00 CET"
    assert built.top_pick.where == "Hall, Berlin, Germany"
    assert built.top_pick.distance_km == 2.5


def test_build_digest_with_nothing_near_says_so_and_suggests_wider_and_online() -> None:
    online = result(event(9, attendance=Attendance.ONLINE), 0.7, None)
    built = digest([], online=[online], max_radius_km=500.0)
    assert built.top_pick is None
    assert built.alternates == []
    assert built.notice == "Nothing near Berlin, Germany within 25 km this week."
    assert built.wider_radius_km == 50.0
    assert any("50 km" in text for text in built.suggestions)
    assert [item.event.id for item in built.online] == ["e9"]
    assert any("online" in text.lower() for text in built.suggestions)


def test_build_digest_at_the_widest_radius_suggests_no_wider_one() -> None:
    built = digest([], radius_km=500.0, max_radius_km=500.0)
    assert built.wider_radius_km is None
    assert built.is_empty


def test_build_digest_names_what_changed_among_the_events_last_listed() -> None:
    kept = event(1, day=10)
    moved = event(2, day=11, sequence=1)
    called_off = event(3, day=9, status=Status.CANCELLED, sequence=1)
    brand_new = event(4, day=12, first_seen=MONDAY - timedelta(days=1))
    previous = PreviousDigest(
        week="2026-W49",
        sent_at=SENT_LAST_WEEK,
        items=(
            ListedEvent("e1", "Event 1", kept.start, 0, Status.SCHEDULED),
            ListedEvent("e2", "Event 2", moved.start - timedelta(days=1), 0, Status.SCHEDULED),
            ListedEvent("e3", "Event 3", called_off.start, 0, Status.SCHEDULED),
        ),
    )
    current = {item.id: item for item in (kept, moved, called_off)}
    built = digest(
        [result(kept, 0.9), result(moved, 0.8), result(brand_new, 0.7)],
        previous=previous,
        current=current,
    )
    changes = {change.kind: change for change in built.changes}
    assert set(changes) == {"rescheduled", "cancelled", "new"}
    assert changes["rescheduled"].event_id == "e2"
    assert changes["rescheduled"].was == "Thursday 10 December 2026, 18:00 CET"
    assert changes["rescheduled"].now == "Friday 11 December 2026, 18:00 to 20:00 CET"
    assert changes["cancelled"].event_id == "e3"
    assert changes["new"].event_id == "e4"
    new_item = next(item for item in built.items if item.event.id == "e4")
    assert new_item.is_new
    assert "New since your last digest" in new_item.why


def test_build_digest_follows_up_on_last_weeks_events_only() -> None:
    went = event(7, day=2, hour=17)
    listed = (ListedEvent("e7", "Event 7", went.start, 0, Status.SCHEDULED, "top_pick"),)
    built = digest(
        [], previous=PreviousDigest("2026-W49", SENT_LAST_WEEK, listed), current={"e7": went}
    )
    assert [(f.event_id, f.host) for f in built.follow_ups] == [("e7", "Host 7")]
    assert any("within a day" in step for step in built.follow_up_steps)
    assert any("introductions" in step for step in built.follow_up_steps)

    older = digest(
        [], previous=PreviousDigest("2026-W47", SENT_LAST_WEEK, listed), current={"e7": went}
    )
    assert older.follow_ups == []


def test_build_digest_skips_follow_ups_for_cancelled_events() -> None:
    went = event(7, day=2, status=Status.CANCELLED)
    listed = (ListedEvent("e7", "Event 7", went.start, 0, Status.SCHEDULED),)
    built = digest(
        [], previous=PreviousDigest("2026-W49", SENT_LAST_WEEK, listed), current={"e7": went}
    )
    assert built.follow_ups == []


def test_build_digest_lists_what_a_delivery_records() -> None:
    built = digest([result(event(1), 0.9), result(event(2), 0.8)])
    assert [(item.id, item.role) for item in built.listed()] == [
        ("e1", "top_pick"),
        ("e2", "alternate"),
    ]


def test_prepare_names_the_host_with_its_link_an_opener_and_the_question() -> None:
    advice = prepare(event(1), sectors=["healthcare"])
    assert advice.host == "Host 1"
    assert advice.host_url == "https://example.org/1"
    assert "Research Host 1" in advice.research
    assert advice.opener == OPENERS["healthcare"]
    assert advice.ask == ASK == "Who do you know that you think I should meet?"
    assert "résumé" in advice.resume


def test_prepare_without_an_organizer_researches_the_website() -> None:
    advice = prepare(event(1, organizer=None, url="https://www.pydata.org/berlin"))
    assert advice.host == "pydata.org"


def test_prepare_never_links_a_non_web_url() -> None:
    assert prepare(event(1, url="javascript:alert(1)")).host_url is None


def test_build_digest_fills_a_short_list_with_online_events() -> None:
    near = [result(event(1), 0.9), result(event(2), 0.8)]
    online = [result(event(n, attendance=Attendance.ONLINE), 0.5, None) for n in (3, 4, 5)]
    built = digest(near, online=online)
    assert built.top_pick is not None
    assert len(built.alternates) == 1
    assert [item.event.id for item in built.online] == ["e3", "e4"]
    assert built.notice is None
    assert built.suggestions == []
