"""What a source's events say together: its field, lent to those that name none.

A bar association's calendar lists "Holiday Party" and "Board Nominations"
beside "Family Law Section Luncheon"; a hospital's lists "Annual Gala".
Read alone, such a listing names no field, though its source plainly has
one, and an event with no sector never matches a sector filter. A crawl
sees a source's events together (the store writes them when the source's
crawl ends), so where most of them speak of one field, well ahead of any
other, that field is lent to those that name none. Where nearly all of them
do, it is also lent beside the sectors a listing has (a university's
"Grubhub Info Tabling" is still a university's event). A mixed calendar (a
city's, a library's) has no such majority and lends nothing.

The bars were chosen on the sector development set, one source left out,
and on the bundled recording (``python -m benchmarks.sectors --loso`` and
``benchmarks/RESULTS.md``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from service.classify.sectors import MAX_SECTORS
from service.model import Event

SOURCE_FIELD = "this source's field"
"""The evidence of a lent sector: the source, not the listing, names it."""


@dataclass(frozen=True)
class Bar:
    """How clearly a field must be the source's: the share of its listings that name it, how
    many times the next field's count, and how many listings at least."""

    share: float
    lead: float
    least: int = 3
    """Two listings make no habit."""


TO_NONE = Bar(share=0.3, lead=2.0)
"""For listings that name no field."""
BESIDE = Bar(share=0.6, lead=3.0)
"""For listings that name another field (with room for one more)."""


@dataclass(frozen=True)
class Lent:
    """The field a source lent its events (None where it has none), and to how many."""

    sector: str | None = None
    to: int = 0


def lend(events: Iterable[Event]) -> Lent:
    """Lend the source's field to ``events`` (one source's, classified), in place.

    A listing repeated (a weekly series) counts once: fifty Tuesdays of one
    yoga class do not make a health centre a gym.
    """
    found = list(events)
    listings: dict[str, set[str]] = {}
    for event in found:
        title = " ".join(event.title.casefold().split())
        listings.setdefault(title, set()).update(event.sectors[:MAX_SECTORS])
    counts = Counter(slug for slugs in listings.values() for slug in slugs)
    if not counts:
        return Lent()
    ranked = counts.most_common(2)
    sector, held = ranked[0]
    runner_up = ranked[1][1] if len(ranked) > 1 else 0

    def clears(bar: Bar) -> bool:
        return held >= max(bar.least, bar.share * len(listings), bar.lead * runner_up)

    if not clears(TO_NONE):
        return Lent()
    beside = clears(BESIDE)
    lent = 0
    for event in found:
        if sector in event.sectors or len(event.sectors) >= MAX_SECTORS:
            continue
        if event.sectors and not beside:
            continue
        event.sectors = [*event.sectors, sector]
        event.sector_evidence = {**event.sector_evidence, sector: [SOURCE_FIELD]}
        lent += 1
    return Lent(sector=sector if lent else None, to=lent)
