"""Free times and weeks: when a person can go, and which week a digest covers."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from service.digest.weeks import fits_free_times, iso_week, week_bounds
from service.model import Event, FreeTime, all_day_start
from tests.factories import make_event

BERLIN = ZoneInfo("Europe/Berlin")


def timed(start: datetime, hours: float = 2, zone: str = "Europe/Berlin") -> Event:
    return make_event(start=start, end=start + timedelta(hours=hours), timezone=zone)


def local(day: int, hour: int, minute: int = 0) -> datetime:
    """December 2026 in Berlin: the 7th is a Monday."""
    return datetime(2026, 12, day, hour, minute, tzinfo=BERLIN)


@pytest.mark.parametrize(
    ("start", "free_times", "fits"),
    [
        (local(8, 18, 30), [FreeTime.WEEKDAY_EVENINGS], True),
        (local(8, 18, 30), [FreeTime.WEEKDAY_DAYTIME], False),
        (local(8, 10), [FreeTime.WEEKDAY_DAYTIME], True),
        (local(8, 10), [FreeTime.WEEKENDS], False),
        (local(12, 10), [FreeTime.WEEKENDS], True),
        (local(12, 19), [FreeTime.WEEKDAY_EVENINGS], False),
        # 16:00-18:00 shares an hour with the evening window: enough to go.
        (local(8, 16), [FreeTime.WEEKDAY_EVENINGS], True),
        # 16:45-18:45 shares 15 minutes with daytime: not enough.
        (local(8, 16, 45), [FreeTime.WEEKDAY_DAYTIME], False),
        (local(8, 10), [], True),
        (local(8, 10), [FreeTime.WEEKENDS, FreeTime.WEEKDAY_DAYTIME], True),
    ],
)
def test_fits_free_times_for_timed_events(
    start: datetime, free_times: list[FreeTime], fits: bool
) -> None:
    assert fits_free_times(timed(start), free_times, BERLIN) is fits


def test_fits_free_times_reads_the_event_in_the_persons_zone() -> None:
    # 18:00 in New York is midnight in Berlin: an evening there, not here.
    event = timed(datetime(2026, 12, 8, 18, 0, tzinfo=ZoneInfo("America/New_York")))
    assert fits_free_times(event, [FreeTime.WEEKDAY_EVENINGS], ZoneInfo("America/New_York"))
    assert not fits_free_times(event, [FreeTime.WEEKDAY_EVENINGS], BERLIN)


def test_fits_free_times_counts_all_day_events_as_office_hours() -> None:
    friday_to_sunday = make_event(
        start=all_day_start(date(2026, 12, 11), "Europe/Berlin"),
        end=all_day_start(date(2026, 12, 14), "Europe/Berlin"),
        all_day=True,
        timezone="Europe/Berlin",
    )
    assert fits_free_times(friday_to_sunday, [FreeTime.WEEKENDS], BERLIN)
    assert fits_free_times(friday_to_sunday, [FreeTime.WEEKDAY_DAYTIME], BERLIN)
    assert not fits_free_times(friday_to_sunday, [FreeTime.WEEKDAY_EVENINGS], BERLIN)


def test_week_bounds_run_monday_to_monday_in_the_zone() -> None:
    # Sunday 23:30 UTC is already Monday in Berlin.
    start, end = week_bounds(datetime(2026, 12, 6, 23, 30, tzinfo=UTC), BERLIN)
    assert start == local(7, 0)
    assert end == local(14, 0)


def test_iso_week_sorts_as_text_across_the_new_year() -> None:
    weeks = [iso_week(date(2026, 12, 28)), iso_week(date(2027, 1, 4))]
    assert weeks == ["2026-W53", "2027-W01"]
    assert sorted(weeks) == weeks
