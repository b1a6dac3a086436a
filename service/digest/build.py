"""A week's digest: one best place to meet someone new, a few alternates, how to prepare.

Pure: it takes search results, what the last digest listed and ``now``, and
returns a :class:`service.model.Digest` that every renderer (email, page,
Markdown, JSON, Atom) shows the same way. The week runs Monday to Sunday in
the subscriber's time zone. The top pick is the best-scoring in-person event
that fits when the person is free, because the point is to meet someone
this week; alternates are the next best, free-time fits first.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from service.classify.sectors import get_taxonomy
from service.digest.weeks import fits_free_times, iso_week, week_bounds
from service.model import (
    Attendance,
    Change,
    ChangeKind,
    Digest,
    DigestItem,
    Event,
    FollowUp,
    FreeTime,
    ListedEvent,
    Role,
    Status,
)
from service.text.advice import (
    FOLLOW_UP_INTRO,
    FOLLOW_UP_INTRO_GOING,
    FOLLOW_UP_STEPS,
    ONLINE_HINT,
    host_of,
    prepare,
)
from service.text.labels import FREE_TIME_LABELS
from service.text.phrases import day_text, km_text, moment_text, when_text, where_text

if TYPE_CHECKING:
    from service.search import SearchResult

MAX_ALTERNATES = 5
MIN_ALTERNATES = 3
"""Fewer alternates near than this, and online events fill the list up to it."""
MAX_ONLINE = 3
IN_PERSON = (Attendance.IN_PERSON, Attendance.MIXED)


@dataclass(frozen=True, slots=True)
class PreviousDigest:
    """What the last digest that went out listed, and when it went out."""

    week: str
    sent_at: datetime
    items: tuple[ListedEvent, ...]


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
    went: Sequence[Event] = (),
    followed: Sequence[SearchResult] = (),
) -> Digest:
    """The digest of ``now``'s week (or ``week_of``'s) from ranked ``results`` near the person.

    ``current`` holds today's record of each event ``previous`` listed, to
    tell what changed; ``online`` are online events to suggest when nothing
    near fits, or to make up a short list of alternates. Results outside the
    rest of the week, and cancelled ones, are left out whatever the caller
    passed. ``went`` are the events the person marked "I'm going" that have
    taken place since: the follow-up names them (else last week's picks).
    ``followed`` are this week's events of hosts the person follows: they
    join the results whatever the filters said.
    """
    zone = ZoneInfo(timezone)
    week_start, week_end = week_bounds(max(week_of or now, now), zone)
    since = previous.sent_at if previous is not None else None
    listed = {r.event.id for r in results}
    everything = [*results, *(r for r in followed if r.event.id not in listed)]
    ranked = sorted(
        (r for r in everything if _in_week(r.event, max(now, week_start), week_end)),
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
        title=f"Places to meet someone new near {place}: week of {day_text(week_start.date())}",
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
        follow_ups=_went(went, now, zone)
        or _follow_ups(previous, current or {}, now, week_start, zone),
        follow_up_steps=list(FOLLOW_UP_STEPS),
        follow_up_intro=FOLLOW_UP_INTRO_GOING if _went(went, now, zone) else FOLLOW_UP_INTRO,
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
        when=when_text(event, zone),
        where=where_text(event),
        distance_km=result.distance_km,
        score=result.score,
        why=why,
        fits_free_time=fits,
        preparation=prepare(event, sectors=sectors),
        is_new=is_new,
        rhythm=result.series.rhythm if result.series is not None else None,
    )


def _nothing_near(
    place: str,
    radius_km: float,
    max_radius_km: float | None,
    *,
    has_others: bool,
    free_times: Sequence[FreeTime],
) -> tuple[str, list[str], float | None]:
    radius = km_text(radius_km)
    if has_others:
        reason = "fits the times you said you are free" if free_times else "is in person"
        notice = f"Nothing near {place} within {radius} this week {reason}; here is what there is."
    else:
        notice = f"Nothing near {place} within {radius} this week."
    wider = radius_km * 2 if max_radius_km is None else min(radius_km * 2, max_radius_km)
    if wider <= radius_km:
        return notice, [], None
    return notice, [f"Try a wider radius: {km_text(wider)} finds more."], wider


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
        was = moment_text(listed.start, event.all_day, event.zone, zone)
        changes.append(
            Change(
                kind=change,
                event_id=event.id,
                title=event.title,
                url=event.url,
                was=was,
                now=when_text(event, zone) if change in ("rescheduled", "updated") else None,
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
        if event is not None:
            when = when_text(event, zone)
        else:
            when = moment_text(listed.start, False, zone, zone)
        follow_ups.append(
            FollowUp(
                event_id=listed.id,
                title=event.title if event else listed.title,
                when=when,
                host=host_of(event) if event else None,
                url=event.url if event else None,
            )
        )
    return follow_ups


def _went(went: Sequence[Event], now: datetime, zone: ZoneInfo) -> list[FollowUp]:
    """The marked events that have taken place, the latest first: the people met there."""
    done = [e for e in went if e.status != Status.CANCELLED and e.effective_end <= now]
    return [
        FollowUp(
            event_id=event.id,
            title=event.title,
            when=when_text(event, zone),
            host=host_of(event),
            url=event.url,
            going=True,
        )
        for event in sorted(done, key=lambda event: (event.start, event.id), reverse=True)
    ]
