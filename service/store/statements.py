"""Filtered SELECTs over events, built once per filter shape and run with new values.

Building a SQLAlchemy statement and its cache key costs about as much as
SQLite takes to answer a small indexed query, and a search near a place
runs several per request. So a query is told apart by its shape (which
filters it uses, how many sectors it has) from its values (the
dates, kinds, words): each shape's statement is built once, with bound
parameters, and each run binds the values. IN lists are expanding
parameters, so their length is not part of the shape (the keys of a page, ids and
series keys, are one bound list: see :class:`dialects.one_of`); the words of a text
search are one value, matched in the full-text index (:mod:`service.store.fulltext`).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, bindparam, or_

from service.store import dialects, fulltext
from service.store.prepared import KEPT_SHAPES, Prepared
from service.store.query import EventQuery
from service.store.tables import events as table

SINGLE_VALUES = ("start", "end", "starts_from", "free", "seen_since")
"""Fields of a query bound as they are, when not None."""
LISTS = ("kinds", "statuses", "sources", "exclude_sources", "ids", "attendance", "series_keys")
"""Fields of a query bound as IN lists, when not empty."""
ENUM_LISTS = frozenset({"kinds", "statuses", "attendance"})
"""Lists of enum members, bound by their values."""


Shape = tuple[bool, frozenset[str]]
"""Whether the statement is in order, and the names of the values it binds."""
Base = Callable[[], Select[Any]]
"""What to select (a module-level function, so that it can key the kept statements)."""


def prepare(base: Base, query: EventQuery, *, in_order: bool = False) -> Prepared:
    """``base()`` with every filter of ``query``; ``in_order`` also sorts by (start, id)
    and applies the query's keyset ``after`` and ``limit``."""
    shape, params = _bind(query, in_order=in_order)
    return Prepared(_statement(base, shape), params)


def _bind(query: EventQuery, *, in_order: bool) -> tuple[Shape, dict[str, Any]]:
    """The shape of ``query`` (what its statement looks like) and the values to run it with."""
    params: dict[str, Any] = {}
    for name in SINGLE_VALUES:
        value = getattr(query, name)
        if value is not None:
            params[name] = value
    for name in LISTS:
        values = getattr(query, name)
        if values:
            params[name] = [item.value for item in values] if name in ENUM_LISTS else list(values)
    for index, slug in enumerate(dict.fromkeys(query.sectors)):
        params[f"sector_{index}"] = dialects.json_list_pattern(slug)
    if query.q and query.q.strip():
        params["words"] = fulltext.words_of(query.q)
    if in_order:
        if query.after is not None:
            params["after_start"], params["after_id"] = query.after
        if query.limit is not None:
            params["limit"] = query.limit
    return (in_order, frozenset(params)), params


@lru_cache(maxsize=KEPT_SHAPES)
def _statement(base: Base, shape: Shape) -> Select[Any]:
    in_order, names = shape
    stmt = base()
    conditions = _conditions(names)
    if conditions:
        stmt = stmt.where(and_(*conditions))
    if not in_order:
        return stmt
    stmt = stmt.order_by(table.c.start, table.c.id)
    if "after_start" in names:
        after_start = bindparam("after_start", type_=table.c.start.type)
        stmt = stmt.where(
            or_(
                table.c.start > after_start,
                and_(table.c.start == after_start, table.c.id > bindparam("after_id")),
            )
        )
    if "limit" in names:
        stmt = stmt.limit(bindparam("limit", type_=table.c.sequence.type))
    return stmt


KEYS = frozenset({"ids", "series_keys"})
"""Lists that name a query's rows by key: with one of them, the rest only check those rows."""


def _conditions(names: frozenset[str]) -> list[ColumnElement[bool]]:
    c = table.c
    conditions: list[ColumnElement[bool]] = []
    checked: Callable[[ColumnElement[Any]], ColumnElement[Any]] = (
        dialects.unindexed if names & KEYS else _as_is
    )
    if "start" in names:
        conditions.append(checked(c.end) >= bindparam("start", type_=c.end.type))
    if "end" in names:
        conditions.append(checked(c.start) <= bindparam("end", type_=c.start.type))
    if "starts_from" in names:
        conditions.append(checked(c.start) >= bindparam("starts_from", type_=c.start.type))
    for name, column in (
        ("kinds", checked(c.kind)),
        ("statuses", checked(c.status)),
        ("sources", checked(c.source)),
        ("attendance", checked(c.attendance)),
    ):
        if name in names:
            conditions.append(column.in_(bindparam(name, expanding=True)))
    for name, column in (("ids", c.id), ("series_keys", c.series_key)):
        if name in names:
            conditions.append(dialects.one_of(column, name))
    if "exclude_sources" in names:
        conditions.append(checked(c.source).not_in(bindparam("exclude_sources", expanding=True)))
    sectors = sorted(name for name in names if name.startswith("sector_"))
    if sectors:
        conditions.append(or_(*(dialects.json_list_contains(c.sectors, name) for name in sectors)))
    if "free" in names:
        conditions.append(checked(c.is_free) == bindparam("free", type_=c.is_free.type))
    if "seen_since" in names:
        conditions.append(checked(c.first_seen) >= bindparam("seen_since", type_=c.first_seen.type))
    if "words" in names:
        conditions.append(fulltext.text_condition(c.id, "words"))
    return conditions


def _as_is(column: ColumnElement[Any]) -> ColumnElement[Any]:
    return column
