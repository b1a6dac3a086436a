"""Cross-source de-duplication: the same event listed by two sources is stored once.

Two records are the same event when they start at about the same time, are
not at two different venues, and either share a URL that names one event,
or have similar titles in the same city (or are both online). The record
kept holds every source that lists it; its time, title and status come from
its own source, and each descriptive field from whichever record says more.

A URL names one event only when its source gives it to one event: a
homepage, a calendar page or a series page that a source links from many
events says where to look, not which event this is (two different events at
one community hub both link the hub). A query string is part of the name
(``event.php?id=1`` and ``?id=2`` are two events); tracking parameters are
not. Two venue names are two places when neither holds every word of the
other ("Southwest Branch" and "Ellettsville Branch" of one library).
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, fields, replace
from datetime import UTC, date, datetime, timedelta
from difflib import SequenceMatcher
from urllib.parse import parse_qsl, urlencode, urlsplit
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


TRACKING_PREFIXES = ("utm", "mc_", "_hs", "pk_", "mtm_")
"""Query parameters that say how a person came, not what they came to (any case)."""
TRACKING_PARAMETERS = frozenset(
    {
        "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid",
        "igshid", "ttclid", "li_fat_id", "mkt_tok", "ref", "ref_src", "ref_url", "referrer",
        "source", "src", "s_cid", "cmpid", "campaign", "_ga", "_gl", "oly_enc_id", "oly_anon_id",
        "vero_id", "rb_clickid", "aff", "affiliate",
    }
)  # fmt: skip


def _identifying(name: str) -> bool:
    lowered = name.casefold()
    return lowered not in TRACKING_PARAMETERS and not lowered.startswith(TRACKING_PREFIXES)


def url_key(url: str | None) -> str | None:
    """A URL without scheme, ``www.``, fragment, trailing slash or tracking parameters.

    The parameters that are left are sorted: they name the event in any order.
    A site's front page (no path, no query) names a site, never an event: None.
    """
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
        query = parse_qsl(parts.query, keep_blank_values=True)
    except ValueError:
        return None
    host = parts.netloc.casefold().removeprefix("www.")
    if not host:
        return None
    path = parts.path.rstrip("/")
    kept = sorted((name, value) for name, value in query if _identifying(name))
    if not path and not kept:
        return None
    return f"{host}{path}?{urlencode(kept)}" if kept else f"{host}{path}"


def shared_urls(events: Iterable[Event]) -> frozenset[str]:
    """The URL keys one source gives to more than one of ``events`` (all of one source)."""
    counts: dict[str, int] = defaultdict(int)
    for event in events:
        key = url_key(event.url)
        if key is not None:
            counts[key] += 1
    return frozenset(key for key, count in counts.items() if count > 1)


def venue_tokens(name: str | None) -> frozenset[str]:
    return title_tokens(name) if name else frozenset()


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
    venue: frozenset[str] = frozenset()

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
            venue_name=event.venue.name,
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
        venue_name: str | None = None,
    ) -> Fingerprint:
        """``from_fields``, remembered for the process.

        Every source's store stage reads the other sources' stored events
        again; computing each fingerprint once instead of once per source is
        what keeps that from growing with the square of the sources. The key
        is every input, so an event whose stored fields change (a merge fills
        in its city or URL) gets a fresh fingerprint.
        """
        key = (id, source, title, start, timezone, all_day, url, city, online, venue_name)
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
                venue_name=venue_name,
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
        venue_name: str | None = None,
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
            venue=venue_tokens(venue_name),
        )


FINGERPRINT_CACHE_SIZE = 200_000
"""Fingerprints kept by ``Fingerprint.cached``: far more than a crawl's events, a few tens of MB."""
_FingerprintKey = tuple[
    str, str, str, datetime, str | None, bool, str | None, str | None, bool, str | None
]
_FINGERPRINTS: dict[_FingerprintKey, Fingerprint] = {}


def _spells(url: str | None, title: frozenset[str]) -> bool:
    """Whether the path of ``url`` (a :func:`url_key`) holds most words of a title, two at
    least: "/event/unerd-2026-undergraduate-engineering-research-day/" names one event, where
    "/calendar" names where to look."""
    if not url or "/" not in url:
        return False
    path = frozenset(WORD.findall(url.split("/", 1)[1]))
    found = len(title & path)
    return found >= 2 and found >= TOKEN_OVERLAP * len(title)


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
    same_url = a.url is not None and a.url == b.url
    if a.venue and b.venue and not (a.venue <= b.venue or b.venue <= a.venue):
        # Two places (two branches of a library, two rooms of a hub), unless both give the
        # page whose address spells both titles: one event that two sources place in their
        # own words (a building's name, a faculty's).
        return same_url and _spells(a.url, a.tokens) and _spells(b.url, b.tokens)
    if same_url:
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
    """Other sources' events, by day, as fingerprints (the store loads a few columns).

    A URL that a candidate's source gives to several of its events is not
    matched on (see the module's docstring).
    """

    def __init__(self, candidates: Iterable[Fingerprint]) -> None:
        listed = list(candidates)
        uses: dict[tuple[str, str], int] = defaultdict(int)
        for candidate in listed:
            if candidate.url is not None:
                uses[candidate.source, candidate.url] += 1
        self.by_day: dict[date, list[Fingerprint]] = defaultdict(list)
        for candidate in listed:
            if candidate.url is not None and uses[candidate.source, candidate.url] > 1:
                candidate = replace(candidate, url=None)
            self.by_day[candidate.day].append(candidate)

    def find(self, event: Event, *, shared: frozenset[str] = frozenset()) -> Fingerprint | None:
        """The twin of ``event`` among the candidates, if any.

        ``shared``: the URL keys that ``event``'s own source gives to several
        events (:func:`shared_urls`), which say nothing about which one it is.
        """
        mine = Fingerprint.of(event)
        if mine.url is not None and mine.url in shared:
            mine = replace(mine, url=None)
        for offset in (0, -1, 1):
            for candidate in self.by_day.get(mine.day + timedelta(days=offset), ()):
                if candidate.id != mine.id and _same(candidate, mine):
                    return candidate
        return None
