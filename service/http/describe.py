"""A search in words, for the name and description a calendar app shows for a feed.

Reads filters with ``getattr`` and defaults, so filters added later (place,
radius, sectors, attendance, price) are described when present and ignored
when not.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from service.text.labels import ATTENDANCE_WORDS, KIND_PLURALS
from service.text.recording import recording_notice

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
ALL_EVENTS = "All events on meetscout"


def describe_search(filters: object) -> str:
    """One phrase: "Free meetups and conferences in healthcare within 25 km of Toronto ...".

    Empty filters read as :data:`ALL_EVENTS`.
    """
    kinds = [KIND_PLURALS.get(kind, _words(kind)) for kind in _values(filters, "kinds")]
    what = _join(kinds) or "events"
    if getattr(filters, "free", None) is True:
        what = f"free {what}"
    parts = [what]
    sectors = [_words(sector) for sector in _values(filters, "sectors")]
    if sectors:
        parts.append(f"in {_join(sectors)}")
    attendance = [
        ATTENDANCE_WORDS.get(_plain(value), _words(value))
        for value in _values(filters, "attendance")
    ]
    if attendance:
        parts.append(_join(attendance, last="or"))
    place = _place(filters)
    if place:
        parts.append(place)
    q = getattr(filters, "q", None)
    if q:
        parts.append(f"matching “{q}”")
    when = _dates(getattr(filters, "start", None), getattr(filters, "end", None))
    if when:
        parts.append(when)
    if len(parts) == 1 and not kinds and what == "events":
        return ALL_EVENTS
    sentence = " ".join(parts)
    return sentence[:1].upper() + sentence[1:]


def describe_feed(
    filters: object,
    *,
    days_back: int,
    horizon_days: int,
    refresh_hours: int,
    max_events: int,
    followup: bool = False,
    alarm_minutes: int | None = None,
    recorded_at: datetime | None = None,
) -> str:
    """What a subscriber gets, in a few plain sentences; a replayed recording says so first."""
    lines = [recording_notice(recorded_at)] if recorded_at is not None else []
    lines += [
        f"{describe_search(filters)}: places to meet someone new in your field, from meetscout.",
        f"From {days_back} days ago to {horizon_days} days ahead, the soonest "
        f"{max_events:,} events; updated every {_hours(refresh_hours)}.",
    ]
    if alarm_minutes == 0:
        lines.append("A reminder when each event starts.")
    elif alarm_minutes is not None:
        lines.append(f"A reminder {_minutes(alarm_minutes)} before each event.")
    if followup:
        lines.append("A follow-up note the morning after each event.")
    return " ".join(lines)


def _values(filters: object, name: str) -> list[Any]:
    """A filter that may be missing, None, a single value or a sequence, as a list."""
    value = getattr(filters, name, None)
    if value is None or value == "":
        return []
    if isinstance(value, str) or not isinstance(value, Iterable):
        return [value]
    return list(value)


def _plain(value: object) -> str:
    return str(getattr(value, "value", value))


def _words(value: object) -> str:
    return _plain(value).replace("_", " ").replace("-", " ").strip()


def _join(items: Sequence[str], last: str = "and") -> str:
    unique = list(dict.fromkeys(item for item in items if item))
    if len(unique) <= 1:
        return "".join(unique)
    return f"{', '.join(unique[:-1])} {last} {unique[-1]}"


def _place(filters: object) -> str:
    """ "within 25 km of Toronto", "near Toronto" or "within 10 km of 43.65, -79.38"."""
    near = getattr(filters, "near", None)
    label = near if isinstance(near, str) else getattr(near, "name", None)
    lat, lon = getattr(filters, "lat", None), getattr(filters, "lon", None)
    if not label and isinstance(lat, int | float) and isinstance(lon, int | float):
        label = f"{lat:.4g}, {lon:.4g}"
    if not label:
        return ""
    radius = getattr(filters, "radius_km", None)
    if isinstance(radius, int | float) and radius > 0:
        return f"within {radius:g} km of {label}"
    return f"near {label}"


def _dates(start: object, end: object) -> str:
    first = _day(start)
    last = _day(end)
    if first and last:
        return f"from {first} to {last}"
    if first:
        return f"from {first}"
    if last:
        return f"until {last}"
    return ""


def _day(value: object) -> str:
    """``1 Dec 2026``, the same in every locale."""
    if isinstance(value, datetime):
        value = value.date()
    if not isinstance(value, date):
        return ""
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def _hours(hours: int) -> str:
    return "hour" if hours == 1 else f"{hours} hours"


def _minutes(minutes: int) -> str:
    if minutes % 1440 == 0:
        days = minutes // 1440
        return "1 day" if days == 1 else f"{days} days"
    if minutes % 60 == 0:
        hours = minutes // 60
        return "1 hour" if hours == 1 else f"{hours} hours"
    return "1 minute" if minutes == 1 else f"{minutes} minutes"
