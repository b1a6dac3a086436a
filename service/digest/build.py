"""A week's digest: one best place to meet someone new, a few alternates, how to prepare.

Pure: it takes search results, what the last digest listed and ``now``, and
returns a :class:`Digest` that every renderer (email, page, Markdown, JSON,
Atom) shows the same way. The week runs Monday to Sunday in the
subscriber's time zone. The top pick is the best-scoring in-person event
that fits when the person is free, because the point is to meet someone
this week; alternates are the next best, free-time fits first.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Literal
from zoneinfo import ZoneInfo

from service.classify.sectors import get_taxonomy
from service.digest.subscription import (
    FREE_TIME_LABELS,
    FreeTime,
    ListedEvent,
    fits_free_times,
    iso_week,
    week_bounds,
)
from service.model import Attendance, Event, Status
from service.text.advice import FOLLOW_UP_STEPS, ONLINE_HINT, Preparation, host_of, prepare

if TYPE_CHECKING:
    from service.search import SearchResult

MAX_ALTERNATES = 5
MIN_ALTERNATES = 3
"""Fewer alternates near than this, and online events fill the list up to it."""
MAX_ONLINE = 3
IN_PERSON = (Attendance.IN_PERSON, Attendance.MIXED)

Role = Literal["top_pick", "alternate", "online"]
ChangeKind = Literal["new", "rescheduled", "postponed", "cancelled", "updated"]


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


@dataclass(frozen=True, slots=True)
class PreviousDigest:
    """What the last digest that went out listed, and when it went out."""

    week: str
    sent_at: datetime
    items: tuple[ListedEvent, ...]


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
    follow_up_steps: list[str] = field(default_factory=lambda: list(FOLLOW_UP_STEPS))
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


def build_digest(
    results: Sequence[SearchResult],
    *,
    now: datetime,
    timezone: str,
    place: str,
    radius_km: float,
    sectors: Sequence[str] = (),
    free_times: Sequence[FreeTime] = (),
    previous: PreviousDigest | None = None,
    current: Mapping[str, Event] | None = None,
    online: Sequence[SearchResult] = (),
    max_radius_km: float | None = None,
    week_of: datetime | None = None,
) -> Digest:
    """The digest of ``now``'s week (or ``week_of``'s) from ranked ``results`` near the person.

    ``current`` holds today's record of each event ``previous`` listed, to
    tell what changed; ``online`` are online events to suggest when nothing
    near fits, or to make up a short list of alternates. Results outside the
    rest of the week, and cancelled ones, are left out whatever the caller
    passed.
    """
    zone = ZoneInfo(timezone)
    week_start, week_end = week_bounds(max(week_of or now, now), zone)
    since = previous.sent_at if previous is not None else None
    ranked = sorted(
        (r for r in results if _in_week(r.event, max(now, week_start), week_end)),
        key=lambda r: (-r.score, r.event.start, r.event.id),
    )

    def item(result: SearchResult, role: Role) -> DigestItem:
        return _item(result, role, zone=zone, sectors=sectors, free_times=free_times, since=since)

    top = next(
        (
            r
            for r in ranked
            if r.event.attendance in IN_PERSON and fits_free_times(r.event, free_times, zone)
        ),
        None,
    )
    rest = [r for r in ranked if r is not top]
    rest.sort(key=lambda r: not fits_free_times(r.event, free_times, zone))
    top_pick = item(top, "top_pick") if top is not None else None
    alternates = [item(r, "alternate") for r in rest[:MAX_ALTERNATES]]

    notice: str | None = None
    suggestions: list[str] = []
    wider: float | None = None
    if top_pick is None:
        notice, suggestions, wider = _nothing_near(
            place, radius_km, max_radius_km, has_others=bool(alternates), free_times=free_times
        )
    room = MAX_ONLINE if top_pick is None else max(MIN_ALTERNATES - len(alternates), 0)
    shown = {r.event.id for r in ranked}
    online_items = [
        item(r, "online")
        for r in sorted(online, key=lambda r: (-r.score, r.event.start, r.event.id))
        if r.event.id not in shown and _in_week(r.event, max(now, week_start), week_end)
    ][:room]
    if online_items and top_pick is None:
        suggestions.append(ONLINE_HINT)

    shown_items = [*([top_pick] if top_pick else []), *alternates, *online_items]
    taxonomy = get_taxonomy()
    return Digest(
        title=f"Places to meet someone new near {place}: week of {_day(week_start.date())}",
        week=iso_week(week_start.date()),
        week_start=week_start.date(),
        week_end=(week_end - timedelta(days=1)).date(),
        timezone=timezone,
        place=place,
        radius_km=radius_km,
        generated=now,
        top_pick=top_pick,
        alternates=alternates,
        sectors=[(s.label if (s := taxonomy.get(slug)) else slug) for slug in sectors],
        free_times=[FREE_TIME_LABELS[value] for value in free_times],
        changes=_changes(previous, current or {}, shown_items, zone),
        follow_ups=_follow_ups(previous, current or {}, now, week_start, zone),
        notice=notice,
        suggestions=suggestions,
        online=online_items,
        wider_radius_km=wider,
    )


def _in_week(event: Event, start: datetime, end: datetime) -> bool:
    if event.status == Status.CANCELLED:
        return False
    return event.effective_end > start and event.start < end


def _item(
    result: SearchResult,
    role: Role,
    *,
    zone: ZoneInfo,
    sectors: Sequence[str],
    free_times: Sequence[FreeTime],
    since: datetime | None,
) -> DigestItem:
    event = result.event
    fits = fits_free_times(event, free_times, zone)
    is_new = since is not None and event.first_seen is not None and event.first_seen > since
    why = list(result.why)
    if free_times:
        why.append("Fits when you are free" if fits else "Outside the times you said you are free")
    if is_new:
        why.append("New since your last digest")
    return DigestItem(
        event=event,
        role=role,
        when=when(event, zone),
        where=where(event),
        distance_km=result.distance_km,
        score=result.score,
        why=why,
        fits_free_time=fits,
        preparation=prepare(event, sectors=sectors),
        is_new=is_new,
    )


def _nothing_near(
    place: str,
    radius_km: float,
    max_radius_km: float | None,
    *,
    has_others: bool,
    free_times: Sequence[FreeTime],
) -> tuple[str, list[str], float | None]:
    radius = _km(radius_km)
    if has_others:
        reason = "fits the times you said you are free" if free_times else "is in person"
        notice = f"Nothing near {place} within {radius} this week {reason}; here is what there is."
    else:
        notice = f"Nothing near {place} within {radius} this week."
    wider = radius_km * 2 if max_radius_km is None else min(radius_km * 2, max_radius_km)
    if wider <= radius_km:
        return notice, [], None
    return notice, [f"Try a wider radius: {_km(wider)} finds more."], wider


def _changes(
    previous: PreviousDigest | None,
    current: Mapping[str, Event],
    shown: Sequence[DigestItem],
    zone: ZoneInfo,
) -> list[Change]:
    """New, rescheduled, postponed, cancelled or otherwise changed since the last digest."""
    if previous is None:
        return []
    changes: list[Change] = []
    for listed in previous.items:
        event = current.get(listed.id)
        if event is None:
            continue
        change: ChangeKind | None = None
        if event.status == Status.CANCELLED and listed.status != Status.CANCELLED:
            change = "cancelled"
        elif event.status == Status.POSTPONED and listed.status != Status.POSTPONED:
            change = "postponed"
        elif event.start != listed.start:
            change = "rescheduled"
        elif event.sequence != listed.sequence:
            change = "updated"
        if change is None:
            continue
        was = _moment(listed.start, event.all_day, event.zone, zone)
        changes.append(
            Change(
                kind=change,
                event_id=event.id,
                title=event.title,
                url=event.url,
                was=was,
                now=when(event, zone) if change in ("rescheduled", "updated") else None,
            )
        )
    previously = {listed.id for listed in previous.items}
    for shown_item in shown:
        if shown_item.is_new and shown_item.event.id not in previously:
            changes.append(
                Change(
                    kind="new",
                    event_id=shown_item.event.id,
                    title=shown_item.event.title,
                    url=shown_item.event.url,
                    now=shown_item.when,
                )
            )
    return changes


def _follow_ups(
    previous: PreviousDigest | None,
    current: Mapping[str, Event],
    now: datetime,
    week_start: datetime,
    zone: ZoneInfo,
) -> list[FollowUp]:
    """Last week's picks that have happened: only the digest of the week just before."""
    if previous is None:
        return []
    last_week = iso_week((week_start - timedelta(days=7)).date())
    if previous.week != last_week:
        return []
    ordered = sorted(previous.items, key=lambda listed: listed.role != "top_pick")
    follow_ups = []
    for listed in ordered:
        event = current.get(listed.id)
        if event is not None and (event.status == Status.CANCELLED or event.start >= now):
            continue
        if event is None and listed.start >= now:
            continue
        follow_ups.append(
            FollowUp(
                event_id=listed.id,
                title=event.title if event else listed.title,
                when=when(event, zone) if event else _moment(listed.start, False, zone, zone),
                host=host_of(event) if event else None,
                url=event.url if event else None,
            )
        )
    return follow_ups


def when(event: Event, zone: ZoneInfo) -> str:
    """The event's time as the person reads it: their zone, or the event's dates if all day."""
    if event.all_day:
        first, last = event.local_start().date(), event.local_end().date() - timedelta(days=1)
        if last <= first:
            return f"{_day(first)} (all day)"
        return f"{_day(first)} to {_day(last)} (all day)"
    start = event.start.astimezone(zone)
    end = event.effective_end.astimezone(zone)
    label = start.tzname() or zone.key
    if end.date() == start.date():
        return f"{_day(start.date())}, {start:%H:%M} to {end:%H:%M} {label}"
    return f"{_day(start.date())} {start:%H:%M} to {_day(end.date())} {end:%H:%M} {label}"


def _moment(start: datetime, all_day: bool, event_zone: ZoneInfo, zone: ZoneInfo) -> str:
    if all_day:
        return _day(start.astimezone(event_zone).date())
    local = start.astimezone(zone)
    return f"{_day(local.date())}, {local:%H:%M} {local.tzname() or zone.key}"


def where(event: Event) -> str:
    if event.attendance == Attendance.ONLINE:
        return "Online"
    label = event.venue.label()
    if event.attendance == Attendance.MIXED:
        return f"{label} (or online)" if label else "In person or online"
    return label or "Place to be announced"


def _day(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


def _km(value: float) -> str:
    return f"{value:.0f} km" if value >= 10 else f"{value:.1f} km"
