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

A tile is :data:`TILE_STEPS` cells of one row side by side (the cell
divided by it): about 6 by 11 km at London's latitude. A read of a window
of start time seeks each tile of a box to the window (:func:`tiles`), so it
walks about the events of the box in that window, not those of whole
bands of latitude around the globe.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from service.places.distance import Box

ROW_DEGREES = 0.1
"""About 11 km: a small search reads a row or two, a large one a few dozen."""
ROWS = math.floor(180 / ROW_DEGREES) + 1
LON_STEPS = 1 << 22
TILE_STEPS = 1 << 10
"""Cells of a tile: 4,096 tiles to a row, each about 0.09 degrees of longitude."""


def cell_of(lat: float | None, lon: float | None) -> int | None:
    """The cell of a point (latitude in [-90, 90], longitude in [-180, 180]); None without one."""
    if lat is None or lon is None:
        return None
    return _row(lat) * LON_STEPS + _step(lon)


def tile_of(lat: float | None, lon: float | None) -> int | None:
    """The tile of a point (its cell divided by :data:`TILE_STEPS`); None without one."""
    cell = cell_of(lat, lon)
    return None if cell is None else cell // TILE_STEPS


def tiles(boxes: Iterable[Box]) -> list[int]:
    """Every tile holding a point of ``boxes``, in order, each once."""
    found: set[int] = set()
    for low, high in cell_ranges(boxes):
        found.update(range(low // TILE_STEPS, high // TILE_STEPS + 1))
    return sorted(found)


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
