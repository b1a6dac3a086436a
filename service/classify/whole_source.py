"""What a source's events say together: its field and its usual kind, lent to those that say none.

A bar association's calendar lists "Annual Meeting" and "Board Nominations"
beside "CLE: Ethics in Practice"; a Meetup group's feed lists talks by their
titles alone. Each listing read alone names no field or no format, though
the source plainly has one, and an event with no sector never matches a
sector filter. A crawl sees a source's events together (the store writes
them when the source's crawl ends), so where most of them speak of one
field, that field is lent to the others that have room for it; where many
are of one kind, that kind is lent to those whose text says nothing of
theirs. A mixed calendar (a city's, a library's) has no such majority and
lends nothing.

The bars were chosen on the sector development set, one source left out
(``python -m benchmarks.sectors --loso``): lent sectors were right for
about nine in ten events of single-host feeds, and pooled feeds of several
hosts rarely reach the bars.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from service.classify.kinds import UNDECIDED
from service.classify.sectors import MAX_SECTORS
from service.model import Event, Kind

SOURCE_FIELD = "this source's field"
"""The evidence of a lent sector: the source, not the listing, names it."""
SOURCE_KIND = "this source's usual kind:"
"""The reason of a lent kind, before the kind's name."""

SHARE = 0.3
"""A field or kind is the source's when at least this share of its listings has it..."""
LEAD = 2.0
"""...at least this many times as many as the next field or kind..."""
LEAST = 3
"""...and at least this many listings: two listings make no habit."""


@dataclass(frozen=True)
class Lent:
    """What a source lent its events: its field and its kind (None where it has none), and to
    how many."""

    sector: str | None = None
    sector_to: int = 0
    kind: Kind | None = None
    kind_to: int = 0


def lend(events: Iterable[Event]) -> Lent:
    """Lend the source's field and usual kind to ``events`` (one source's, classified), in place.

    A listing repeated (a weekly series) counts once: fifty Tuesdays of one
    yoga class do not make a health centre a gym.
    """
    found = list(events)
    listings = _listings(found)
    sector = _habit(Counter(slug for slugs, _ in listings.values() for slug in slugs), listings)
    kinds = Counter(kind for _, kind in listings.values() if kind is not None)
    kind = _habit(kinds, listings)
    sector_to = kind_to = 0
    for event in found:
        if sector is not None and sector not in event.sectors and len(event.sectors) < MAX_SECTORS:
            event.sectors = [*event.sectors, sector]
            event.sector_evidence = {**event.sector_evidence, sector: [SOURCE_FIELD]}
            sector_to += 1
        if kind is not None and _undecided(event):
            event.kind = Kind(kind)
            event.kind_reason = f"{SOURCE_KIND} {kind}"
            kind_to += 1
    return Lent(
        sector=sector if sector_to else None,
        sector_to=sector_to,
        kind=Kind(kind) if kind is not None and kind_to else None,
        kind_to=kind_to,
    )


def _listings(events: Sequence[Event]) -> dict[str, tuple[set[str], str | None]]:
    """Each distinct title (folded), with the sectors its events have and the kind they were
    given by their own text (None for an undecided one)."""
    found: dict[str, tuple[set[str], str | None]] = {}
    for event in events:
        title = " ".join(event.title.casefold().split())
        sectors, kind = found.get(title, (set(), None))
        sectors.update(event.sectors[:MAX_SECTORS])
        if kind is None and not _undecided(event) and event.kind is not Kind.OTHER:
            kind = event.kind.value
        found[title] = (sectors, kind)
    return found


def _habit(counts: Counter[str], listings: dict[str, tuple[set[str], str | None]]) -> str | None:
    """The one value that enough of the listings share, well ahead of the next; or None."""
    if not counts:
        return None
    ranked = counts.most_common(2)
    value, held = ranked[0]
    runner_up = ranked[1][1] if len(ranked) > 1 else 0
    if held < LEAST or held < SHARE * len(listings) or held < LEAD * runner_up:
        return None
    return value


def _undecided(event: Event) -> bool:
    """Nothing in the event's own text, its categories or its source said what kind it is."""
    return event.kind is Kind.OTHER and event.kind_reason == UNDECIDED
