"""Radius search on SQLite: the grid cells of a box, read from the cell index.

A box becomes ranges of cells (:func:`service.store.geo_cells.cell_ranges`),
bound as one JSON array whatever their number, so one statement per filter
shape serves every place and radius. SQLite walks the array and, for each
range, the covering index ``ix_events_geo_cell_rank`` (migration 0009): the
events of a neighbourhood lie side by side there with every column ranking
reads, so a search never touches a table row. The box's own bounds are
checked in the index too, so the rows are exactly those inside the box.
A read for one sector seeks that sector's rows of cells in ``event_sectors``
instead (:mod:`service.store.sector_rows`).
Only :mod:`service.store.dialects` calls this module.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from sqlalchemy import Integer, Select, Table, Text, bindparam, func
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.selectable import Join

from service.places.cells import cell_ranges, row_ranges
from service.places.distance import Box
from service.store import sector_rows
from service.store.prepared import KEPT_SHAPES, Prepared
from service.store.tables import event_sectors

CELL_INDEX = "ix_events_geo_cell_rank"
ROW_INDEX = "ix_events_geo_row_start"


class RangesFirst(Join):
    """A join that SQLite runs from the cell ranges into the cell index, and no other way.

    ``CROSS JOIN`` fixes the order and ``INDEXED BY`` the index: given a
    kind and a start window, the planner would rather walk the kind and
    start index and test every meetup of the window against each range.
    """

    inherit_cache = True
    index = CELL_INDEX


class RowsFirst(RangesFirst):
    """The same, from the rows of cells into the row and start index."""

    inherit_cache = True
    index = ROW_INDEX


class SectorRowsFirst(RangesFirst):
    """The same, from the rows of cells into one sector's rows (its table's own key)."""

    inherit_cache = True
    index = ""


@compiles(RangesFirst)
@compiles(RowsFirst)
@compiles(SectorRowsFirst)
def _ranges_first(join: RangesFirst, compiler: SQLCompiler, **kw: Any) -> str:
    kw["asfrom"] = True
    left = join.left._compiler_dispatch(compiler, **kw)
    right = join.right._compiler_dispatch(compiler, **kw)
    assert join.onclause is not None  # built with one, in _within
    on = join.onclause._compiler_dispatch(compiler, **kw)
    indexed = f" INDEXED BY {join.index}" if join.index else ""
    return f"{left} CROSS JOIN {right}{indexed} ON {on}"


def box_params(box: Box) -> dict[str, float]:
    """The values of a box, for the bound parameters of a spatial prefilter."""
    return {
        "box_min_lat": box.min_lat,
        "box_max_lat": box.max_lat,
        "box_min_lon": box.min_lon,
        "box_max_lon": box.max_lon,
    }


def within(prepared: Prepared, events: Table, box: Box) -> Prepared:
    """``prepared`` over the events whose point is in ``box``, read by cell ranges (for one
    sector, by that sector's rows of cells)."""
    if _one_sector(prepared.params):
        rows = "[" + ",".join(str(row) for row, _, _ in row_ranges([box])) + "]"
        params = prepared.params | box_params(box) | {"rows_of_cells": rows}
        by_sector = _by_sector(prepared.statement)
        if by_sector is not None:
            return Prepared(by_sector, params)
    ranges = "[" + ",".join(f"[{low},{high}]" for low, high in cell_ranges([box])) + "]"
    params = prepared.params | box_params(box) | {"cell_ranges": ranges}
    return Prepared(_within(prepared.statement, events), params)


@lru_cache(maxsize=KEPT_SHAPES)
def _within(stmt: Select[Any], events: Table) -> Select[Any]:
    ranges = (
        func.json_each(bindparam("cell_ranges", type_=Text))
        .table_valued("value")
        .alias("cell_range")
    )
    low = func.json_extract(ranges.c.value, "$[0]", type_=Integer)
    high = func.json_extract(ranges.c.value, "$[1]", type_=Integer)
    joined = RangesFirst(ranges, events, events.c.geo_cell.between(low, high))
    return stmt.select_from(joined).where(
        events.c.lat.between(bindparam("box_min_lat"), bindparam("box_max_lat")),
        events.c.lon.between(bindparam("box_min_lon"), bindparam("box_max_lon")),
    )


def within_by_start(prepared: Prepared, events: Table, box: Box) -> Prepared:
    """``prepared`` (which bounds the start) over the events whose point is in ``box``, read
    row of cells by row from the row and start index (migration 0016): each row is sought
    to the start window, so a window costs what it holds, not what the box holds.

    The rows are bound as a JSON array of plain numbers, each the key a row is sought by,
    and the box's own bounds turn away what a row holds outside it: a row's range of
    cells, checked per index entry, would be read out of its JSON each time (SQLite
    keeps no parsed JSON between rows), which cost more than the rest of the read.
    """
    rows = "[" + ",".join(str(row) for row, _, _ in row_ranges([box])) + "]"
    params = prepared.params | box_params(box) | {"rows_of_cells": rows}
    by_sector = _by_sector(prepared.statement) if _one_sector(params) else None
    if by_sector is not None:
        return Prepared(by_sector, params)
    return Prepared(_within_by_start(prepared.statement, events), params)


def _rows_of_cells() -> Any:
    """The rows of cells bound as one JSON array of numbers, as a table to join from."""
    return (
        func.json_each(bindparam("rows_of_cells", type_=Text))
        .table_valued("value")
        .alias("row_of_cells")
    )


def _one_sector(params: dict[str, Any]) -> bool:
    """Whether a read can come from one sector's rows (see :mod:`sector_rows`): one
    sector asked for, and no words (the full-text index knows events by their rowid)."""
    return "sector_0" in params and "sector_1" not in params and "words" not in params


@lru_cache(maxsize=KEPT_SHAPES)
def _by_sector(prepared_statement: Select[Any]) -> Select[Any] | None:
    swapped = sector_rows.swap(prepared_statement)
    if swapped is None:
        return None
    rows = _rows_of_cells()
    sector = sector_rows.sector_of(bindparam("sector_0", type_=Text))
    on = (event_sectors.c.sector == sector) & (event_sectors.c.geo_row == rows.c.value)
    return swapped.select_from(SectorRowsFirst(rows, event_sectors, on)).where(
        event_sectors.c.lat.between(bindparam("box_min_lat"), bindparam("box_max_lat")),
        event_sectors.c.lon.between(bindparam("box_min_lon"), bindparam("box_max_lon")),
    )


@lru_cache(maxsize=KEPT_SHAPES)
def _within_by_start(stmt: Select[Any], events: Table) -> Select[Any]:
    rows = _rows_of_cells()
    on = events.c.geo_row == rows.c.value
    return stmt.select_from(RowsFirst(rows, events, on)).where(
        events.c.lat.between(bindparam("box_min_lat"), bindparam("box_max_lat")),
        events.c.lon.between(bindparam("box_min_lon"), bindparam("box_max_lon")),
    )
