"""Phrases made from an event's numbers: distances, dates and times, places, prices.

Pure functions of the model, one definition each, so a distance or a date
reads the same in search reasons, on the web page, in the digest and in the
feeds. They return plain text; each caller cleans and escapes it for where
it goes.
"""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from service.model import Attendance, Event
from service.text.labels import ATTENDANCE_LABELS

# Counts


def count_text(total: int, *, exact: bool = True) -> str:
    """How many events a search found; "at least" where counting every match was not worth
    the wait (a search with many matches says how many it has seen)."""
    if total == 0:
        return "No events match yet"
    if not exact:
        return f"At least {total:,} events"
    return "1 event" if total == 1 else f"{total:,} events"


# Distances


def km_text(value: float) -> str:
    """A radius or distance without a verb: "25 km", "7.5 km"."""
    return f"{value:.0f} km" if value >= 10 else f"{value:.1f} km"


def distance_text(distance_km: float, event: Event | None = None) -> str:
    """ "3.2 km away"; for an event placed at its town's centre, the town and a rough distance."""
    town = event.venue.city if event is not None else None
    if town and event is not None and event.details.get("located_by") == "gazetteer":
        if distance_km < 1:
            return f"in {town} (exact venue unknown)"
        return f"in {town}, about {distance_km:,.0f} km away"
    if distance_km < 1:
        return f"{max(10, round(distance_km * 1000, -1)):.0f} m away"
    if distance_km < 100:
        return f"{distance_km:.1f} km away"
    return f"{distance_km:,.0f} km away"


# Places and prices


def where_text(event: Event) -> str:
    """Where to go: the venue, and whether joining online is possible instead."""
    if event.attendance == Attendance.ONLINE:
        return ATTENDANCE_LABELS[Attendance.ONLINE]
    label = event.venue.label()
    if event.attendance == Attendance.MIXED:
        return f"{label} (or online)" if label else ATTENDANCE_LABELS[Attendance.MIXED]
    return label or "Place to be announced"


def where_short_text(event: Event) -> str:
    """Where, in a few words for a narrow cell: the venue's name and town, or "Online"."""
    if event.attendance == Attendance.ONLINE:
        return ATTENDANCE_LABELS[Attendance.ONLINE]
    parts = [part for part in (event.venue.name, event.venue.city) if part]
    if len(parts) == 2 and parts[1] in parts[0]:
        parts = parts[:1]
    label = ", ".join(parts) or event.venue.label()
    if event.attendance == Attendance.MIXED:
        return f"{label} (or online)" if label else ATTENDANCE_LABELS[Attendance.MIXED]
    return label or "Place to be announced"


def amount_text(price: float, currency: str | None) -> str:
    """ "25 CAD", "12.50 EUR", "1,500 USD"; empty for a price that is not a number."""
    if not math.isfinite(price):
        return ""
    amount = f"{price:,.2f}".removesuffix(".00")
    return f"{amount} {currency or ''}".strip()


def price_text(event: Event) -> str | None:
    """What it costs, as a field of its own: "Free", "15 CAD", "Paid", or None when unknown."""
    if event.is_free:
        return "Free"
    if event.price is not None and event.currency:
        return amount_text(event.price, event.currency) or None
    if event.is_free is False:
        return "Paid"
    return None


def attendance_text(event: Event) -> str:
    """How one takes part and what it costs, as a search reason: "in person, free"."""
    where = ATTENDANCE_LABELS[event.attendance].lower()
    if event.is_free:
        return f"{where}, free"
    if event.is_free is False:
        if event.price is not None and event.currency:
            return f"{where}, {amount_text(event.price, event.currency)}"
        return f"{where}, paid"
    return where


# Dates and times


def day_text(day: date) -> str:
    """ "Monday 7 December 2026": a date no reader can take for another."""
    return f"{day:%A} {day.day} {day:%B %Y}"


def when_text(event: Event, zone: ZoneInfo) -> str:
    """The event's time as the person reads it: their zone, or the event's dates if all day."""
    if event.all_day:
        first, last = event.local_start().date(), event.local_end().date() - timedelta(days=1)
        if last <= first:
            return f"{day_text(first)} (all day)"
        return f"{day_text(first)} to {day_text(last)} (all day)"
    start = event.start.astimezone(zone)
    end = event.effective_end.astimezone(zone)
    label = start.tzname() or zone.key
    if end.date() == start.date():
        return f"{day_text(start.date())}, {start:%H:%M} to {end:%H:%M} {label}"
    return f"{day_text(start.date())} {start:%H:%M} to {day_text(end.date())} {end:%H:%M} {label}"


def moment_text(start: datetime, all_day: bool, event_zone: ZoneInfo, zone: ZoneInfo) -> str:
    """When something started, without its end: what an event's old time was."""
    if all_day:
        return day_text(start.astimezone(event_zone).date())
    local = start.astimezone(zone)
    return f"{day_text(local.date())}, {local:%H:%M} {local.tzname() or zone.key}"


LONG_RUN = timedelta(days=7)
"""Longer than this, an event is seldom on at every moment between its start and its end: a
monthly "Wine Wednesday" listed once from April to December, a season, an exhibition."""


def runs_until_text(event: Event, now: datetime) -> str | None:
    """ "runs until Wednesday 16 December 2026" for an event that has started and runs longer
    than :data:`LONG_RUN`: what it says instead of when it began, which may be months ago.
    None for any other event."""
    if (
        not event.start <= now < event.effective_end
        or event.effective_end - event.start <= LONG_RUN
    ):
        return None
    # An end is exclusive: an all-day event (or one ending at midnight) ends the day before.
    last_day = (event.local_end() - timedelta(microseconds=1)).date()
    return f"runs until {day_text(last_day)}"


def how_soon_text(event: Event, now: datetime) -> str:
    """ "today", "tomorrow", "this week", "in 12 days": counted in the event's own calendar.

    Once started, an event says "happening now", unless it runs longer than
    :data:`LONG_RUN`: then it says until when ("runs until Wednesday 16 December 2026"),
    which stays true whether or not something is on at this hour.
    """
    if event.effective_end <= now:
        return "already over"
    if event.start <= now:
        return runs_until_text(event, now) or "happening now"
    zone = event.zone
    days = (event.start.astimezone(zone).date() - now.astimezone(zone).date()).days
    if days == 0:
        return "today"
    if days == 1:
        return "tomorrow"
    if days < 7:
        return "this week"
    if days < 14:
        return "next week"
    if days <= 60:
        return f"in {days} days"
    return f"in {round(days / 30.44)} months"
