"""A digest's weeks, and whether an event fits the times a person is free.

Weeks run Monday to Sunday in the subscriber's time zone. Free times are a
small fixed vocabulary (:class:`service.model.FreeTime`), because a person
answers "when are you free to go out?" with a few words, not a calendar.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from service.model import Event, FreeTime

_WINDOWS: dict[FreeTime, tuple[frozenset[int], time, time | None]] = {
    FreeTime.WEEKDAY_DAYTIME: (frozenset(range(5)), time(8, 0), time(17, 0)),
    FreeTime.WEEKDAY_EVENINGS: (frozenset(range(5)), time(17, 0), time(23, 0)),
    FreeTime.WEEKENDS: (frozenset({5, 6}), time(0, 0), None),
}
"""(weekdays, from, until) of each free time; ``None`` until midnight."""

ALL_DAY_HOURS = (time(9, 0), time(17, 0))
"""An all-day event (a conference day) is taken to run in office hours."""

MIN_OVERLAP = timedelta(minutes=30)
"""Half an hour inside a free window is enough to go and meet someone."""

MAX_DAYS_CHECKED = 14


def iso_week(day: date) -> str:
    """``2026-W49``: sorts as text in calendar order."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def week_bounds(now: datetime, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """Monday 00:00 and the next Monday 00:00 of ``now``'s week in ``zone``."""
    local = now.astimezone(zone).date()
    monday = local - timedelta(days=local.weekday())
    start = datetime.combine(monday, time(0, 0), tzinfo=zone)
    end = datetime.combine(monday + timedelta(days=7), time(0, 0), tzinfo=zone)
    return start, end


def fits_free_times(event: Event, free_times: Sequence[FreeTime], zone: ZoneInfo) -> bool:
    """Whether the event overlaps a time the person said they are free.

    No free times given means any time. Timed events are read in the
    person's zone; all-day events as office hours on each of their days.
    """
    if not free_times:
        return True
    return any(_overlap(interval, free_times) for interval in _intervals(event, zone))


def _intervals(event: Event, zone: ZoneInfo) -> Iterable[tuple[datetime, datetime]]:
    if event.all_day:
        first, last = event.local_start().date(), event.local_end().date()
        days = max((last - first).days, 1)
        for offset in range(min(days, MAX_DAYS_CHECKED)):
            day = first + timedelta(days=offset)
            yield (
                datetime.combine(day, ALL_DAY_HOURS[0], tzinfo=zone),
                datetime.combine(day, ALL_DAY_HOURS[1], tzinfo=zone),
            )
        return
    start, end = event.start.astimezone(zone), event.effective_end.astimezone(zone)
    yield start, max(end, start + timedelta(minutes=1))


def _overlap(interval: tuple[datetime, datetime], free_times: Sequence[FreeTime]) -> bool:
    start, end = interval
    need = min(MIN_OVERLAP, max(end - start, timedelta(0)))
    day = start.date()
    for _ in range(MAX_DAYS_CHECKED):
        if datetime.combine(day, time(0, 0), tzinfo=start.tzinfo) >= end:
            break
        for free_time in free_times:
            weekdays, opens, closes = _WINDOWS[free_time]
            if day.weekday() not in weekdays:
                continue
            window_start = datetime.combine(day, opens, tzinfo=start.tzinfo)
            window_end = (
                datetime.combine(day, closes, tzinfo=start.tzinfo)
                if closes is not None
                else datetime.combine(day + timedelta(days=1), time(0, 0), tzinfo=start.tzinfo)
            )
            shared = min(end, window_end) - max(start, window_start)
            if shared > timedelta(0) and shared >= need:
                return True
        day += timedelta(days=1)
    return False
