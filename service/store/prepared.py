"""A statement built once for a shape of query, with the values of one run of it.

See :mod:`service.store.statements`: statements are kept per shape, values change per run.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, cast

from sqlalchemy import Connection, CursorResult, Dialect, Engine, Select
from sqlalchemy.engine import Compiled
from sqlalchemy.exc import DBAPIError

from service.store.readers import reading

KEPT_SHAPES = 512
"""Statements built per cache: far more shapes than the API's filters can combine into.
Building one is a pure function of its shape, so memoising it keeps no state of a store."""


@dataclass(frozen=True, slots=True)
class Prepared:
    statement: Select[Any]
    params: dict[str, Any]

    def run(self, connection: Connection) -> CursorResult[Any]:
        return connection.execute(self.statement, self.params)

    def rows(self, engine: Engine) -> list[tuple[Any, ...]]:
        """Every row, read on a connection of the engine's pool: rows as the result gives
        them (each reads as a tuple), fetched at once, not one by one and copied (a ranked
        search reads thousands)."""
        with reading(engine).connect() as connection:
            return cast(list[tuple[Any, ...]], self.run(connection).all())

    def driver_rows(self, engine: Engine) -> list[tuple[Any, ...]]:
        """Every row as the database driver gives it, values unconverted by column type.

        For the reads a ranked search repeats a few times per search, a thousand rows
        each: SQLAlchemy's execution and its rows cost about as much again as SQLite's
        own reading. The statement is compiled once per shape and database; the
        values bound are converted as :meth:`rows` converts them. Only for columns
        whose driver values are what the reader wants (numbers, text; SQLite's 0 and 1
        for a boolean, equal to and hashing as ``False`` and ``True``). A statement
        SQLAlchemy must expand per run is read as :meth:`rows` reads it.
        """
        compiled = _compiled(self.statement, engine.dialect)
        if compiled is None:
            return self.rows(engine)
        values = compiled.values(self.params)
        with reading(engine).connect() as connection:
            cursor = connection.connection.cursor()
            try:
                return cast(list[tuple[Any, ...]], cursor.execute(compiled.sql, values).fetchall())
            except engine.dialect.loaded_dbapi.Error as exc:
                raise DBAPIError.instance(
                    compiled.sql, values, exc, engine.dialect.loaded_dbapi.Error
                ) from exc
            finally:
                cursor.close()


@dataclass(frozen=True, slots=True)
class _Compiled:
    """A statement's text for one database, and how to turn its values into the driver's."""

    compiled: Compiled
    sql: str
    positions: Sequence[str] | None
    """The names of the values in their order, for a driver that takes them in order."""
    convert: dict[str, Callable[[Any], Any]]

    def values(self, params: dict[str, Any]) -> Sequence[Any] | dict[str, Any]:
        given = self.compiled.construct_params(params)
        assert given is not None  # a statement's own values, with those given
        convert = self.convert
        if self.positions is None:
            return {
                name: convert[name](value) if name in convert else value
                for name, value in given.items()
            }
        return [
            convert[name](given[name]) if name in convert else given[name]
            for name in self.positions
        ]


@lru_cache(maxsize=KEPT_SHAPES)
def _compiled(statement: Select[Any], dialect: Dialect) -> _Compiled | None:
    compiled = statement.compile(dialect=dialect)
    binds = getattr(compiled, "binds", {})
    if any(bind.expanding or bind.literal_execute for bind in binds.values()):
        return None
    escaped = getattr(compiled, "escaped_bind_names", None) or {}
    convert = {}
    for name, bind in binds.items():
        processor = bind.type.dialect_impl(dialect).bind_processor(dialect)
        if processor is not None:
            convert[escaped.get(name, name)] = processor
    positions = getattr(compiled, "positiontup", None)
    return _Compiled(compiled, compiled.string, positions, convert)
