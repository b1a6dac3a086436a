"""What the benchmarks share in benchmarks/results.py."""

from __future__ import annotations

from benchmarks.results import busiest, load_average


def test_busiest_reads_the_first_figure_of_each_load_average() -> None:
    now = load_average()

    assert busiest([now]) == float(now.split()[0])
    assert busiest(["0.20 0.30 0.40", "1.50 0.10 0.10", now]) >= 1.5
