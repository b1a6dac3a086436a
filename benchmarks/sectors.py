"""``python -m benchmarks.sectors``: sectors and kinds on listings labelled by their publishers.

The development set (``tests/fixtures/sectors/devset.csv``) gives each
listing the sector its source's label maps to (a chamber's feed, a law
school's calendar, a curated conference list) and, where the publisher chose
one, its format. A listing counts as right when one of its sectors is among
the first three the classifier gives. ``--loso`` also measures, leaving one
source out at a time, a logistic regression trained on the other sources and
on the taxonomy's own vocabulary (it needs scikit-learn, a test extra).
"""

from __future__ import annotations

import argparse
import csv
import itertools
import re
import sys
import time
import unicodedata
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

from benchmarks.results import write_section
from service.classify.kinds import classify_kind
from service.classify.sectors import classify, get_taxonomy

DEVSET = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "sectors" / "devset.csv"
TOP = 3
Row = dict[str, str]
Predict = Callable[[Row], list[str]]


def load(path: Path = DEVSET) -> list[Row]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def publisher(row: Row) -> str:
    """One curator's lists count as one source: confs.tech's topic files share their editors."""
    source = row["source"]
    return "confs-tech" if source.startswith("confs-tech/") else source


def keywords(row: Row) -> list[str]:
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


def kinds(rows: list[Row]) -> dict[str, tuple[int, int]]:
    right: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for row in rows:
        if not row["kind"]:
            continue
        decision = classify_kind(title=row["title"], description=row["description"])
        total[row["kind"]] += 1
        right[row["kind"]] += decision.kind.value == row["kind"]
    return {kind: (right[kind], total[kind]) for kind in sorted(total)}


_WORD = re.compile(r"[a-z0-9]+")


def terms(text: str) -> list[str]:
    """Words and word pairs, lower case, accents removed."""
    folded = unicodedata.normalize("NFKD", text.lower())
    words = [w for w in _WORD.findall(folded) if len(w) > 1 and not w.isdigit()]
    return sorted(set(words) | {f"{a} {b}" for a, b in itertools.pairwise(words)})


def loso(rows: list[Row], combine: bool, alone: float, extra: float) -> Predict:
    """Predictions of a linear model retrained without each listing's own source."""
    import numpy as np
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.linear_model import SGDClassifier

    vocabulary = [
        (" ".join([*sector.keywords, *sector.acronyms, sector.label, sector.description]), slug)
        for sector in get_taxonomy()
        for slug in [sector.slug]
    ]
    found: dict[int, list[str]] = {}
    for held_out in sorted({publisher(row) for row in rows}):
        train = [row for row in rows if publisher(row) != held_out]
        texts = [f"{row['title']}\n{row['description']}" for row in train]
        labels = [row["sectors"].split(";")[0] for row in train]
        texts += [text for text, _ in vocabulary]
        labels += [slug for _, slug in vocabulary]
        vectorizer = CountVectorizer(analyzer=terms, binary=True)
        model = SGDClassifier(
            loss="log_loss",
            alpha=1e-4,
            max_iter=30,
            tol=None,
            random_state=0,
            class_weight="balanced",
        ).fit(vectorizer.fit_transform(texts), labels)
        test = [(index, row) for index, row in enumerate(rows) if publisher(row) == held_out]
        matrix = vectorizer.transform([f"{row['title']}\n{row['description']}" for _, row in test])
        for (index, row), chances in zip(test, model.predict_proba(matrix), strict=True):
            given = keywords(row) if combine else []
            floor = extra if given else alone
            order = np.argsort(-chances)[:TOP]
            learned = [str(model.classes_[i]) for i in order if chances[i] >= floor]
            found[index] = list(dict.fromkeys([*given, *learned]))[:TOP]
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


def speed(rows: list[Row], repeat: int = 3) -> float:
    """Milliseconds per classification (sectors and kind), texts not seen before by the cache."""
    start = time.perf_counter()
    for round_ in range(repeat):
        for row in rows:
            title = f"{row['title']} {round_}"
            classify(title=title, description=row["description"])
            classify_kind(title=title, description=row["description"])
    return (time.perf_counter() - start) * 1000 / (repeat * len(rows))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--loso", action="store_true", help="also train and test a linear model per source"
    )
    args = parser.parse_args(argv)
    rows = load()
    columns = {"keywords": score(rows, keywords)}
    if args.loso:
        columns["linear"] = score(rows, loso(rows, combine=False, alone=0.15, extra=0.15))
        columns["keywords + linear"] = score(rows, loso(rows, combine=True, alone=0.15, extra=0.3))
        columns["keywords + linear, top 3"] = score(
            rows, loso(rows, combine=True, alone=0.0, extra=0.2)
        )
    kind_rows = kinds(rows)
    per_event = speed(rows)
    sources = len({publisher(row) for row in rows})
    body = "\n\n".join(
        [
            f"{len(rows)} listings from {sources} sources (`tests/fixtures/sectors/devset.csv`); "
            "right = one of the listing's sectors among the first three given; none = no sector.",
            table(columns),
            "| kind (publisher's format) | right | listings |\n| --- | ---: | ---: |\n"
            + "\n".join(f"| {kind} | {r / t:.0%} | {t} |" for kind, (r, t) in kind_rows.items()),
            f"Sectors and kind of one event: {per_event:.3f} ms (goal: at most 2 ms).",
        ]
    )
    print(body)
    write_section("Sectors and kinds", body)
    return 0 if per_event <= 2.0 else 1


if __name__ == "__main__":
    sys.exit(main())
