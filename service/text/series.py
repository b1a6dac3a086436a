"""How an event that repeats is said: its rhythm ("every Tuesday, 7:30 am") and what is next."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from itertools import pairwise

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def clock_text(moment: datetime) -> str:
    """ "7:30 am", "12 pm", "6:05 pm": the time people say a meeting is at."""
    hour = moment.hour % 12 or 12
    suffix = "am" if moment.hour < 12 else "pm"
    minutes = f":{moment.minute:02d}" if moment.minute else ""
    return f"{hour}{minutes} {suffix}"


def rhythm_text(starts: Sequence[datetime], *, all_day: bool = False) -> str:
    """The rhythm of a series from its local starts (at least two, in order).

    "every day", "every Tuesday", "every other Tuesday", "monthly, on a Tuesday",
    each with its time unless all day; "on several dates" when there is no rhythm.
    """
    if len(starts) < 2:
        raise ValueError("a rhythm needs two dates or more")
    gaps = {(later.date() - earlier.date()).days for earlier, later in pairwise(starts)}
    days = {start.weekday() for start in starts}
    times = {(start.hour, start.minute) for start in starts}
    day = WEEKDAYS[starts[0].weekday()]
    if gaps == {1}:
        rhythm = "every day"
    elif gaps == {7}:
        rhythm = f"every {day}"
    elif gaps == {14}:
        rhythm = f"every other {day}"
    elif len(days) == 1 and gaps <= {7, 14, 21}:
        rhythm = f"most {day}s"
    elif len(days) == 1 and all(27 <= gap <= 35 for gap in gaps):
        rhythm = f"monthly, on a {day}"
    elif len(days) == 1:
        rhythm = f"on some {day}s"
    else:
        rhythm = "on several dates"
    if all_day or len(times) != 1:
        return rhythm
    return f"{rhythm}, {clock_text(starts[0])}"


def series_line(rhythm: str, count: int) -> str:
    """What a list says under a series: "Repeats every Tuesday, 7:30 am (6 dates ahead)"."""
    dates = "1 date" if count == 1 else f"{count} dates"
    return f"Repeats {rhythm} ({dates} ahead)"
