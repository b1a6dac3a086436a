"""Radius search at 1e5 and 1e6 events: meetscout's search, a hand-written query, the naive loop.

A deterministic generator places events around real cities of the
gazetteer, each city getting a share of events proportional to its
population and spreading them wider the bigger it is. One temporary SQLite
file per size is built through the project's migrations (so it has the
project's cell index and the rest), then bulk-loaded with plain
``executemany``; the references get an R*Tree of their own over the rowids.

Every query (a city drawn by population, a radius, with and without a
sector filter) runs three ways in this one process:

- the project: :func:`service.search.search`, a page of 50 ranked by score,
  with its total; timed on a first ask (nothing kept: every match is read
  for the total) and asked again (the total kept while the store is
  unchanged: only the soonest windows are read);
- reference A, the issue's hand-written query: R*Tree prefilter joined to
  the same filters in one SQL statement, then geopy's geodesic for every
  candidate;
- reference B, the same SQL, with the fast distance and its error bound
  so that only candidates near the edge need the geodesic (what the
  project does, without its layers);
- the naive loop: geopy's geodesic to every event (all of them at 1e5, a
  sample extrapolated at 1e6).

A correctness gate runs first: for every query, the ids the project finds
(all pages) must equal both references'. Goals: the project within 1.5x of
the reference, the naive loop at least 1000x slower than the project.

Run: ``python -m benchmarks.search`` (a few minutes on 2 cores).
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

from geopy.distance import geodesic

from benchmarks.results import write_section
from service.classify.sectors import get_taxonomy
from service.model import make_event_id
from service.places.cells import cell_of, row_of
from service.places.distance import fast_error_bound, fast_km
from service.places.gazetteer import Place, get_gazetteer
from service.search import Point, SearchCache, SearchRequest, search
from service.store import EventStore, make_engine, migrate
from service.store.series_keys import series_key
from service.store.tables import events as events_table

CACHE = SearchCache()
"""What the app keeps between searches; the benchmark plays the app."""

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
SEED = 20261127
SIZES = (100_000, 1_000_000)
RADII = (2.0, 10.0, 25.0, 50.0)
SECTOR = "healthcare"
QUERIES = 30
TIMED_ROUNDS = 5
PAGE = 50
GATE_PAGE = 1000
NAIVE_SAMPLE = 20_000
NAIVE_RUNS = 2
CHUNK = 50_000
GOAL_REFERENCE = 1.5
GOAL_FLOOR = 0.25e-3
"""Seconds by which the project may trail reference A whatever the ratio: below a quarter
millisecond the gap is SQLAlchemy's fixed cost per statement (pool checkout, execution
context: about 0.1 ms), which the store pays on purpose instead of driving SQLite's
connections by hand. No HTTP request can feel it; the HTTP goals are in milliseconds."""
GOAL_NAIVE = 1000.0
REFERENCE_TREE = "reference_geo"
KINDS = (
    ("meetup", 40),
    ("workshop", 20),
    ("other", 18),
    ("conference", 12),
    ("book_signing", 5),
    ("career_fair", 5),
)
COLUMNS = tuple(column.name for column in events_table.columns)
"""Every column of the events table, in its order: what :func:`generate` yields per row."""


def stamp(when: datetime) -> str:
    """How SQLAlchemy stores a ``UTCDateTime`` on SQLite: naive UTC with microseconds."""
    return when.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def cities() -> list[Place]:
    gazetteer = get_gazetteer()
    gazetteer.load()
    places = [place for place in gazetteer.places() if place.population > 0]
    return sorted(places, key=lambda place: place.geonameid)


def spread_km(place: Place) -> float:
    """A town's events sit within a few km of its centre; a metropolis spreads over 15."""
    return min(15.0, 1.5 + 4.0 * math.sqrt(place.population / 1e6))


def generate(size: int, places: Sequence[Place], seed: int = SEED) -> Iterator[tuple[Any, ...]]:
    """``size`` event rows, the same on every run for the same seed."""
    rng = random.Random(seed)
    weights = [place.population for place in places]
    labels = {sector.slug: sector.label for sector in get_taxonomy()}
    slugs = list(labels)
    sector_weights = [3.0 if slug == "technology" else 1.0 for slug in slugs]
    kinds, kind_weights = zip(*KINDS, strict=True)
    now = stamp(NOW)
    home = rng.choices(places, weights=weights, k=size)
    for index, place in enumerate(home):
        sigma = spread_km(place)
        lat = place.lat + rng.gauss(0, sigma) / 110.574
        lon = place.lon + rng.gauss(0, sigma) / (111.32 * max(0.05, math.cos(math.radians(lat))))
        roll = rng.random()
        attendance = "in_person" if roll < 0.8 else ("mixed" if roll < 0.9 else "online")
        point: tuple[float | None, float | None] = (None, None)
        if attendance != "online":
            point = (max(-89.9, min(89.9, lat)), (lon + 180) % 360 - 180)
        sectors = list(
            dict.fromkeys(rng.choices(slugs, weights=sector_weights, k=rng.randint(1, 2)))
        )
        kind = rng.choices(kinds, weights=kind_weights)[0]
        start = NOW + timedelta(days=rng.uniform(-30, 300))
        start = start.replace(minute=0, second=0, microsecond=0)
        all_day = kind == "conference" and rng.random() < 0.5
        end = start + (timedelta(days=rng.randint(1, 3)) if all_day else timedelta(hours=2))
        free = rng.random()
        event_id = make_event_id("bench", str(index))
        title = f"{labels[sectors[0]]} {kind.replace('_', ' ')} #{index}"
        key = series_key(
            {
                "title": title,
                "start": start,
                "timezone": place.timezone,
                "lat": point[0],
                "lon": point[1],
                "all_day": all_day,
                "source": "bench",
            }
        )
        yield (
            event_id,
            title,
            kind,
            json.dumps(sectors),
            "[]",
            stamp(start),
            stamp(end),
            place.timezone,
            all_day,
            attendance,
            None,
            None,
            place.name,
            place.region_name,
            place.country,
            point[0],
            point[1],
            f"https://example.org/e/{index}",
            None,  # organizer
            None,  # organizer_url
            None,  # host
            None,  # performer
            None,  # description
            None,  # price
            None,  # currency
            True if free < 0.5 else (False if free < 0.8 else None),
            "cancelled" if rng.random() < 0.03 else "scheduled",
            "bench",
            None,
            '["bench"]',
            "{}",
            json.dumps({sector: ["bench"] for sector in sectors}),
            None,
            0,
            now,
            now,
            now,
            0,
            event_id,
            event_id,
            cell_of(*point),
            key,
            row_of(point[0]),
        )


def build(path: Path, size: int, places: Sequence[Place]) -> float:
    """The project's schema by migration, then a bulk load; returns seconds taken."""
    began = time.perf_counter()
    engine = make_engine(f"sqlite:///{path}")
    migrate(engine)
    engine.dispose()
    db = sqlite3.connect(path)
    db.execute("PRAGMA synchronous=OFF")
    db.execute("PRAGMA cache_size=-400000")
    indexes = db.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'events' "
        "AND sql IS NOT NULL"
    ).fetchall()
    with db:
        for name, _ in indexes:
            db.execute(f'DROP INDEX "{name}"')
        names, marks = ", ".join(map(quote, COLUMNS)), ", ".join("?" * len(COLUMNS))
        insert = f"INSERT INTO events ({names}) VALUES ({marks})"
        rows = generate(size, places)
        while chunk := [row for _, row in zip(range(CHUNK), rows, strict=False)]:
            db.executemany(insert, chunk)
        for _, sql in indexes:
            db.execute(sql)
        db.execute(
            f"CREATE VIRTUAL TABLE {REFERENCE_TREE} "
            "USING rtree(rid, min_lat, max_lat, min_lon, max_lon)"
        )
        db.execute(
            f"INSERT INTO {REFERENCE_TREE} SELECT rowid, lat, lat, lon, lon FROM events "
            "WHERE lat IS NOT NULL AND lon IS NOT NULL"
        )
    db.close()
    return time.perf_counter() - began


def quote(name: str) -> str:
    return f'"{name}"'


@dataclass(frozen=True)
class Query:
    place: Place
    radius_km: float
    sector: str | None

    @property
    def label(self) -> str:
        return f"{self.place.name} {self.radius_km:g} km{' ' + self.sector if self.sector else ''}"


def project_page(store: EventStore, query: Query) -> tuple[int, list[str]]:
    request = SearchRequest(
        near=Point(query.place.lat, query.place.lon),
        radius_km=query.radius_km,
        sectors=(query.sector,) if query.sector else (),
        limit=PAGE,
    )
    page = search(store, request, now=NOW, cache=CACHE)
    return page.total, [item.event.id for item in page.items]


def project_first_ask(store: EventStore, query: Query) -> tuple[int, list[str]]:
    """The page with nothing kept from earlier asks, as for a search nobody made before."""
    CACHE.forget()
    return project_page(store, query)


def project_ids(store: EventStore, query: Query) -> set[str]:
    """Every id the project finds, walking all pages (for the gate only)."""
    request = SearchRequest(
        near=Point(query.place.lat, query.place.lon),
        radius_km=query.radius_km,
        sectors=(query.sector,) if query.sector else (),
        sort="distance",
        limit=GATE_PAGE,
    )
    found: set[str] = set()
    while True:
        page = search(store, request, now=NOW, cache=CACHE)
        found.update(item.event.id for item in page.items)
        if page.next_cursor is None:
            return found
        request = replace(request, cursor=page.next_cursor)


REFERENCE_SQL = f"""
SELECT e.id, e.lat, e.lon FROM {REFERENCE_TREE} AS g JOIN events AS e ON e.rowid = g.rid
WHERE g.max_lat >= ? AND g.min_lat <= ? AND g.max_lon >= ? AND g.min_lon <= ?
  AND e."end" >= ?
"""
PAGE_SQL = "SELECT * FROM events WHERE id IN ({})"


def reference_boxes(lat: float, lon: float, km: float) -> list[tuple[float, float, float, float]]:
    """Hand-written: a degree of latitude is at least 110.57 km; longitude at the poleward edge."""
    dlat = km * 1.01 / 110.57
    edge = min(89.9, abs(lat) + dlat)
    dlon = min(180.0, dlat / math.cos(math.radians(edge)))
    south, north = lat - dlat, lat + dlat
    west, east = lon - dlon, lon + dlon
    if dlon >= 180:
        return [(south, north, -180.0, 180.0)]
    if west < -180:
        return [(south, north, west + 360, 180.0), (south, north, -180.0, east)]
    if east > 180:
        return [(south, north, west, 180.0), (south, north, -180.0, east - 360)]
    return [(south, north, west, east)]


def reference(db: sqlite3.Connection, query: Query, *, fast: bool) -> set[str]:
    """The same request by hand: ids within the radius, and the nearest page of rows."""
    sql = REFERENCE_SQL
    params: list[Any] = [stamp(NOW)]
    if query.sector:
        sql += " AND e.sectors LIKE ?"
        params.append(f'%"{query.sector}"%')
    lat, lon, km = query.place.lat, query.place.lon, query.radius_km
    band = km * fast_error_bound(km * 1.01, lat) * 1.01 + 1e-6
    found: dict[str, float] = {}
    for south, north, west, east in reference_boxes(lat, lon, km):
        for event_id, lat2, lon2 in db.execute(sql, (south, north, west, east, *params)):
            if fast:
                distance = fast_km(lat, lon, lat2, lon2)
                if distance > km + band:
                    continue
                if distance >= km - band:
                    distance = geodesic((lat, lon), (lat2, lon2)).km
            else:
                distance = geodesic((lat, lon), (lat2, lon2)).km
            if distance <= km:
                found[event_id] = distance
    nearest = sorted(found, key=lambda event_id: (found[event_id], event_id))[:PAGE]
    db.execute(PAGE_SQL.format(", ".join("?" * len(nearest))), nearest).fetchall()
    return set(found)


@dataclass
class Naive:
    """Every event in memory; geopy's geodesic to each of them."""

    rows: list[tuple[str, float | None, float | None, str, str]]
    scale: float

    def run(self, query: Query) -> tuple[set[str], float]:
        began = time.perf_counter()
        now = stamp(NOW)
        centre = (query.place.lat, query.place.lon)
        sector = f'"{query.sector}"' if query.sector else None
        found = set()
        for event_id, lat, lon, end, sectors in self.rows:
            if lat is None or lon is None:
                continue
            if geodesic(centre, (lat, lon)).km > query.radius_km:
                continue
            if end >= now and (sector is None or sector in sectors):
                found.add(event_id)
        return found, (time.perf_counter() - began) * self.scale


def load_naive(db: sqlite3.Connection, size: int) -> Naive:
    rows = db.execute('SELECT id, lat, lon, "end", sectors FROM events').fetchall()
    if size <= 100_000:
        return Naive(rows=rows, scale=1.0)
    sample = random.Random(SEED).sample(rows, NAIVE_SAMPLE)
    return Naive(rows=sample, scale=len(rows) / NAIVE_SAMPLE)


def percentile(values: Sequence[float], share: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


@dataclass
class Cell:
    """Per query of one (radius, sector): the median of its timed rounds, and its result count."""

    project: list[float] = field(default_factory=list)
    again: list[float] = field(default_factory=list)
    ref_a: list[float] = field(default_factory=list)
    ref_b: list[float] = field(default_factory=list)
    results: list[int] = field(default_factory=list)


def timed(work: Callable[[], Any]) -> float:
    began = time.perf_counter()
    work()
    return time.perf_counter() - began


def run_size(
    size: int, places: Sequence[Place], centres: Sequence[Place], workdir: Path, log: Any
) -> dict[str, Any]:
    path = workdir / f"events-{size}.db"
    seconds = build(path, size, places)
    log(f"{size:,} events: built in {seconds:.1f} s")
    engine = make_engine(f"sqlite:///{path}")
    store = EventStore(engine)
    db = sqlite3.connect(path)
    queries = [
        Query(place, radius, sector)
        for radius in RADII
        for sector in (None, SECTOR)
        for place in centres
    ]
    mismatches = []
    for query in queries:
        expected = project_ids(store, query)
        total, page = project_first_ask(store, query)
        if project_page(store, query) != (total, page):
            mismatches.append(f"{query.label} (asked again)")
        for name, fast in (("A", False), ("B", True)):
            if reference(db, query, fast=fast) != expected or total != len(expected):
                mismatches.append(f"{query.label} (reference {name})")
    log(f"{size:,}: gate {'passed' if not mismatches else 'FAILED'} on {len(queries)} queries")
    rounds: dict[Query, list[tuple[float, ...]]] = {query: [] for query in queries}
    for _ in range(TIMED_ROUNDS):
        for query in queries:
            rounds[query].append(
                (
                    timed(partial(project_first_ask, store, query)),
                    timed(partial(project_page, store, query)),
                    timed(partial(reference, db, query, fast=False)),
                    timed(partial(reference, db, query, fast=True)),
                )
            )
    cells: dict[tuple[float, str | None], Cell] = {}
    for query, times in rounds.items():
        cell = cells.setdefault((query.radius_km, query.sector), Cell())
        cell.project.append(statistics.median(t[0] for t in times))
        cell.again.append(statistics.median(t[1] for t in times))
        cell.ref_a.append(statistics.median(t[2] for t in times))
        cell.ref_b.append(statistics.median(t[3] for t in times))
        cell.results.append(project_page(store, query)[0])
    naive = load_naive(db, size)
    naive_times: list[float] = []
    naive_mismatch = 0
    for place in centres[:NAIVE_RUNS]:
        query = Query(place, RADII[-1], None)
        found, took = naive.run(query)
        naive_times.append(took)
        if naive.scale == 1.0 and found != project_ids(store, query):
            naive_mismatch += 1
    log(f"{size:,}: naive loop {statistics.median(naive_times):.1f} s per query")
    db.close()
    engine.dispose()
    path.unlink()
    return {
        "size": size,
        "build_seconds": seconds,
        "cells": cells,
        "naive": statistics.median(naive_times),
        "naive_sampled": naive.scale != 1.0,
        "mismatches": mismatches,
        "naive_mismatch": naive_mismatch,
        "queries": len(queries),
    }


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f}"


def within_reference(project: tuple[float, float], reference: tuple[float, float]) -> bool:
    """Each of p50 and p99 within the goal's ratio of the reference, or within its floor."""
    return all(
        mine <= theirs * GOAL_REFERENCE or mine - theirs <= GOAL_FLOOR
        for mine, theirs in zip(project, reference, strict=True)
    )


def report(runs: list[dict[str, Any]], wall: float) -> tuple[str, bool]:
    lines = [
        f"{QUERIES} query centres drawn by population from the gazetteer's cities; each "
        f"radius with and without `sector={SECTOR}`; the project returns a page of {PAGE} "
        f"by score (full events with reasons) and the total, the references the ids within "
        f"the radius and the nearest {PAGE} rows. Upcoming events only. Each query is timed "
        f"{TIMED_ROUNDS} times, its median kept; p50 and p99 are across queries. Times in ms.",
        "",
        "| events | radius | sector | results p50 | project p50 | project p99 "
        "| again p50 | again p99 "
        "| ref A p50 | ref A p99 | ref B p50 | ref B p99 | project / ref A | project / ref B "
        "| again / ref A | naive / project |",
        "| ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: "
        "| ---: | ---: | ---: | ---: |",
    ]
    misses: dict[str, list[str]] = {"A": [], "B": [], "naive": [], "again": []}
    floored: list[str] = []
    for run in runs:
        cells = sorted(run["cells"].items(), key=lambda kv: (kv[0][0], kv[0][1] or ""))
        for (radius, sector), cell in cells:
            p50, p99 = statistics.median(cell.project), percentile(cell.project, 0.99)
            a50, a99 = statistics.median(cell.ref_a), percentile(cell.ref_a, 0.99)
            b50, b99 = statistics.median(cell.ref_b), percentile(cell.ref_b, 0.99)
            g50, g99 = statistics.median(cell.again), percentile(cell.again, 0.99)
            naive50, naive99 = run["naive"] / p50, run["naive"] / p99
            name = f"{run['size']:,}/{radius:g} km/{sector or 'any sector'}"
            if not within_reference((p50, p99), (a50, a99)):
                misses["A"].append(name)
            elif max(p50 / a50, p99 / a99) > GOAL_REFERENCE:
                floored.append(name)
            if max(p50 / b50, p99 / b99) > GOAL_REFERENCE:
                misses["B"].append(name)
            if min(naive50, naive99) < GOAL_NAIVE:
                misses["naive"].append(name)
            if not within_reference((g50, g99), (a50, a99)):
                misses["again"].append(name)
            lines.append(
                f"| {run['size']:,} | {radius:g} km | {sector or '-'} "
                f"| {statistics.median(cell.results):,.0f} | {ms(p50)} | {ms(p99)} "
                f"| {ms(g50)} | {ms(g99)} "
                f"| {ms(a50)} | {ms(a99)} | {ms(b50)} | {ms(b99)} "
                f"| {p50 / a50:.2f}, {p99 / a99:.2f} | {p50 / b50:.2f}, {p99 / b99:.2f} "
                f"| {g50 / a50:.2f}, {g99 / a99:.2f} | {naive50:,.0f}x, {naive99:,.0f}x |"
            )
    lines.append("")
    ok = True
    for run in runs:
        how = (
            f"sampled {NAIVE_SAMPLE:,} and extrapolated" if run["naive_sampled"] else "every event"
        )
        gate = "passed" if not run["mismatches"] else f"FAILED: {'; '.join(run['mismatches'][:5])}"
        lines.append(
            f"- {run['size']:,} events: built in {run['build_seconds']:.0f} s; correctness gate "
            f"{gate} ({run['queries']} queries: project ids = reference A = reference B, "
            f"and the page asked again = the first); "
            f"naive loop {run['naive']:.1f} s per query ({how})"
            + (f", its ids differed {run['naive_mismatch']} times" if run["naive_mismatch"] else "")
            + "."
        )
        ok = ok and not run["mismatches"] and not run["naive_mismatch"]
    total = sum(len(run["cells"]) for run in runs)

    def verdict(key: str) -> str:
        missed = misses[key]
        if not missed:
            return f"met in all {total} cells"
        return f"MISSED in {len(missed)} of {total} cells ({', '.join(missed)})"

    lines += [
        "",
        "Reference A is the issue's reference: the R*Tree prefilter joined to the filters in "
        "one SQL statement, then geopy's geodesic for every candidate. Reference B is the "
        "same SQL with the project's fast distance and error bound (the geodesic only near "
        "the edge): the project's own overhead, measured against the same algorithm by hand. "
        '"Project" is a first ask (nothing kept, so every match is read for the total); '
        '"again" is the same search asked again with the store unchanged (its total kept; '
        "events read window by window of start time, within the distance that can still make "
        "the page). The goals are judged on the first ask.",
        "",
        f"Goals (each at p50 and p99): project within {GOAL_REFERENCE}x of reference A, or "
        f"at most {ms(GOAL_FLOOR)} ms slower (SQLAlchemy's fixed cost per statement, which "
        f"no request can feel): {verdict('A')}"
        + (
            f"; {len(floored)} of them by the {ms(GOAL_FLOOR)} ms floor ({', '.join(floored)})"
            if floored
            else ""
        )
        + f". Within {GOAL_REFERENCE}x of reference B: {verdict('B')}. Naive "
        f"at least {GOAL_NAIVE:,.0f}x slower than the project: {verdict('naive')}. "
        f"Asked again, within {GOAL_REFERENCE}x of reference A: {verdict('again')}. "
        f"Whole run {wall / 60:.1f} min.",
    ]
    return "\n".join(lines), ok and not misses["A"] and not misses["naive"]


Log = Callable[[str], None]
"""A line on stderr, after the seconds since the benchmark started."""


@dataclass
class Sized:
    """What a benchmark over generated stores does at each size, and what it says after."""

    measure: Callable[[int, Path], dict[str, Any]]
    """One size's run, in a temporary folder its stores may be written to."""
    report: Callable[[list[dict[str, Any]], float], tuple[str, bool]]
    """The runs and the whole run's seconds as the section's text, and whether goals were met."""


def sized_main(
    argv: Sequence[str] | None,
    *,
    doc: str | None,
    sizes: Sequence[int],
    section: str,
    prepare: Callable[[Log], Sized],
) -> int:
    """The command of a benchmark over generated stores of ``sizes`` (this one's and
    :mod:`benchmarks.distinct`'s): ``--sizes`` and ``--no-write``; what ``prepare`` loads
    (the gazetteer's cities) frozen out of the garbage collector before anything is timed;
    the report printed and written as ``section`` of RESULTS.md. Exits 1 when a goal is
    missed."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0] if doc else None)
    parser.add_argument("--sizes", type=int, nargs="*", default=list(sizes))
    parser.add_argument("--no-write", action="store_true", help="Print, do not touch RESULTS.md.")
    args = parser.parse_args(argv)
    began = time.perf_counter()

    def log(message: str) -> None:
        print(f"[{time.perf_counter() - began:6.1f} s] {message}", file=sys.stderr, flush=True)

    benchmark = prepare(log)
    # The gazetteer's millions of long-lived objects would otherwise be rescanned by
    # every full collection, adding pauses that belong to no query.
    gc.collect()
    gc.freeze()
    runs = []
    with tempfile.TemporaryDirectory(prefix="meetscout-bench-") as workdir:
        for size in args.sizes:
            runs.append(benchmark.measure(size, Path(workdir)))
    body, ok = benchmark.report(runs, time.perf_counter() - began)
    print(body)
    if not args.no_write:
        write_section(section, body)
    return 0 if ok else 1


def prepare(log: Log) -> Sized:
    places = cities()
    rng = random.Random(SEED + 1)
    centres = rng.choices(places, weights=[p.population for p in places], k=QUERIES)
    return Sized(
        measure=lambda size, workdir: run_size(size, places, centres, workdir, log),
        report=report,
    )


def main(argv: Sequence[str] | None = None) -> int:
    return sized_main(argv, doc=__doc__, sizes=SIZES, section="Search", prepare=prepare)


if __name__ == "__main__":
    sys.exit(main())
