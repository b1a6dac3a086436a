"""Everything the store says that only one database understands.

The rest of the store speaks portable SQLAlchemy Core; what differs between
SQLite and PostgreSQL (connection pragmas, the upsert statement, the spatial
index behind radius search, reading a JSON list) lives here.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    Boolean,
    ColumnElement,
    Engine,
    Float,
    Select,
    Table,
    Text,
    TypeDecorator,
    and_,
    bindparam,
    cast,
    event,
    extract,
    func,
    type_coerce,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.dml import Insert
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import TypeEngine

from service.places.distance import Box
from service.store import geo_postgres, geo_sqlite
from service.store.prepared import KEPT_SHAPES, Prepared

SQLITE_CACHE_KIB = 2 * 1024
"""SQLite's own page cache, per connection: bounded, so a worker's memory is too."""


def configure(engine: Engine) -> None:
    """Per-connection settings for SQLite: WAL, a busy timeout, a bounded page cache.

    No memory map: every page of the store a worker read through one would
    stay in that worker's resident memory (1.3-1.9 GB per worker at 1e6
    events), and reads from the kernel's page cache cost searches nothing
    measurable (benchmarks/RESULTS.md, "Workers: memory and throughput").
    PostgreSQL: NUL characters are taken out of every text written (see
    :func:`_without_nul`).
    """
    if engine.dialect.name == "postgresql":
        event.listen(engine, "before_cursor_execute", _without_nul, retval=True)
        return
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA mmap_size=0")
        cursor.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
        cursor.close()


def insert(engine: Engine, table: Table) -> sqlite.Insert | postgresql.Insert:
    """An INSERT of the engine's dialect, which knows ``ON CONFLICT``."""
    if engine.dialect.name == "sqlite":
        return sqlite.insert(table)
    if engine.dialect.name == "postgresql":
        return postgresql.insert(table)
    raise NotImplementedError(f"no upsert for {engine.dialect.name}")  # pragma: no cover


def _without_nul(
    _connection: Any,
    _cursor: Any,
    statement: str,
    parameters: Any,
    _context: Any,
    _executemany: bool,
) -> tuple[str, Any]:
    """PostgreSQL's text cannot hold NUL (0x00), and one in a crawled title would fail the
    whole batch; SQLite keeps it, and no reader of the text shows it. So it is dropped."""
    if isinstance(parameters, dict):
        return statement, _clean(parameters)
    if isinstance(parameters, list | tuple) and parameters and isinstance(parameters[0], dict):
        return statement, [_clean(row) for row in parameters]
    return statement, parameters


def _clean(row: dict[str, Any]) -> dict[str, Any]:
    if not any(isinstance(value, str) and "\x00" in value for value in row.values()):
        return row
    return {
        name: value.replace("\x00", "") if isinstance(value, str) else value
        for name, value in row.items()
    }


def upsert(engine: Engine, table: Table, *, keep: set[str]) -> Insert:
    """An INSERT that updates every column but ``keep`` when the key exists.

    Executed with a list of rows (executemany), so one compiled statement
    serves every batch.
    """
    stmt = insert(engine, table)
    key = [column.name for column in table.primary_key.columns]
    updates = {
        column.name: stmt.excluded[column.name]
        for column in table.columns
        if column.name not in keep and column.name not in key
    }
    return stmt.on_conflict_do_update(index_elements=key, set_=updates)


class unindexed(FunctionElement[Any]):
    """``column``, but not a way in for the planner: SQLite's unary ``+`` keeps an index on
    it from being chosen (the value is unchanged); other databases see the column.

    SQLite plans without statistics. Told to find a few dozen rows by key
    and, say, of a kind, it walks the kind's index in date order, every
    meetup of the store, because that saves it a sort: 60 ms where the keys'
    index answers in 1 ms. Where a query names its rows by key, its other
    conditions are only checks.
    """

    inherit_cache = True
    name = "unindexed"

    def __init__(self, column: ColumnElement[Any]) -> None:
        super().__init__(column)
        self.type = column.type


@compiles(unindexed)
def _column_as_is(element: unindexed, compiler: SQLCompiler, **kw: Any) -> str:
    return str(compiler.process(element.clauses, **kw))


@compiles(unindexed, "sqlite")
def _column_no_index(element: unindexed, compiler: SQLCompiler, **kw: Any) -> str:
    return "+" + str(compiler.process(element.clauses, **kw))


class KeyList(TypeDecorator[Sequence[str]]):
    """A list of keys bound as one value: JSON text on SQLite, a text array elsewhere."""

    impl = Text
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(postgresql.ARRAY(Text))
        return dialect.type_descriptor(Text())

    def process_bind_param(self, value: Sequence[str] | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        return json.dumps(list(value)) if dialect.name == "sqlite" else list(value)


class one_of(FunctionElement[bool]):
    """``column`` is one of the keys bound to ``name`` (a :class:`KeyList`).

    Not an expanding IN: SQLAlchemy renders and binds an expanding list item
    by item at every run, and SQLite prepares the statement again for each
    length. A page's 200 ids cost 0.7 ms that way, twice what SQLite takes to
    find them. One bound value keeps one statement: SQLite walks the JSON
    array (``json_each``), PostgreSQL compares with ``ANY`` of an array; each
    seeks the column's index for every key.
    """

    inherit_cache = True
    name = "one_of"
    type = Boolean()
    _is_implicitly_boolean = True  # a condition as it is, not compared with true

    def __init__(self, column: ColumnElement[Any], name: str) -> None:
        super().__init__(column, bindparam(name, type_=KeyList()))


@compiles(one_of)
def _any_of_array(element: one_of, compiler: SQLCompiler, **kw: Any) -> str:
    column, keys = element.clauses.clauses
    return f"{compiler.process(column, **kw)} = ANY({compiler.process(keys, **kw)})"


@compiles(one_of, "sqlite")
def _in_json_array(element: one_of, compiler: SQLCompiler, **kw: Any) -> str:
    column, keys = element.clauses.clauses
    return (
        f"{compiler.process(column, **kw)} IN "
        f"(SELECT value FROM json_each({compiler.process(keys, **kw)}))"
    )


def json_list_contains(column: ColumnElement[Any], name: str) -> ColumnElement[bool]:
    """The JSON list of strings in ``column`` holds the value bound to ``name``
    (give it :func:`json_list_pattern` of the value).

    A LIKE on the JSON text works unchanged on SQLite and PostgreSQL. The
    wildcards are joined to the bound value in SQL: SQLite prepares a
    statement again whenever a LIKE pattern bound as a whole changes value
    (its LIKE optimisation plans by the pattern), which costs more than
    the rest of a small search.
    """
    return cast(column, Text).contains(bindparam(name, type_=Text))


def json_list_pattern(value: str) -> str:
    """What to bind for :func:`json_list_contains` to find ``value``: a taxonomy slug
    (letters, digits, hyphens), so nothing needs escaping."""
    return f'"{value}"'


def within_box(
    engine: Engine, prepared: Prepared, events: Table, box: Box, *, by_start: bool = False
) -> Prepared:
    """``prepared`` restricted to events whose coordinates lie in ``box``.

    SQLite and PostgreSQL read the box's grid cells from the cell index
    (migration 0009); other databases read the (lat, lon) index of migration 0004.
    ``by_start``: ``prepared`` reads a window of start time, which both seek row of
    cells by row (migration 0016).
    """
    if engine.dialect.name == "sqlite":
        if by_start:
            return geo_sqlite.within_by_start(prepared, events, box)
        return geo_sqlite.within(prepared, events, box)
    if engine.dialect.name == "postgresql":
        if by_start:
            return geo_postgres.within_by_start(prepared, events, box)
        return geo_postgres.within(prepared, events, box)
    return Prepared(
        _between(prepared.statement, events),
        prepared.params | geo_sqlite.box_params(box),
    )


@lru_cache(maxsize=KEPT_SHAPES)
def _between(stmt: Select[Any], events: Table) -> Select[Any]:
    return stmt.where(
        and_(
            events.c.lat.between(bindparam("box_min_lat"), bindparam("box_max_lat")),
            events.c.lon.between(bindparam("box_min_lon"), bindparam("box_max_lon")),
        )
    )


UNIX_EPOCH_JULIAN_DAY = 2440587.5


def epoch_seconds(dialect_name: str, column: ColumnElement[Any]) -> ColumnElement[float]:
    """A timestamp column as seconds since 1970 (UTC), computed by the database.

    Ranking reads the start of thousands of candidates; a number is cheaper
    to carry out than a date-time to parse.
    """
    if dialect_name == "sqlite":
        days = func.julianday(column) - UNIX_EPOCH_JULIAN_DAY
        return type_coerce(days * 86400.0, Float)
    return cast(extract("epoch", column), Float)  # a float from the driver, not a numeric
