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
from dataclasses import dataclass, fields, replace
from datetime import UTC, date, datetime, timedelta
from difflib import SequenceMatcher
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

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


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """What matching reads of an event, computed once per event."""

    id: str
    source: str
    start: datetime
    day: date
    all_day: bool
    tokens: frozenset[str]
    folded: str
    url: str | None
    city: str | None
    online: bool

    @classmethod
    def of(cls, event: Event) -> Fingerprint:
        return cls.from_fields(
            id=event.id,
            source=event.source,
            title=event.title,
            start=event.start,
            timezone=event.timezone,
            all_day=event.all_day,
            url=event.url,
            city=event.venue.city,
            online=event.attendance is Attendance.ONLINE,
        )

    @classmethod
    def cached(
        cls,
        *,
        id: str,
        source: str,
        title: str,
        start: datetime,
        timezone: str | None,
        all_day: bool,
        url: str | None,
        city: str | None,
        online: bool,
    ) -> Fingerprint:
        """``from_fields``, remembered for the process.

        Every source's store stage reads the other sources' stored events
        again; computing each fingerprint once instead of once per source is
        what keeps that from growing with the square of the sources. The key
        is every input, so an event whose stored fields change (a merge fills
        in its city or URL) gets a fresh fingerprint.
        """
        key = (id, source, title, start, timezone, all_day, url, city, online)
        found = _FINGERPRINTS.get(key)
        if found is None:
            if len(_FINGERPRINTS) >= FINGERPRINT_CACHE_SIZE:
                _FINGERPRINTS.clear()  # rare; a bound, not an eviction policy
            found = _FINGERPRINTS[key] = cls.from_fields(
                id=id,
                source=source,
                title=title,
                start=start,
                timezone=timezone,
                all_day=all_day,
                url=url,
                city=city,
                online=online,
            )
        return found

    @classmethod
    def from_fields(
        cls,
        *,
        id: str,
        source: str,
        title: str,
        start: datetime,
        timezone: str | None,
        all_day: bool,
        url: str | None,
        city: str | None,
        online: bool,
    ) -> Fingerprint:
        zone = ZoneInfo(timezone) if timezone else UTC
        return cls(
            id=id,
            source=source,
            start=start,
            day=start.astimezone(zone).date(),
            all_day=all_day,
            tokens=title_tokens(title),
            folded=_fold(title),
            url=url_key(url),
            city=_fold(city) if city else None,
            online=online,
        )


FINGERPRINT_CACHE_SIZE = 200_000
"""Fingerprints kept by ``Fingerprint.cached``: far more than a crawl's events, a few tens of MB."""
_FingerprintKey = tuple[str, str, str, datetime, str | None, bool, str | None, str | None, bool]
_FINGERPRINTS: dict[_FingerprintKey, Fingerprint] = {}


def _similar(a: Fingerprint, b: Fingerprint) -> bool:
    if a.tokens and b.tokens:
        overlap = len(a.tokens & b.tokens) / len(a.tokens | b.tokens)
        if overlap >= TOKEN_OVERLAP:
            return True
        if overlap < TOKEN_OVERLAP / 2:
            return False  # too far apart for a character-level match to change the answer
    return SequenceMatcher(None, a.folded, b.folded).ratio() >= TITLE_SIMILARITY


def _same(a: Fingerprint, b: Fingerprint) -> bool:
    if a.all_day or b.all_day:
        if a.day != b.day:
            return False
    elif abs(a.start - b.start) > START_TOLERANCE:
        return False
    if a.url and a.url == b.url:
        return True
    same_place = (a.online and b.online) or (a.city is not None and a.city == b.city)
    return same_place and _similar(a, b)


def same_event(a: Event, b: Event) -> bool:
    return _same(Fingerprint.of(a), Fingerprint.of(b))


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
    """Other sources' events, by day, as fingerprints (the store loads a few columns)."""

    def __init__(self, candidates: Iterable[Fingerprint]) -> None:
        self.by_day: dict[date, list[Fingerprint]] = defaultdict(list)
        for candidate in candidates:
            self.by_day[candidate.day].append(candidate)

    def find(self, event: Event) -> Fingerprint | None:
        """The twin of ``event`` among the candidates, if any."""
        mine = Fingerprint.of(event)
        for offset in (0, -1, 1):
            for candidate in self.by_day.get(mine.day + timedelta(days=offset), ()):
                if candidate.id != mine.id and _same(candidate, mine):
                    return candidate
        return None
