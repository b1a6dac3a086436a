"""A statement built once for a shape of query, with the values of one run of it.

See :mod:`service.store.statements`: statements are kept per shape, values change per run.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Connection, CursorResult, Engine, Select

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
