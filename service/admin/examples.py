"""Corrections as classifier examples, in the columns of the sector development set.

``tests/fixtures/sectors/devset.csv`` reads ``source, label, sectors, kind,
title, description``; the operator's corrections are written the same way
(label ``operator correction``), so that the classifier's measurements and
training can read them next to the publisher-labelled listings.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import TextIO

from service.store import Example

COLUMNS = ("source", "label", "sectors", "kind", "title", "description")
LABEL = "operator correction"
DESCRIPTION_CHARS = 600
"""As many characters of a description as the development set keeps."""


def write_examples(examples: Iterable[Example], out: TextIO) -> int:
    """Write ``examples`` as CSV to ``out``; returns how many rows were written."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    count = 0
    for example in examples:
        description = " ".join((example.description or "").split())[:DESCRIPTION_CHARS]
        writer.writerow(
            (
                example.source,
                LABEL,
                ";".join(example.sectors),
                example.kind,
                example.title,
                description,
            )
        )
        count += 1
    return count
