"""A digest subscription and what each weekly delivery listed.

Plain dataclasses and the standard library only: the digest builder, the
store and the API share them without pulling in each other's frameworks.
``free_times`` is a small fixed vocabulary, because a person answers "when
are you free to go out?" with a few words, not a calendar.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from service.model import Attendance, Event, Kind, ListedEvent
from service.text import labels


class FreeTime(StrEnum):
    """When a person can go out to meet people, in their own time zone."""

    WEEKDAY_DAYTIME = "weekday_daytime"
    WEEKDAY_EVENINGS = "weekday_evenings"
    WEEKENDS = "weekends"


FREE_TIME_LABELS: dict[FreeTime, str] = {
    free_time: labels.FREE_TIME_LABELS[free_time] for free_time in FreeTime
}
"""The words of :mod:`service.text.labels`, keyed by the enum (the web form reads them so)."""

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

CONFIRM_WITHIN = timedelta(days=7)
"""A confirmation link works this long; unconfirmed subscriptions are then forgotten."""


@dataclass(frozen=True, slots=True)
class Subscription:
    """Who wants a digest of what, near where, and where it stands.

    ``token`` is the unguessable key to the subscription; every digest email
    carries it in its manage and one-click unsubscribe links, so it is kept.
    """

    id: int
    token: str
    email: str
    lat: float
    lon: float
    radius_km: float
    timezone: str
    created: datetime
    updated: datetime
    near: str | None = None
    sectors: tuple[str, ...] = ()
    kinds: tuple[Kind, ...] = ()
    attendance: tuple[Attendance, ...] = ()
    free_times: tuple[FreeTime, ...] = ()
    confirmed: datetime | None = None
    unsubscribed: datetime | None = None

    @property
    def status(self) -> str:
        """``pending`` until confirmed, ``active``, or ``unsubscribed``."""
        if self.unsubscribed is not None:
            return "unsubscribed"
        return "active" if self.confirmed is not None else "pending"

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def place_label(self) -> str:
        return self.near or f"{self.lat:.3f}, {self.lon:.3f}"


@dataclass(frozen=True, slots=True)
class Delivery:
    """One subscription's digest for one ISO week (``2026-W49``)."""

    subscription_id: int
    week: str
    status: str
    attempts: int
    claimed_at: datetime
    sent_at: datetime | None = None
    error: str | None = None
    items: tuple[ListedEvent, ...] = field(default_factory=tuple)
    message_id: str | None = None


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
