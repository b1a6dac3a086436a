"""Cross-source de-duplication: the same event listed by two sources is stored once.

Two records are the same event when they start at about the same time and
either share a URL, or have similar titles in the same city (or are both
online). The record kept holds every source that lists it; its time, title
and status come from its own source, and each descriptive field from
whichever record says more.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import fields, replace
from datetime import date, timedelta
from difflib import SequenceMatcher
from urllib.parse import urlsplit

from service.model import Attendance, Event, Venue


START_TOLERANCE = timedelta(hours=2)
TITLE_SIMILARITY = 0.8
TOKEN_OVERLAP = 0.6
# What the record's own source says wins, whatever the other record says.
SCHEDULE_FIELDS = frozenset(
    {"id", "title", "start", "end", "all_day", "timezone", "status", "source", "source_url"}
)
HISTORY_FIELDS = frozenset({"first_seen", "last_seen", "updated", "sequence"})
WORD = re.compile(r"[a-z0-9]+")
STOP_WORDS = frozenset({"the", "a", "an", "and", "of", "in", "at", "with", "for", "on", "to"})


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def title_tokens(title: str) -> frozenset[str]:
    return frozenset(w for w in WORD.findall(_fold(title)) if w not in STOP_WORDS)


def url_key(url: str | None) -> str | None:
    """A URL without scheme, ``www.``, query, fragment or trailing slash."""
    if not url:
        return None
    parts = urlsplit(url.strip())
    host = parts.netloc.casefold().removeprefix("www.")
    if not host:
        return None
    return f"{host}{parts.path.rstrip('/')}"


def similar_titles(a: str, b: str) -> bool:
    ta, tb = title_tokens(a), title_tokens(b)
    if ta and tb and len(ta & tb) / len(ta | tb) >= TOKEN_OVERLAP:
        return True
    return SequenceMatcher(None, _fold(a), _fold(b)).ratio() >= TITLE_SIMILARITY


def same_place(a: Event, b: Event) -> bool:
    if a.attendance is Attendance.ONLINE and b.attendance is Attendance.ONLINE:
        return True
    city_a, city_b = a.venue.city, b.venue.city
    if city_a and city_b:
        return _fold(city_a) == _fold(city_b)
    return False


def close_in_time(a: Event, b: Event) -> bool:
    if a.all_day or b.all_day:
        return a.local_start().date() == b.local_start().date()
    return abs(a.start - b.start) <= START_TOLERANCE


def same_event(a: Event, b: Event) -> bool:
    if not close_in_time(a, b):
        return False
    key_a, key_b = url_key(a.url), url_key(b.url)
    if key_a and key_a == key_b:
        return True
    return similar_titles(a.title, b.title) and same_place(a, b)


def _detail(value: object) -> int:
    """How much a field value says: longer text, more venue fields."""
    if value is None or value == "" or value == [] or value == {}:
        return 0
    if isinstance(value, str):
        return len(value)
    if isinstance(value, Venue):
        return sum(getattr(value, f.name) is not None for f in fields(value))
    return 1


def _merge_venue(primary: Venue, other: Venue) -> Venue:
    best, rest = (primary, other) if _detail(primary) >= _detail(other) else (other, primary)
    missing = {
        f.name: getattr(rest, f.name)
        for f in fields(best)
        if getattr(best, f.name) is None and getattr(rest, f.name) is not None
    }
    return replace(best, **missing) if missing else best


def merge_duplicate(primary: Event, other: Event) -> Event:
    """``primary`` keeps its identity and schedule; each other field takes the richer value."""
    changes: dict[str, object] = {}
    for f in fields(primary):
        name = f.name
        if name in SCHEDULE_FIELDS or name in HISTORY_FIELDS:
            continue
        mine, theirs = getattr(primary, name), getattr(other, name)
        if isinstance(mine, list):
            merged = list(dict.fromkeys([*mine, *theirs]))
            if merged != mine:
                changes[name] = merged
        elif isinstance(mine, dict):
            merged_dict = {**theirs, **mine}
            if merged_dict != mine:
                changes[name] = merged_dict
        elif isinstance(mine, Venue):
            venue = _merge_venue(mine, theirs)
            if venue != mine:
                changes[name] = venue
        elif _detail(theirs) > _detail(mine) and not isinstance(mine, bool):
            changes[name] = theirs
    return replace(primary, **changes) if changes else primary  # type: ignore[arg-type]


class DuplicateIndex:
    """Stored events of other sources, looked up by day.

    Holds only what matching needs (the store loads a few columns per
    candidate); :meth:`find` returns the id of the twin.
    """

    def __init__(self, events: Iterable[Event]) -> None:
        self.by_day: dict[date, list[Event]] = defaultdict(list)
        for event in events:
            self.by_day[event.start.date()].append(event)

    def find(self, event: Event) -> Event | None:
        day = event.start.date()
        for offset in (0, -1, 1):
            for candidate in self.by_day.get(day + timedelta(days=offset), ()):
                if candidate.id != event.id and same_event(candidate, event):
                    return candidate
        return None
