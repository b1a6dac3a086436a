"""A linear model of sectors, learned from listings labelled by their publishers.

The keyword vocabularies say why an event belongs to a field when its text
names it; many listings name it only in passing ("Externship orientation",
"Board of Health meeting"). A logistic regression over words and word pairs,
trained on ``tests/fixtures/sectors/devset.csv`` and the taxonomy's own
vocabulary (``python -m benchmarks.sectors --write-model``), is shipped as
plain weights in ``data/sector_model.json``: scoring is a sum of the weights of
the terms present, and the terms that added most are the reasons it gives.
"""

from __future__ import annotations

import itertools
import json
import math
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

MODEL_PATH = Path(__file__).parent / "data" / "sector_model.json"
_WORD = re.compile(r"[a-z0-9]+")
MAX_TEXT = 2_000


def terms(text: str) -> list[str]:
    """Words and word pairs, lower case, accents removed: the model's features."""
    folded = unicodedata.normalize("NFKD", text[:MAX_TEXT].lower())
    words = [w for w in _WORD.findall(folded) if len(w) > 1 and not w.isdigit()]
    pairs = {f"{a} {b}" for a, b in itertools.pairwise(words)}
    return sorted(set(words) | pairs)


@dataclass(frozen=True, slots=True)
class SectorModel:
    """One weight per (term, sector) and one bias per sector (one-versus-rest)."""

    bias: dict[str, float]
    weights: dict[str, dict[str, float]]

    def chances(self, text: str) -> dict[str, float]:
        """Each sector's share of the one-versus-rest probabilities (as scikit-learn has them)."""
        sums = dict(self.bias)
        for term in terms(text):
            for slug, weight in self.weights.get(term, {}).items():
                sums[slug] += weight
        odds = {slug: 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, s)))) for slug, s in sums.items()}
        total = sum(odds.values()) or 1.0
        return {slug: value / total for slug, value in odds.items()}

    def reasons(self, slug: str, text: str, limit: int = 3) -> list[str]:
        """The terms of ``text`` that pushed hardest towards ``slug``."""
        pushes = [(self.weights.get(t, {}).get(slug, 0.0), t) for t in terms(text)]
        return [t for weight, t in sorted(pushes, key=lambda p: (-p[0], p[1])) if weight > 0][
            :limit
        ]


def load_model(path: Path = MODEL_PATH) -> SectorModel | None:
    """The shipped model, or None when the file is missing or unreadable."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        return SectorModel(bias=dict(document["bias"]), weights=dict(document["weights"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


@lru_cache(maxsize=1)
def get_model() -> SectorModel | None:
    return load_model()
