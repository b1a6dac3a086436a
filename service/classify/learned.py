"""A linear model of sectors, learned from listings labelled by their publishers.

The keyword vocabularies say why an event belongs to a field when its text
names it; many listings name it only in passing ("Externship orientation",
"Board of Health meeting"). A logistic regression over words and word pairs,
trained on ``tests/fixtures/sectors/devset.csv`` and the taxonomy's own
vocabulary (``python -m benchmarks.sectors --write-model``), is shipped as
plain weights in ``data/sector_model.json``: scoring is a sum of the weights of
the terms present, and the terms that added most are the reasons it gives.

Words and pairs know only the words the development set used; a listing
from a source of another kind ("Sculptor evening", "Judiciary open day")
may share none of them. The word part (``WordModel``) reads each known word as a
sentence embedding would (all-MiniLM-L6-v2, computed once per word of its
vocabulary by ``python -m benchmarks.sectors --write-model``): a logistic
regression over a listing's mean word vector is linear, so it ships folded
into one small score per word and sector, and the listing's scores are the
idf-weighted mean of its words'. The two parts' chances are blended, each
speaking for its share of the words: the word part for those it knows, the
words and pairs for the rest (names, other languages, an operator's
corrections).
"""

from __future__ import annotations

import base64
import itertools
import json
import math
import re
import unicodedata
from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

MODEL_PATH = Path(__file__).parent / "data" / "sector_model.json"
KIND_MODEL_PATH = MODEL_PATH.with_name("kind_model.json")
"""The same shape of model over kinds (words and pairs only), learned from listings whose
publisher chose their format (``python -m benchmarks.sectors --write-model``)."""
FUNCTION_WORDS_PATH = MODEL_PATH.with_name("function_words.txt")
_WORD = re.compile(r"[a-z0-9]+")
MAX_TEXT = 2_000
NO_FIELD = 255
FLOOR = 1e-9
"""Added to each chance before its logarithm: a sector one part rules out is not -infinity."""


@lru_cache(maxsize=1)
def function_words(path: Path = FUNCTION_WORDS_PATH) -> frozenset[str]:
    """Words that are never a reason alone (``data/function_words.txt``: English function
    words, a web address's parts, "am" and "pm")."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def terms(text: str) -> list[str]:
    """Words and word pairs, lower case, accents removed: the model's features."""
    folded = unicodedata.normalize("NFKD", text[:MAX_TEXT].lower())
    words = [w for w in _WORD.findall(folded) if len(w) > 1 and not w.isdigit()]
    pairs = {f"{a} {b}" for a, b in itertools.pairwise(words)}
    return sorted(set(words) | pairs)


@dataclass(frozen=True, slots=True)
class WordModel:
    """Per known word: its weight in a listing's mean (idf) and one score per sector.

    ``scores`` holds ``len(sectors)`` signed bytes per word, in the order of
    ``words``; a score is the byte times ``scale``. ``field`` gives each word the
    sector whose own vocabulary it stands clearly nearest to (an index into
    ``sectors``, or ``NO_FIELD``): only such words are the part's reasons, so a
    "Social Morning" that the listings of law schools made lean to legal gets no
    sector from it, and a "Sculptor evening" gets design-and-arts.
    """

    sectors: tuple[str, ...]
    bias: tuple[float, ...]
    words: dict[str, int]
    weight: array[float]
    scores: array[int]
    scale: float
    field: bytes

    def _known(self, found: Sequence[str]) -> list[tuple[str, int]]:
        return [(t, self.words[t]) for t in found if t in self.words]

    def share(self, found: Sequence[str]) -> float:
        """The part of a text's words (``found``: its :func:`terms`) this part knows; pairs
        are not words."""
        words = [t for t in found if " " not in t]
        return sum(w in self.words for w in words) / len(words) if words else 0.0

    def chances(self, found: Sequence[str]) -> dict[str, float] | None:
        """Softmax of the sectors' scores (multinomial) for a text's :func:`terms`, or None
        when no word is known."""
        known = self._known(found)
        if not known:
            return None
        width = len(self.sectors)
        sums = [0.0] * width
        total = 0.0
        for _, row in known:
            weight = self.weight[row]
            total += weight
            start = row * width
            for column, value in enumerate(self.scores[start : start + width]):
                sums[column] += weight * value
        logits = [b + s * self.scale / total for b, s in zip(self.bias, sums, strict=True)]
        top = max(logits)
        odds = [math.exp(value - top) for value in logits]
        whole = sum(odds)
        return {slug: value / whole for slug, value in zip(self.sectors, odds, strict=True)}

    def pushes(self, slug: str, found: Sequence[str]) -> list[tuple[float, str]]:
        """How far each known word of ``slug``'s field among a text's :func:`terms` leans to
        it beyond its mean over all sectors."""
        if slug not in self.sectors:
            return []
        column = self.sectors.index(slug)
        width = len(self.sectors)
        leans: list[tuple[float, str]] = []
        for word, row in self._known(found):
            if self.field[row] != column:
                continue
            values = self.scores[row * width : (row + 1) * width]
            lean = (values[column] - sum(values) / width) * self.scale * self.weight[row]
            leans.append((lean, word))
        return leans


@dataclass(frozen=True, slots=True)
class SectorModel:
    """One weight per (term, sector) and one bias per sector (one-versus-rest), and the word
    part where the model file has one."""

    bias: dict[str, float]
    weights: dict[str, dict[str, float]]
    words: WordModel | None = None

    def chances(self, text: str) -> dict[str, float]:
        """Each sector's share of the probabilities: the terms' one-versus-rest ones (as
        scikit-learn has them), blended with the word part's where it knows a word.

        The blend is geometric, weighted by the share of the words the word part knows:
        a part sure of a sector is not outvoted by the other's spread-out doubt.
        """
        found = terms(text)
        sums = dict(self.bias)
        for term in found:
            for slug, weight in self.weights.get(term, {}).items():
                sums[slug] += weight
        odds = {slug: 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, s)))) for slug, s in sums.items()}
        total = sum(odds.values()) or 1.0
        chances = {slug: value / total for slug, value in odds.items()}
        by_words = self.words.chances(found) if self.words is not None else None
        if by_words is None or self.words is None:
            return chances
        share = self.words.share(found)
        blended = {
            slug: math.exp(
                (1 - share) * math.log(chances.get(slug, 0.0) + FLOOR)
                + share * math.log(by_words.get(slug, 0.0) + FLOOR)
            )
            for slug in {*chances, *by_words}
        }
        whole = sum(blended.values())
        return {slug: value / whole for slug, value in blended.items()}

    def reasons(self, slug: str, text: str, limit: int = 3) -> list[str]:
        """The words and pairs of ``text`` that pushed hardest towards ``slug``: the word
        part's words of that field first, then the terms'. A term of function words alone
        ("with", "in the", "at https") is never one: it weighs in the chances, but says
        nothing a person could check, and a label with no other reason is not given."""
        words_of_nothing = function_words()
        found = [t for t in terms(text) if not words_of_nothing.issuperset(t.split())]
        given: list[str] = []
        if self.words is not None:
            leans = sorted(self.words.pushes(slug, found), key=lambda p: (-p[0], p[1]))
            given.extend(word for lean, word in leans if lean > 0)
        pushes = [(self.weights.get(t, {}).get(slug, 0.0), t) for t in found]
        given.extend(t for weight, t in sorted(pushes, key=lambda p: (-p[0], p[1])) if weight > 0)
        return list(dict.fromkeys(given))[:limit]


def word_model(document: dict[str, Any]) -> WordModel:
    """The word part of a model file (``words`` in it): ValueError, KeyError or TypeError when
    it is not whole."""
    sectors = tuple(str(slug) for slug in document["sectors"])
    words = str(document["list"]).split(" ")
    weight = array("d", (float(w) for w in document["weight"]))
    scores = array("b", base64.b64decode(str(document["scores"]), validate=True))
    bias = tuple(float(b) for b in document["bias"])
    if len(bias) != len(sectors) or len(weight) != len(words):
        raise ValueError("word model: sizes disagree")
    field = base64.b64decode(str(document["field"]), validate=True)
    if len(scores) != len(words) * len(sectors) or len(field) != len(words):
        raise ValueError("word model: scores are not one per word and sector")
    return WordModel(
        sectors=sectors,
        bias=bias,
        words={word: row for row, word in enumerate(words)},
        weight=weight,
        scores=scores,
        scale=float(document["scale"]),
        field=field,
    )


def load_model(path: Path = MODEL_PATH) -> SectorModel | None:
    """The shipped model, or None when the file is missing or unreadable."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        words = word_model(document["words"]) if "words" in document else None
        return SectorModel(
            bias=dict(document["bias"]), weights=dict(document["weights"]), words=words
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


@lru_cache(maxsize=1)
def get_model() -> SectorModel | None:
    return load_model()


@lru_cache(maxsize=1)
def get_kind_model() -> SectorModel | None:
    """The kind model: its labels are kinds where the sector model's are sectors."""
    return load_model(KIND_MODEL_PATH)
