"""What a source says of all its events: its field, lent to those that do not name it.

A bar association's calendar lists "Holiday Party" and "Board Nominations"
beside "Family Law Section Luncheon"; a high school's, "Spring Jazz Night".
Read alone, such a listing names no field or another one, though its host
plainly has one, and an event with no sector never matches a sector filter.
A crawl sees a source's events together (the store writes them when the
source's crawl ends) and the host's name where the source gives it (a
calendar's own name). A name that says one field lends it to every event
with room for it. Where most listings speak of one field, well ahead of
any other, that field is lent to those that name none, and where nearly all
do, beside the sectors a listing has. A mixed calendar (a city's, a
library's) has no such majority and lends nothing.

The bars were chosen on the sector development set, one source left out,
and on the bundled recording (``python -m benchmarks.sectors --loso`` and
``benchmarks/RESULTS.md``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from service.classify.sectors import MAX_SECTORS, classify, get_taxonomy
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
MAX_NAME = 120
"""A host's name is a few words; a calendar named by a paragraph is cut."""


def lend(events: Iterable[Event], names: Iterable[str] = ()) -> dict[str, int]:
    """Lend the source's field to ``events`` (one source's, classified), in place; returns
    each field lent and to how many events.

    ``names`` are the host's as the source gives them (the operator's
    ``host``, its calendar's own name): the first that names one field, and
    only one, lends it to every event with room for it, the name as its
    reason ("Asheville High School" says education of its "Spring Jazz
    Night"). Then the field most listings share is lent as :data:`TO_NONE`
    and :data:`BESIDE` say. A listing repeated (a weekly series) counts once:
    fifty Tuesdays of one yoga class do not make a health centre a gym.
    """
    found = list(events)
    lent: dict[str, int] = {}
    shared = _shared_field(found)
    named = _named_field(names)
    if named is not None:
        sector, name = named
        lent[sector] = _lend(found, sector, [name], beside=True)
    if shared is not None and (named is None or shared[0] != named[0]):
        sector, beside = shared
        lent[sector] = _lend(found, sector, [SOURCE_FIELD], beside=beside)
    return {sector: count for sector, count in lent.items() if count}


def _named_field(names: Iterable[str]) -> tuple[str, str] | None:
    """The field the first of ``names`` that names one says, with that name. Read by its
    host words first: the kind of body a name says outranks the other words in it ("Nasher
    Museum of Art at Duke University" is a museum's calendar, "City of Toronto Meetings" a
    government's); else by the taxonomy's words alone (a name is too short for the learned
    model). A name that names two fields says neither clearly ("Arts and Science Society")
    and the next name is read."""
    taxonomy = get_taxonomy()
    for name in names:
        short = " ".join(name.split())[:MAX_NAME]
        fields = (
            taxonomy.hosted_by(short)
            or classify(title=short, taxonomy=taxonomy, model=None).sectors
        )
        if len(fields) == 1:
            return fields[0], short
    return None


def _shared_field(events: list[Event]) -> tuple[str, bool] | None:
    """The field enough of the listings share, and whether it clears :data:`BESIDE`."""
    listings: dict[str, set[str]] = {}
    for event in events:
        title = " ".join(event.title.casefold().split())
        listings.setdefault(title, set()).update(event.sectors[:MAX_SECTORS])
    counts = Counter(slug for slugs in listings.values() for slug in slugs)
    if not counts:
        return None
    ranked = counts.most_common(2)
    sector, held = ranked[0]
    runner_up = ranked[1][1] if len(ranked) > 1 else 0

    def clears(bar: Bar) -> bool:
        return held >= max(bar.least, bar.share * len(listings), bar.lead * runner_up)

    return (sector, clears(BESIDE)) if clears(TO_NONE) else None


def _lend(events: list[Event], sector: str, evidence: list[str], *, beside: bool) -> int:
    """Give ``sector`` to the events without it that have room (only to those with none
    unless ``beside``); how many got it."""
    lent = 0
    for event in events:
        if sector in event.sectors or len(event.sectors) >= MAX_SECTORS:
            continue
        if event.sectors and not beside:
            continue
        event.sectors = [*event.sectors, sector]
        event.sector_evidence = {**event.sector_evidence, sector: evidence}
        lent += 1
    return lent
