"""Grid cells: a place as one integer, so that a btree index is a spatial index.

The globe is cut into rows of :data:`ROW_DEGREES` of latitude; within a
row, longitude is counted in :data:`LON_STEPS` steps of about ten metres
at the equator. An event's cell is ``row * LON_STEPS + step``, so the
events of one row sit in the index in longitude order, and a box is read
as one range of cells per row it spans (a 2 km search reads one or two
ranges, a 50 km search about ten). With the columns ranking needs in the
same index, a radius search reads nearby events side by side, never a
table row. Both functions are monotonic in latitude and longitude, so a
box's ranges hold every cell of every point in it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from service.places.distance import Box

ROW_DEGREES = 0.1
"""About 11 km: a small search reads a row or two, a large one a few dozen."""
ROWS = math.floor(180 / ROW_DEGREES) + 1
LON_STEPS = 1 << 22


def cell_of(lat: float | None, lon: float | None) -> int | None:
    """The cell of a point (latitude in [-90, 90], longitude in [-180, 180]); None without one."""
    if lat is None or lon is None:
        return None
    return _row(lat) * LON_STEPS + _step(lon)


def row_of(lat: float | None) -> int | None:
    """The row of cells a latitude lies in (the cell divided by :data:`LON_STEPS`)."""
    return None if lat is None else _row(lat)


def row_ranges(boxes: Iterable[Box]) -> list[tuple[int, int, int]]:
    """(row, first cell, last cell) of every row of cells a box spans, in order: a read by
    row and start time seeks each row to its window and checks the cells in the index."""
    found: list[tuple[int, int, int]] = []
    for low, high in cell_ranges(boxes):
        for row in range(low // LON_STEPS, high // LON_STEPS + 1):
            first = max(low, row * LON_STEPS)
            last = min(high, row * LON_STEPS + LON_STEPS - 1)
            if found and found[-1][0] == row:
                found[-1] = (row, found[-1][1], last)  # a box split at ±180° meets itself
            else:
                found.append((row, first, last))
    return found


def cell_ranges(boxes: Iterable[Box]) -> list[tuple[int, int]]:
    """Ranges of cells, both ends included and in order, holding every point of ``boxes``."""
    ranges: list[tuple[int, int]] = []
    for box in boxes:
        first, last = _step(box.min_lon), _step(box.max_lon)
        for row in range(_row(box.min_lat), _row(box.max_lat) + 1):
            ranges.append((row * LON_STEPS + first, row * LON_STEPS + last))
    ranges.sort()
    merged: list[tuple[int, int]] = []
    for low, high in ranges:
        if merged and low <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], high))
        else:
            merged.append((low, high))
    return merged


def _row(lat: float) -> int:
    return min(ROWS - 1, max(0, math.floor((lat + 90.0) / ROW_DEGREES)))


def _step(lon: float) -> int:
    return min(LON_STEPS - 1, max(0, math.floor((lon + 180.0) / 360.0 * LON_STEPS)))
