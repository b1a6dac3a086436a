"""Radius search on PostgreSQL: the grid cells of a box, read from the cell index.

The same cells as on SQLite (:mod:`service.places.cells`, migration 0009):
a box becomes ranges of cells, bound as two arrays (first and last cell of
each range) whatever their number, so one statement per filter shape serves
every place and radius. ``unnest`` turns them into rows, and each row is
joined to a ``LATERAL`` read of ``ix_events_geo_cell_rank`` for its range
(there without ``sectors``: PostgreSQL's JSON has no btree order, so the
rows are visited too). Left to itself the planner would often rather read
the (lat, lon) index, which holds a whole band of latitude: in a dense
city, several times the rows. ``OFFSET 0`` keeps the range read as written. The box's own bounds are
checked too, so the rows are exactly those inside the box. A window of start
time reads the row and start index instead (migration 0016), row of cells by
row: each row sought to the window, its cells checked in the index, as on
SQLite. Only :mod:`service.store.dialects` calls this module.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from sqlalchemy import BigInteger, Integer, Select, Table, bindparam, func
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.selectable import Join

from service.places.cells import cell_ranges, row_ranges
from service.places.distance import Box
from service.store.geo_sqlite import box_params
from service.store.prepared import KEPT_SHAPES, Prepared


class RangeReads(Join):
    """Ranges of cells (or rows of cells, each with its window of start time), each joined
    to a read of the events table's index for that range.

    The right side is written as a subquery under the table's own name, so
    the rest of the statement refers to its columns unchanged.
    """

    inherit_cache = True


@compiles(RangeReads)
def _range_reads(join: RangeReads, compiler: SQLCompiler, **kw: Any) -> str:
    kw["asfrom"] = True
    ranges = join.left._compiler_dispatch(compiler, **kw)
    assert join.onclause is not None  # built with one, in _within
    on = join.onclause._compiler_dispatch(compiler, **kw)
    table = compiler.preparer.format_table(join.right)
    return f"{ranges} CROSS JOIN LATERAL (SELECT * FROM {table} WHERE {on} OFFSET 0) AS {table}"


def within(prepared: Prepared, events: Table, box: Box) -> Prepared:
    """``prepared`` over the events whose point is in ``box``, read by cell ranges."""
    ranges = cell_ranges([box])
    params = (
        prepared.params
        | box_params(box)
        | {"cell_lows": [low for low, _ in ranges], "cell_highs": [high for _, high in ranges]}
    )
    return Prepared(_within(prepared.statement, events), params)


@lru_cache(maxsize=KEPT_SHAPES)
def _within(stmt: Select[Any], events: Table) -> Select[Any]:
    cells = ARRAY(BigInteger)
    ranges = (
        func.unnest(bindparam("cell_lows", type_=cells), bindparam("cell_highs", type_=cells))
        .table_valued("low", "high")
        .render_derived(name="cell_range")
    )
    joined = RangeReads(ranges, events, events.c.geo_cell.between(ranges.c.low, ranges.c.high))
    return stmt.select_from(joined).where(
        events.c.lat.between(bindparam("box_min_lat"), bindparam("box_max_lat")),
        events.c.lon.between(bindparam("box_min_lon"), bindparam("box_max_lon")),
    )


def within_by_start(prepared: Prepared, events: Table, box: Box) -> Prepared:
    """``prepared`` over the events whose point is in ``box``, read row of cells by row
    from the row and start index, each row sought to the start window ``prepared`` reads
    (its ``starts_from`` and ``end``): a window costs what it holds, not what the box holds
    at every time. Without both bounds, the cell ranges as :func:`within` reads them."""
    if "starts_from" not in prepared.params or "end" not in prepared.params:
        return within(prepared, events, box)
    rows = row_ranges([box])
    params = (
        prepared.params
        | box_params(box)
        | {
            "rows_of_cells": [row for row, _, _ in rows],
            "row_lows": [low for _, low, _ in rows],
            "row_highs": [high for _, _, high in rows],
        }
    )
    return Prepared(_within_by_start(prepared.statement, events), params)


@lru_cache(maxsize=KEPT_SHAPES)
def _within_by_start(stmt: Select[Any], events: Table) -> Select[Any]:
    numbers, cells = ARRAY(Integer), ARRAY(BigInteger)
    rows = (
        func.unnest(
            bindparam("rows_of_cells", type_=numbers),
            bindparam("row_lows", type_=cells),
            bindparam("row_highs", type_=cells),
        )
        .table_valued("value", "low", "high")
        .render_derived(name="row_of_cells")
    )
    start = events.c.start
    sought = (
        (events.c.geo_row == rows.c.value)
        & start.between(
            bindparam("starts_from", type_=start.type), bindparam("end", type_=start.type)
        )
        & events.c.geo_cell.between(rows.c.low, rows.c.high)
    )
    return stmt.select_from(RangeReads(rows, events, sought)).where(
        events.c.lat.between(bindparam("box_min_lat"), bindparam("box_max_lat")),
        events.c.lon.between(bindparam("box_min_lon"), bindparam("box_max_lon")),
    )
