"""The search filters every list and feed endpoint takes, validated once."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends, HTTPException, Query

from service.model import Kind
from service.store import EventQuery

MAX_LIMIT = 200


def _aware(value: datetime | None) -> datetime | None:
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


def invalid(parameter: str, message: str, value: object = None) -> HTTPException:
    """A 422 shaped like FastAPI's own validation errors, naming the parameter."""
    return HTTPException(
        status_code=422,
        detail=[
            {"type": "value_error", "loc": ["query", parameter], "msg": message, "input": value}
        ],
    )


def encode_cursor(start: datetime, event_id: str) -> str:
    raw = f"{start.astimezone(UTC).isoformat()}|{event_id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        start, event_id = raw.split("|", 1)
        when = datetime.fromisoformat(start)
    except (ValueError, UnicodeDecodeError, binascii.Error) as exc:
        raise invalid("cursor", "not a cursor this service gave out", cursor) from exc
    if when.tzinfo is None or not event_id:
        raise invalid("cursor", "not a cursor this service gave out", cursor)
    return when, event_id


@dataclass(frozen=True)
class EventFilters:
    """Filters as the person asked for them (for links) and as a store query."""

    start: datetime | None
    end: datetime | None
    kinds: tuple[Kind, ...]
    q: str | None

    def query(
        self, *, now: datetime, limit: int | None = None, after: tuple[datetime, str] | None = None
    ) -> EventQuery:
        """Upcoming only unless ``start`` says otherwise."""
        return EventQuery(
            start=self.start or now,
            end=self.end,
            kinds=self.kinds,
            q=self.q,
            limit=limit,
            after=after,
        )

    def params(self) -> list[tuple[str, str]]:
        """Query parameters that reproduce these filters."""
        pairs: list[tuple[str, str]] = []
        if self.start:
            pairs.append(("start", self.start.isoformat()))
        if self.end:
            pairs.append(("end", self.end.isoformat()))
        pairs.extend(("kind", kind.value) for kind in self.kinds)
        if self.q:
            pairs.append(("q", self.q))
        return pairs


def event_filters(
    start: Annotated[
        datetime | None,
        Query(description="Events that end after this (ISO 8601 date or date-time); default: now."),
    ] = None,
    end: Annotated[
        datetime | None,
        Query(description="Events that start before this (ISO 8601 date or date-time)."),
    ] = None,
    kind: Annotated[list[Kind] | None, Query(description="Kinds of event (repeatable).")] = None,
    q: Annotated[str | None, Query(max_length=200, description="Words to look for.")] = None,
) -> EventFilters:
    start, end = _aware(start), _aware(end)
    if start and end and end < start:
        raise invalid("end", "end must not be before start", end.isoformat())
    words = " ".join(q.split()) if q else None
    return EventFilters(
        start=start, end=end, kinds=tuple(dict.fromkeys(kind or ())), q=words or None
    )


FiltersDep = Annotated[EventFilters, Depends(event_filters)]
