"""How soon an event is, as its reasons and its page say it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from service.text.phrases import how_soon_text, runs_until_text
from tests.factories import NOW, make_event


def test_a_started_event_is_happening_now() -> None:
    conference = make_event(start=NOW - timedelta(days=2), end=NOW + timedelta(days=2))

    assert how_soon_text(conference, NOW) == "happening now"


def test_an_event_listed_across_months_says_until_when_it_runs() -> None:
    """The Asheville chamber lists "Wine Wednesday" (5-7 pm, third Wednesday of each month)
    once, from 15 April to 16 December: on a Friday night it is not on now."""
    wine_wednesday = make_event(
        start=datetime(2026, 4, 15, 21, 0, tzinfo=UTC),
        end=datetime(2026, 12, 17, 0, 0, tzinfo=UTC),
        timezone="America/New_York",
    )
    friday_night = datetime(2026, 8, 22, 2, 23, tzinfo=UTC)

    assert how_soon_text(wine_wednesday, friday_night) == "runs until Wednesday 16 December 2026"


@pytest.mark.parametrize(
    ("all_day", "end", "last_day"),
    [
        (True, datetime(2026, 12, 20, tzinfo=UTC), "Saturday 19 December 2026"),
        (False, datetime(2026, 12, 20, tzinfo=UTC), "Saturday 19 December 2026"),
        (False, datetime(2026, 12, 20, 0, 1, tzinfo=UTC), "Sunday 20 December 2026"),
    ],
)
def test_a_long_event_names_the_last_day_it_is_on(
    all_day: bool, end: datetime, last_day: str
) -> None:
    season = make_event(
        start=datetime(2026, 11, 1, tzinfo=UTC), end=end, all_day=all_day, timezone="UTC"
    )

    assert how_soon_text(season, NOW) == f"runs until {last_day}"


def test_an_event_of_a_week_at_most_is_happening_now() -> None:
    start = NOW - timedelta(days=3)
    festival = make_event(start=start, end=start + timedelta(days=7))

    assert how_soon_text(festival, NOW) == "happening now"


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (NOW - timedelta(hours=1), NOW + timedelta(hours=1)),  # short, on now
        (NOW + timedelta(days=1), NOW + timedelta(days=90)),  # long, not begun
        (NOW - timedelta(days=90), NOW - timedelta(days=1)),  # long, over
    ],
)
def test_only_a_long_run_on_now_says_until_when(start: datetime, end: datetime) -> None:
    assert runs_until_text(make_event(start=start, end=end), NOW) is None
