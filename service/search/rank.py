"""The meet-someone-new score: how good a chance an event is to meet someone in your field.

A job seeker has a few evenings a week. The score blends what makes an
evening worth it: close by, in their sector, soon (a plan beats a wish),
a format where people talk (a meetup, a book signing, a career fair, a
conference's hallway and socials rather than a lecture), in person rather
than online, free rather than paid. Each part is a number in [0, 1]; the
score is their weighted mean over the parts that apply (no proximity when
the search has no place, no sector match when it names no sector), so it
is always in [0, 1] and deterministic for the same events, search and time.
The weights are settings. ``reasons`` turns the same parts into words.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import NamedTuple

from service.classify.sectors import DEFAULT_EVIDENCE, Taxonomy, get_taxonomy
from service.model import Attendance, Event, Kind, Status
from service.settings import ScoreWeights
from service.text.phrases import LONG_RUN, attendance_text, distance_text, how_soon_text

KIND_VALUE: dict[str, float] = {
    Kind.MEETUP.value: 1.0,
    Kind.BOOK_SIGNING.value: 1.0,
    Kind.CAREER_FAIR.value: 1.0,
    Kind.CONFERENCE.value: 0.75,
    Kind.WORKSHOP.value: 0.5,
    Kind.OTHER.value: 0.15,
}
"""Where people talk: meetups, signings and fairs are built for it; a conference has its
hallway and socials between talks; a workshop keeps hands busy."""

KIND_REASON: dict[str, str] = {
    Kind.MEETUP.value: "meetup: a room full of people to talk to",
    Kind.BOOK_SIGNING.value: "book signing: readers in a queue, and the author, to talk to",
    Kind.CAREER_FAIR.value: "career fair: employers who came to meet people",
    Kind.CONFERENCE.value: "conference: the hallway track and the socials",
    Kind.WORKSHOP.value: "workshop: you meet the people you work beside",
}

ATTENDANCE_VALUE: dict[str, float] = {
    Attendance.IN_PERSON.value: 1.0,
    Attendance.MIXED.value: 0.75,
    Attendance.ONLINE.value: 0.2,
}
FREE_VALUE: dict[bool | None, float] = {True: 1.0, None: 0.5, False: 0.0}
PRIMARY_SECTOR = 1.0
SECONDARY_SECTOR = 0.6
SCORE_DIGITS = 4
CANCELLED = Status.CANCELLED.value
DAY = 86_400.0
LONG_RUN_SECONDS = LONG_RUN.total_seconds()
EPOCH = datetime.fromtimestamp(0, UTC).replace(tzinfo=None)
"""Naive UTC, as the store gives an end."""
NEXT_CHANCE_SECONDS = LONG_RUN_SECONDS
"""How far ahead a long run's next chance counts, once it has started (see :func:`soonness`)."""


def soonness(start: float, end: float, now: float, half_days: float) -> float:
    """How soon an event starting at ``start`` and ending at ``end`` (epoch seconds) is, in [0, 1].

    Halves every ``half_days`` ahead; 1 for an event already on. An event that
    started and runs longer than :data:`~service.text.phrases.LONG_RUN` is not
    taken to be on now (its reasons say "runs until ..."): a monthly evening
    listed once from April to December, a season, an exhibition. When its next
    chance comes is unknown, so it counts as :data:`NEXT_CHANCE_SECONDS` ahead
    (a week: the gap of a weekly rhythm, the least regular one a listing that long
    stands for), or its end if sooner: it ranks beside an event a week away, not
    above tonight's. Before its start, its start is a known chance and counts as
    any other. Never more than an event starting at ``start`` that is on now, so
    soonness still only falls with the start (what :meth:`Scorer.reach_km` needs).
    """
    ahead = start - now
    if ahead <= 0 and end - start > LONG_RUN_SECONDS:
        ahead = min(NEXT_CHANCE_SECONDS, max(end - now, 0.0))
    return 0.5 ** (ahead / DAY / half_days) if ahead > 0 else 1.0


def end_seconds(end: str | datetime) -> float:
    """An end in epoch seconds: an aware datetime, or as the store gives it (naive UTC, as a
    datetime or, on SQLite, its ISO text)."""
    moment = datetime.fromisoformat(end) if isinstance(end, str) else end
    if moment.tzinfo is None:
        return (moment - EPOCH).total_seconds()  # a few times quicker than attaching UTC
    return moment.timestamp()


Ranker = Callable[
    [float | None, str | None, float, str | datetime, str, str, bool | None, str], float
]
"""(distance in km, sectors JSON text, start in epoch seconds, end (see :func:`end_seconds`),
kind, attendance, is_free, status) -> score."""


class Needs(NamedTuple):
    """What a later event must score, part by part: see :meth:`Scorer.needs`."""

    need: float
    proximity: float
    half_km: float
    kinds: dict[str, float]
    attendance: dict[str, float]
    prices: dict[bool | None, float]


class Scorer:
    """Scores candidates of one search: the weights, the time and what the search asked.

    Built once per search; :attr:`rank` runs for every candidate, so it takes
    plain values (epoch seconds, enum values, the stored sectors text) rather
    than events.
    """

    __slots__ = (
        "_free",
        "_in_person",
        "_kind",
        "_now",
        "_proximity",
        "_sector",
        "_sectors",
        "_soon",
        "_total",
        "half_days",
        "half_km",
        "rank",
    )

    def __init__(
        self,
        weights: ScoreWeights,
        *,
        now: datetime,
        near: bool,
        sectors: Sequence[str] = (),
    ) -> None:
        self._sectors = tuple(sectors)
        self._now = now.timestamp()
        self.half_km = weights.proximity_half_km
        self.half_days = weights.soon_half_days
        self._proximity = weights.proximity if near else 0.0
        self._sector = weights.sector if self._sectors else 0.0
        self._soon = weights.soon
        self._kind = weights.kind
        self._in_person = weights.in_person
        self._free = weights.free
        total = self._proximity + self._sector + self._soon + self._kind
        total += self._in_person + self._free
        self._total = total or 1.0
        self.rank: Ranker = self._ranker()

    def sector_match(self, sectors_json: str | None) -> float:
        """1 when the event's main sector was asked for, 0.6 for another of its sectors.

        Reads the stored JSON text (``["healthcare", "technology"]``) without
        parsing it: the main sector is the first.
        """
        if not self._sectors or not sectors_json:
            return 0.0
        best = 0.0
        for slug in self._sectors:
            quoted = f'"{slug}"'
            position = sectors_json.find(quoted)
            if position < 0:
                continue
            if sectors_json[:position].strip() == "[":
                return PRIMARY_SECTOR
            best = SECONDARY_SECTOR
        return best

    def reach_km(self, start: float, worst: float) -> float | None:
        """How far away an event starting at ``start`` or later may be and still beat ``worst``.

        Every part is at most 1 and soonness only falls with the start (a long run
        that started counts less than one on now, never more: see :func:`soonness`),
        so a ranking that reads events in start order may narrow its search to this
        distance once its page is full, and stop at None (nothing later can
        make the page, however close). ``inf`` when distance cannot rule an
        event out. Errs wide by one rounding step of the score.
        """
        others = self._best_soon_and_sector(start) + self._best_fixed()
        needed = self._floor(worst) - others
        if needed <= 0:
            return math.inf
        if needed >= self._proximity:
            return None
        return self.half_km * math.log2(self._proximity / needed)

    def needs(self, start: float, worst: float) -> Needs:
        """What an event starting at ``start`` or later must score, part by part, to beat
        ``worst``: the weighted sum its proximity, kind, attendance and price parts must
        reach, the other parts at their best; then each of those parts' weighted values
        (see :class:`service.store.nearby.Floor`, which checks it in the index)."""
        return Needs(
            need=self._floor(worst) - self._best_soon_and_sector(start),
            proximity=self._proximity,
            half_km=self.half_km,
            kinds={kind: self._kind * value for kind, value in KIND_VALUE.items()},
            attendance={mode: self._in_person * value for mode, value in ATTENDANCE_VALUE.items()},
            prices={price: self._free * value for price, value in FREE_VALUE.items()},
        )

    def _best_soon_and_sector(self, start: float) -> float:
        """The most the soonness and sector parts give an event starting at ``start`` or later."""
        days = (start - self._now) / DAY
        best = self._soon * (0.5 ** (days / self.half_days) if days > 0 else 1.0)
        return best + self._sector * PRIMARY_SECTOR

    def _best_fixed(self) -> float:
        """The most the kind, attendance and price parts give together (weighted)."""
        best = self._kind * max(KIND_VALUE.values())
        best += self._in_person * max(ATTENDANCE_VALUE.values())
        return best + self._free * max(FREE_VALUE.values())

    def _floor(self, worst: float) -> float:
        """The weighted sum an event must exceed to beat ``worst``, less one rounding step."""
        return (worst - 10.0**-SCORE_DIGITS) * self._total

    def score_event(self, event: Event, distance_km: float | None) -> float:
        return self.rank(
            distance_km,
            _sectors_json(event.sectors),
            event.start.timestamp(),
            event.effective_end,
            event.kind.value,
            event.attendance.value,
            event.is_free,
            event.status.value,
        )

    def _ranker(self) -> Ranker:
        """The score of one stored row, positionally: the weighted mean of the parts,
        rounded so that equal-looking scores tie. ``start`` is in epoch seconds,
        ``end`` as stored (read only for an event already started, see
        :func:`soonness`) and ``sectors_json`` the stored JSON text (see :meth:`sector_match`).

        A closure over the weights: a search calls it for every candidate.
        """
        proximity, sector, soon = self._proximity, self._sector, self._soon
        kind_weight, in_person, free, total = self._kind, self._in_person, self._free, self._total
        half_km, half_days, now = self.half_km, self.half_days, self._now
        sector_match = self.sector_match
        kinds, modes, prices = KIND_VALUE.get, ATTENDANCE_VALUE.get, FREE_VALUE.get
        # The kind, attendance and price parts by their values: a few combinations in all.
        fixed_parts: dict[tuple[str, str, bool | None], float] = {}

        def rank(
            distance_km: float | None,
            sectors_json: str | None,
            start: float,
            end: str | datetime,
            kind: str,
            attendance: str,
            is_free: bool | None,
            status: str,
        ) -> float:
            if status == CANCELLED:
                return 0.0
            score = 0.0
            if proximity and distance_km is not None:
                score += proximity * 0.5 ** (distance_km / half_km)
            if sector:
                score += sector * sector_match(sectors_json)
            ahead = start - now
            if ahead > 0:
                score += soon * 0.5 ** (ahead / DAY / half_days)
            else:
                score += soon * soonness(start, end_seconds(end), now, half_days)
            fixed = fixed_parts.get((kind, attendance, is_free))
            if fixed is None:
                fixed = kind_weight * kinds(kind, 0.0)
                fixed += in_person * modes(attendance, 0.0)
                fixed += free * prices(is_free, 0.5)
                fixed_parts[kind, attendance, is_free] = fixed
            return round((score + fixed) / total, SCORE_DIGITS)

        return rank


def reasons(
    event: Event,
    *,
    distance_km: float | None,
    now: datetime,
    near: bool,
    sectors: Sequence[str] = (),
    taxonomy: Taxonomy | None = None,
) -> list[str]:
    """Why an event ranks where it does, in a few words each, most telling first."""
    taxonomy = taxonomy or get_taxonomy()
    why: list[str] = []
    if event.status is Status.CANCELLED:
        why.append("cancelled")
    elif event.status is Status.POSTPONED:
        why.append("postponed")
    if distance_km is not None:
        why.append(distance_text(distance_km, event))
    elif near and event.attendance is Attendance.ONLINE:
        why.append("online: join from anywhere")
    sector = _sector_reason(event, sectors, taxonomy)
    if sector:
        why.append(sector)
    kind = KIND_REASON.get(event.kind.value)
    if kind:
        why.append(kind)
    why.append(attendance_text(event))
    why.append(how_soon_text(event, now))
    return why


def _sector_reason(event: Event, sectors: Sequence[str], taxonomy: Taxonomy) -> str | None:
    wanted = [slug for slug in event.sectors if slug in sectors] if sectors else event.sectors[:1]
    if not wanted:
        return None
    slug = wanted[0]
    sector = taxonomy.get(slug)
    label = sector.label if sector else slug
    words = [word for word in event.sector_evidence.get(slug, []) if word != DEFAULT_EVIDENCE]
    return f"{label}: {', '.join(words[:2])}" if words else label


def _sectors_json(sectors: Sequence[str]) -> str:
    return "[" + ", ".join(f'"{slug}"' for slug in sectors) + "]"
