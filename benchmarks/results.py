"""``benchmarks/RESULTS.md``: one section per benchmark, rewritten by its latest run."""

from __future__ import annotations

import os
import platform
import re
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
HEADER = "# Benchmark results\n\nWritten by `make bench`; each section by its latest run.\n"


def load_average() -> str:
    """The machine's load average over 1, 5 and 15 minutes: figures from a shared machine say
    how shared it was."""
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def busiest(loads: Sequence[str]) -> float:
    """The highest 1-minute figure among readings of :func:`load_average`."""
    return max(float(load.split()[0]) for load in loads)


def write_section(title: str, body: str, path: Path = RESULTS) -> None:
    """Replace (or add) the ``## title`` section, keeping the others as they are."""
    text = path.read_text() if path.exists() else HEADER
    stamp = (
        f"_Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {platform.machine()}, "
        f"Python {platform.python_version()}._"
    )
    section = f"## {title}\n\n{stamp}\n\n{body.strip()}\n"
    pattern = re.compile(rf"^## {re.escape(title)}\n.*?(?=^## |\Z)", re.M | re.S)
    if pattern.search(text):
        text = pattern.sub(lambda _: section + "\n", text, count=1)
    else:
        text = text.rstrip("\n") + "\n\n" + section
    path.write_text(text.rstrip("\n") + "\n")
