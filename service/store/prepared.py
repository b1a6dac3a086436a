"""A statement built once for a shape of query, with the values of one run of it.

See :mod:`service.store.statements`: statements are kept per shape, values change per run.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, CursorResult, Select

KEPT_SHAPES = 512
"""Statements kept per cache: far more shapes than the API's filters can combine into."""


@dataclass(frozen=True, slots=True)
class Prepared:
    statement: Select[Any]
    params: dict[str, Any]

    def run(self, connection: Connection) -> CursorResult[Any]:
        return connection.execute(self.statement, self.params)
