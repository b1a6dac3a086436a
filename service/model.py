"""The event: the one record every part of meetscout agrees on; and the digest's shapes.

Plain dataclasses and the standard library only, so that spiders, the store,
the API and the feed renderers can all share it without pulling in each
other's frameworks. The digest's shapes are here because the digest builds
them and the renderers in ``feeds/`` read them, and neither may import the
other; subscriptions, because the store keeps them and imports nothing above it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from functools import lru_cache
from typing import Literal
from zoneinfo import ZoneInfo


class Kind(StrEnum):
    CONFERENCE = "conference"
    BOOK_SIGNING = "book_signing"
    MEETUP = "meetup"
    CAREER_FAIR = "career_fair"
    WORKSHOP = "workshop"
    OTHER = "other"


class Attendance(StrEnum):
    IN_PERSON = "in_person"
    ONLINE = "online"
    MIXED = "mixed"


class Status(StrEnum):
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"
    POSTPONED = "postponed"


@dataclass(slots=True)
class Venue:
    name: str | None = None
    address: str | None = None
    city: str | None = None
    region: str | None = None
    country: str | None = None
    lat: float | None = None
    lon: float | None = None

    def is_empty(self) -> bool:
        return all(getattr(self, f.name) is None for f in fields(self))

    def label(self) -> str:
        """One line a person can read or paste into a map search, each place named once.

        Publishers repeat themselves: an iCalendar LOCATION is often the venue's
        name and then its address, which begins with the name again ("Kittredge
        Arts Center" and "Kittredge Arts Center, Lobby"), and the town and region
        read from an address are kept beside it. So the line is the name's and the
        address's comma-separated pieces, each once ("NJ" is said by "NJ 07042"),
        then the town, the region and the country they do not already name:
        "Asheville, NC", not "Asheville, Asheville, NC, NC, US". The country is a
        code and an address names it in words ("United States"), so it is added
        only where the address names neither the town nor the region.
        """
        pieces: list[str] = []
        for part in (self.name, self.address):
            for piece in (part or "").split(","):
                _add_piece(pieces, piece)
        address = [" ".join(piece.split()) for piece in (self.address or "").split(",")]
        places_named = any(_names(address, place) for place in (self.city, self.region) if place)
        for place in (self.city, self.region):
            _add_piece(pieces, place or "")
        if not places_named:
            _add_piece(pieces, self.country or "")
        return ", ".join(pieces)


def _names(pieces: list[str], place: str) -> bool:
    """Whether one of ``pieces`` is ``place``, or ``place`` and a postal code ("NJ 07042",
    "ON M1H 2Z9": every word after it has a digit; "Asheville Art Museum" does not name
    Asheville)."""
    wanted = " ".join(place.split()).casefold()
    for piece in pieces:
        said = piece.casefold()
        if said == wanted:
            return True
        if said.startswith(wanted + " "):
            rest = said[len(wanted) :].split()
            if all(any(char.isdigit() for char in word) for word in rest):
                return True
    return False


def _add_piece(pieces: list[str], piece: str) -> None:
    """Append ``piece`` (spaces collapsed) unless it is empty or ``pieces`` already name it."""
    piece = " ".join(piece.split())
    if piece and not _names(pieces, piece):
        pieces.append(piece)


@dataclass(slots=True)
class Event:
    """One occurrence of something a person can go to.

    ``start`` and ``end`` are always timezone-aware. ``timezone`` is the IANA
    zone of the venue when known; an all-day event starts at local midnight
    of that zone (UTC when the zone is unknown). ``source`` is the source the
    record came from first; ``sources`` every source that lists it.
    ``details`` holds source facts without a field of their own (a call for
    papers, a code of conduct, languages); ``sector_evidence`` maps each
    sector to the words that decided it. ``organizer`` and ``organizer_url``
    are who runs it and their website, as the source says.
    """

    id: str
    title: str
    start: datetime
    source: str
    end: datetime | None = None
    timezone: str | None = None
    all_day: bool = False
    kind: Kind = Kind.OTHER
    sectors: list[str] = field(default_factory=list)
    attendance: Attendance = Attendance.IN_PERSON
    venue: Venue = field(default_factory=Venue)
    url: str | None = None
    organizer: str | None = None
    organizer_url: str | None = None
    performer: str | None = None
    description: str | None = None
    price: float | None = None
    currency: str | None = None
    is_free: bool | None = None
    status: Status = Status.SCHEDULED
    source_url: str | None = None
    categories: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    details: dict[str, str] = field(default_factory=dict)
    sector_evidence: dict[str, list[str]] = field(default_factory=dict)
    kind_reason: str | None = None
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    updated: datetime | None = None
    sequence: int = 0
    host: str | None = None
    """The slug of the host's page, given by the store (hosts merged across sources)."""

    def __post_init__(self) -> None:
        if not self.sources:
            self.sources = [self.source]
        for name in ("start", "end", "first_seen", "last_seen", "updated"):
            value = getattr(self, name)
            if value is not None and (value.tzinfo is None or value.utcoffset() is None):
                raise ValueError(f"Event.{name} must be timezone-aware, got {value!r}")

    @property
    def zone(self) -> ZoneInfo:
        return zone_named(self.timezone or "UTC")

    @property
    def effective_end(self) -> datetime:
        """The end, or a sensible one when the source gave none."""
        if self.end is not None:
            return self.end
        return self.start + (timedelta(days=1) if self.all_day else timedelta(hours=2))

    def local_start(self) -> datetime:
        return self.start.astimezone(self.zone)

    def local_end(self) -> datetime:
        return self.effective_end.astimezone(self.zone)

    def with_changes(self, **changes: object) -> Event:
        return replace(self, **changes)  # type: ignore[arg-type]


@lru_cache(maxsize=1024)
def zone_named(name: str) -> ZoneInfo:
    """A zone by IANA name, cached: ZoneInfo keeps only a handful strongly."""
    return ZoneInfo(name)


def make_event_id(source: str, *identity: str) -> str:
    """A stable id from the source's own identity (UID, URL, identifier, start).

    The same inputs give the same id on every crawl and every machine; callers
    never pass the title alone, which changes when organisers fix typos.
    """
    if not identity or not any(part.strip() for part in identity):
        raise ValueError("an event id needs an identity from the source, not just its name")
    digest = hashlib.sha256("\x1f".join((source, *identity)).encode("utf-8")).hexdigest()
    return digest[:24]


def all_day_start(day: date, timezone: str | None) -> datetime:
    """Local midnight of ``day`` in ``timezone`` (UTC when unknown)."""
    zone = zone_named(timezone) if timezone else UTC
    return datetime.combine(day, time(0, 0), tzinfo=zone)


MERGEABLE_LISTS = ("sectors", "categories", "sources")
MERGEABLE_DICTS = ("details", "sector_evidence")
# Details that hold comma-separated lists: merged records keep every item.
LIST_DETAILS = ("topics",)


def _merge_details(mine: dict[str, str], theirs: dict[str, str]) -> dict[str, str]:
    merged = {**theirs, **mine}
    for key in LIST_DETAILS:
        if key in mine and key in theirs:
            items = [*mine[key].split(","), *theirs[key].split(",")]
            merged[key] = ",".join(dict.fromkeys(item for item in items if item))
    return merged


def merge_events(primary: Event, other: Event) -> Event:
    """Fill what ``primary`` lacks from ``other``; union list fields.

    Used when one source lists the same event twice (confs.tech repeats a
    conference in every topic file it belongs to).
    """
    changes: dict[str, object] = {}
    for f in fields(primary):
        mine, theirs = getattr(primary, f.name), getattr(other, f.name)
        if f.name in MERGEABLE_LISTS:
            merged = list(dict.fromkeys([*mine, *theirs]))
            if merged != mine:
                changes[f.name] = merged
        elif f.name in MERGEABLE_DICTS:
            merged_dict = (
                _merge_details(mine, theirs) if f.name == "details" else {**theirs, **mine}
            )
            if merged_dict != mine:
                changes[f.name] = merged_dict
        elif f.name == "venue":
            venue_changes = {
                vf.name: getattr(theirs, vf.name)
                for vf in fields(mine)
                if getattr(mine, vf.name) is None and getattr(theirs, vf.name) is not None
            }
            if venue_changes:
                changes["venue"] = replace(mine, **venue_changes)
        elif mine in (None, "") and theirs not in (None, ""):
            changes[f.name] = theirs
    return replace(primary, **changes) if changes else primary  # type: ignore[arg-type]


# The weekly digest: what a digest says, built by ``service.digest.build``, shown by ``feeds``

Role = Literal["top_pick", "alternate", "online"]
ChangeKind = Literal["new", "rescheduled", "postponed", "cancelled", "updated"]


@dataclass(frozen=True, slots=True)
class ListedEvent:
    """An event as a delivery listed it: enough to tell later what changed."""

    id: str
    title: str
    start: datetime
    sequence: int
    status: Status
    role: str = "alternate"

    def to_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "title": self.title,
            "start": self.start.isoformat(),
            "sequence": self.sequence,
            "status": self.status.value,
            "role": self.role,
        }

    @classmethod
    def from_json(cls, data: dict[str, object]) -> ListedEvent:
        return cls(
            id=str(data["id"]),
            title=str(data.get("title") or ""),
            start=datetime.fromisoformat(str(data["start"])),
            sequence=int(data.get("sequence") or 0),  # type: ignore[call-overload]
            status=Status(str(data.get("status") or Status.SCHEDULED.value)),
            role=str(data.get("role") or "alternate"),
        )

    @classmethod
    def of(cls, event: Event, role: str) -> ListedEvent:
        return cls(event.id, event.title, event.start, event.sequence, event.status, role)


@dataclass(frozen=True, slots=True)
class Preparation:
    """How to prepare for one event (``service.text.advice.prepare`` writes it)."""

    host: str | None
    host_url: str | None
    research: str
    opener: str
    tip: str
    ask: str
    resume: str


@dataclass(frozen=True, slots=True)
class DigestItem:
    """One event of the digest, with everything a person needs to decide and prepare."""

    event: Event
    role: Role
    when: str
    where: str
    distance_km: float | None
    score: float
    why: list[str]
    fits_free_time: bool
    preparation: Preparation
    is_new: bool = False
    rhythm: str | None = None
    """How it repeats ("every Tuesday, 7:30 am") when it does: shown once, at this date."""


@dataclass(frozen=True, slots=True)
class Change:
    """Something that changed about an event the last digest listed, or a new one."""

    kind: ChangeKind
    event_id: str
    title: str
    url: str | None
    was: str | None = None
    now: str | None = None


@dataclass(frozen=True, slots=True)
class FollowUp:
    """An event of last week's digest: the people met there are worth a note."""

    event_id: str
    title: str
    when: str
    host: str | None
    url: str | None
    going: bool = False
    """The person marked it "I'm going"."""


@dataclass(frozen=True, slots=True)
class Digest:
    """Everything one week's digest says, in the order it says it."""

    title: str
    week: str
    week_start: date
    week_end: date
    timezone: str
    place: str
    radius_km: float
    generated: datetime
    top_pick: DigestItem | None
    alternates: list[DigestItem]
    sectors: list[str] = field(default_factory=list)
    free_times: list[str] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    follow_ups: list[FollowUp] = field(default_factory=list)
    follow_up_steps: list[str] = field(default_factory=list)
    follow_up_intro: str = ""
    """What leads the follow-ups: the events the person marked, or last week's picks."""
    notice: str | None = None
    suggestions: list[str] = field(default_factory=list)
    online: list[DigestItem] = field(default_factory=list)
    wider_radius_km: float | None = None

    @property
    def items(self) -> list[DigestItem]:
        """Every event the digest shows, top pick first."""
        head = [self.top_pick] if self.top_pick is not None else []
        return [*head, *self.alternates, *self.online]

    @property
    def is_empty(self) -> bool:
        return not self.items

    def listed(self) -> list[ListedEvent]:
        """What a delivery records, so the next digest can say what changed."""
        return [ListedEvent.of(item.event, item.role) for item in self.items]


# Subscriptions to the weekly digest: the store keeps them, the digest reads them.


class FreeTime(StrEnum):
    """When a person can go out to meet people, in their own time zone."""

    WEEKDAY_DAYTIME = "weekday_daytime"
    WEEKDAY_EVENINGS = "weekday_evenings"
    WEEKENDS = "weekends"


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


# Hosts: who runs events, merged across sources; the store keeps them.


@dataclass(frozen=True, slots=True)
class Host:
    """Who runs events, as one record however many sources list them.

    Sources name a host by website or by name; the store merges records
    with the same website, or the same name when at most one of them has a
    website. ``slug`` is the key of the host's page.
    """

    slug: str
    name: str
    website: str | None
    first_seen: datetime
    updated: datetime


# Going: the events a person said they will go to, private to them.


@dataclass(frozen=True, slots=True)
class GoingList:
    """One person's "I'm going" marks; ``token`` is the unguessable key to it.

    A list of a digest subscription (``subscription_id``) is also reached by
    the subscription's token, and its marks drive the digest's follow-up.
    """

    id: int
    token: str
    created: datetime
    subscription_id: int | None = None


@dataclass(frozen=True, slots=True)
class GoingMark:
    event_id: str
    marked: datetime
