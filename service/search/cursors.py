"""Cursors: where the next page starts, and the clock its first page was ranked at.

Pages are cut by keyset (the sort key, then the id), so events added
between two pages neither repeat nor push others out. A cursor carries the
moment its first page was ranked at: later pages rank with the same clock,
so the order cannot shift under the reader. Cursors are opaque to clients
and checked on the way back in.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from service.search.request import SearchError

CURSOR_VERSION = 1


@dataclass(frozen=True)
class Cursor:
    now: datetime
    key: tuple[Any, ...]


def encode_cursor(sort: str, now: datetime, key: tuple[Any, ...]) -> str:
    values = [
        value.astimezone(UTC).isoformat()
        if isinstance(value, datetime)
        else None
        if isinstance(value, float) and math.isinf(value)
        else value
        for value in key
    ]
    payload = {"v": CURSOR_VERSION, "s": sort, "t": now.astimezone(UTC).isoformat(), "k": values}
    raw = json.dumps(payload, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


_KEY_TYPES: dict[str, tuple[str, ...]] = {
    "score": ("number", "number", "id"),
    "date": ("moment", "id"),
    "distance": ("distance", "id"),
}


def decode_cursor(cursor: str, sort: str) -> Cursor:
    invalid = SearchError("cursor", "not a cursor this service gave out for this sort")
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        payload = json.loads(raw)
        if payload["v"] != CURSOR_VERSION or payload["s"] != sort:
            raise invalid
        now = datetime.fromisoformat(payload["t"])
        values = payload["k"]
        types = _KEY_TYPES[sort]
        if now.tzinfo is None or not isinstance(values, list) or len(values) != len(types):
            raise invalid
        key = tuple(_key_value(kind, value) for kind, value in zip(types, values, strict=True))
    except (ValueError, TypeError, KeyError, UnicodeDecodeError, binascii.Error) as exc:
        raise invalid from exc
    return Cursor(now=now, key=key)


def _key_value(kind: str, value: Any) -> Any:
    """A cursor key part; a "moment" is epoch seconds (ranked pages) or ISO (date pages)."""
    if kind == "moment" and isinstance(value, str):
        when = datetime.fromisoformat(value)
        if when.tzinfo is None:
            raise ValueError("naive datetime in cursor")
        return when
    if kind == "distance" and value is None:
        return math.inf
    if kind in ("number", "distance", "moment"):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError("not a number")
        return float(value)
    if not isinstance(value, str) or not value:
        raise ValueError("not an id")
    return value
