"""``q`` through the full-text index against the LIKE scan it replaced, on one store.

Run by :mod:`benchmarks.stores` on each of its stores (1e5 events of the
feeds benchmark). Each query asks what a search asks the store: the first
page (50 ids of upcoming matches in date order) and the number of
upcoming matches. The baseline is the statement the store ran before
migration 0014, rebuilt here and nowhere else: every word a
case-insensitive LIKE over title, description, organizer, venue and town,
all words required. Queries are drawn (seeded) from the words the
generated events hold, with the towns, the event numbers (one event
each), prefixes and a word that no event has; each distinct, each run
once on each side after a warm-up pass, the two sides in turns.
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, Select, and_, bindparam, func, or_, select

from benchmarks.feeds import CITIES, NOW
from service.store import EventQuery
from service.store.prepared import Prepared
from service.store.statements import prepare
from service.store.tables import events

PAGE = 50
QUERIES = 150
SEED = 20261206
LIKE_COLUMNS = ("title", "description", "organizer", "venue_name", "city")
COMMON = (
    "networking",
    "talks",
    "lightning",
    "demos",
    "panel",
    "drinks",
    "session",
    "laptop",
    "croissants",
    "speakers",
    "semicolon",
    "meetup",
    "workshop",
    "conference",
)
ABSENT = ("kubernetes", "zoology", "origami", "quantum")


def _ids() -> Select[Any]:
    return select(events.c.id)


def _count() -> Select[Any]:
    return select(func.count()).select_from(events)


def queries(size: int, count: int = QUERIES, seed: int = SEED) -> list[str]:
    """``count`` distinct values of ``q``, the same on every run."""
    rng = random.Random(seed)
    towns = [city for city, *_ in CITIES]
    shapes: tuple[Callable[[], str], ...] = (
        lambda: rng.choice(COMMON),
        lambda: f"{rng.choice(towns)} {rng.choice(COMMON)}",
        lambda: rng.choice(COMMON)[: rng.randint(3, 5)],
        lambda: f"{rng.choice(towns)} {rng.choice(COMMON)[:4]}",
        lambda: str(rng.randrange(size)),
        lambda: f"{rng.choice(COMMON)} {rng.choice(COMMON)}",
        lambda: rng.choice(ABSENT) + rng.choice(("", " " + rng.choice(towns))),
    )
    found: dict[str, None] = {}
    while len(found) < count:
        found.setdefault(rng.choice(shapes)(), None)
    return list(found)


def full_text(q: str) -> tuple[Prepared, Prepared]:
    """The store's own statements for ``q``: the first page, and the count."""
    page = prepare(_ids, EventQuery(start=NOW, q=q, limit=PAGE), in_order=True)
    return page, prepare(_count, EventQuery(start=NOW, q=q))


def like(q: str) -> tuple[Prepared, Prepared]:
    """The same two reads as the store ran them before full text: a LIKE per word."""
    words = q.split()[:10]
    conditions = [
        or_(
            *(
                events.c[column].icontains(bindparam(f"word_{index}"), escape="\\")
                for column in LIKE_COLUMNS
            )
        )
        for index in range(len(words))
    ]
    values = {f"word_{index}": _escape_like(word) for index, word in enumerate(words)}
    page = prepare(_ids, EventQuery(start=NOW, limit=PAGE), in_order=True)
    count = prepare(_count, EventQuery(start=NOW))
    return (
        Prepared(page.statement.where(and_(*conditions)), page.params | values),
        Prepared(count.statement.where(and_(*conditions)), count.params | values),
    )


def _escape_like(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


@dataclass
class Side:
    page_ms: list[float]
    count_ms: list[float]
    matches: list[int]

    def p(self, which: str, quantile: float) -> float:
        values = sorted(getattr(self, f"{which}_ms"))
        return values[min(len(values) - 1, round(quantile * (len(values) - 1)))]

    def p50(self, which: str) -> float:
        return statistics.median(getattr(self, f"{which}_ms"))


def _run(engine: Engine, reads: tuple[Prepared, Prepared], side: Side | None) -> None:
    page, count = reads
    with engine.connect() as connection:
        began = time.perf_counter()
        page.run(connection).all()
        paged = time.perf_counter()
        total = int(count.run(connection).scalar_one())
        counted = time.perf_counter()
    if side is not None:
        side.page_ms.append((paged - began) * 1000)
        side.count_ms.append((counted - paged) * 1000)
        side.matches.append(total)


def measure(engine: Engine, size: int) -> dict[str, Side]:
    """Every query on each side: warmed once, then timed once, the sides in turns."""
    asked = queries(size)
    sides = {"full text": Side([], [], []), "LIKE": Side([], [], [])}
    builders = {"full text": full_text, "LIKE": like}
    for q in asked:
        for build in builders.values():
            _run(engine, build(q), None)
    for index, q in enumerate(asked):
        order = list(builders) if index % 2 == 0 else list(reversed(builders))
        for name in order:
            _run(engine, builders[name](q), sides[name])
    return sides
