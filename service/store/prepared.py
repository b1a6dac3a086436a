"""A statement built once for a shape of query, with the values of one run of it.

See :mod:`service.store.statements`: statements are kept per shape, values change per run.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, CursorResult, Dialect, Engine, Select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql.compiler import SQLCompiler

from service.store.readers import readers

KEPT_SHAPES = 512
"""Statements kept per cache: far more shapes than the API's filters can combine into."""

Processor = Callable[[Any], Any]
Positions = tuple[list[tuple[str, Processor | None, Any]], frozenset[str]]
"""Each bound value in SQL order (its name, converter and the statement's own value), and the
names a run must give."""


@dataclass(frozen=True, slots=True)
class Prepared:
    statement: Select[Any]
    params: dict[str, Any]

    def run(self, connection: Connection) -> CursorResult[Any]:
        return connection.execute(self.statement, self.params)

    def rows(self, engine: Engine) -> list[tuple[Any, ...]]:
        """The rows as the database driver gives them, for reads of numbers and text.

        SQLAlchemy's execution of a statement costs more than SQLite's answer
        to a small indexed read, and a search runs several: on SQLite the
        statement compiled once is run on a kept driver connection (see
        :mod:`service.store.readers`), each value converted as SQLAlchemy
        would (IN lists expanded as it would). Booleans come back as 0 and 1;
        a failing database raises SQLAlchemy's errors, as :meth:`run` would.
        Other databases go through :meth:`run`.
        """
        direct = _direct(self.statement, engine.dialect)
        if direct is None:
            with engine.connect() as connection:
                return [tuple(row) for row in self.run(connection)]
        compiled, sql, processors, order = direct
        if sql is None:
            expanded = compiled.construct_expanded_state(self.params)
            convert: dict[str, Any] = {**processors, **(expanded.processors or {})}
            sql = expanded.statement
            bound = [
                value if (process := convert.get(name)) is None else process(value)
                for name, value in zip(
                    expanded.positiontup or (), expanded.positional_parameters, strict=True
                )
            ]
        else:
            params = self.params
            positions, required = order
            if not required <= params.keys():
                compiled.construct_params(params)  # raises, naming the missing value
            bound = [
                params.get(name, fixed) if process is None else process(params.get(name, fixed))
                for name, process, fixed in positions
            ]
        kept = readers(engine)
        driver = engine.dialect.loaded_dbapi
        connection = kept.take()
        try:
            rows = connection.execute(sql, bound).fetchall()
        except driver.Error as error:  # the errors SQLAlchemy's execution would raise
            kept.drop(connection)
            raise DBAPIError.instance(sql, bound, error, driver.Error) from error
        kept.give(connection)
        return rows  # type: ignore[no-any-return]


@lru_cache(maxsize=KEPT_SHAPES)
def _direct(
    statement: Select[Any], dialect: Dialect
) -> tuple[SQLCompiler, str | None, dict[str, Processor], Positions] | None:
    """The statement compiled for the driver: its SQL, how to convert each bound value (by
    name) and its :data:`Positions`; no SQL when it depends on the values (IN lists:
    expanded per run)."""
    if dialect.name != "sqlite":
        return None
    compiled = statement.compile(dialect=dialect)
    if not isinstance(compiled, SQLCompiler) or compiled.positiontup is None:
        return None
    processors: dict[str, Processor] = {}
    for name, bind in compiled.binds.items():
        process = bind.type.dialect_impl(dialect).bind_processor(dialect)
        if process is not None:
            processors[name] = process
    fixed = not (compiled.post_compile_params or compiled.literal_execute_params)
    order = [
        (name, processors.get(name), compiled.binds[name].value) for name in compiled.positiontup
    ]
    required = frozenset(name for name in compiled.positiontup if compiled.binds[name].required)
    return compiled, str(compiled) if fixed else None, processors, (order, required)
