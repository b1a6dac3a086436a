"""What a search of the store asks for (the filters every read of events shares)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from service.model import Attendance, Kind, Status


@dataclass(frozen=True)
class EventQuery:
    """What a search asks for; ``start``/``end`` select events overlapping them."""

    start: datetime | None = None
    end: datetime | None = None
    kinds: Sequence[Kind] = ()
    statuses: Sequence[Status] = ()
    sources: Sequence[str] = ()
    exclude_sources: Sequence[str] = ()
    q: str | None = None
    limit: int | None = None
    after: tuple[datetime, str] | None = None
    ids: Sequence[str] = field(default_factory=tuple)
    sectors: Sequence[str] = ()
    attendance: Sequence[Attendance] = ()
    free: bool | None = None
    starts_from: datetime | None = None
    """A bound the caller knows every match starts at or after (see ``earliest_start``):
    it changes no result, and lets the start index seek instead of stepping over the past."""
    seen_since: datetime | None = None
    """Only events first seen at or after this moment (what is new since then)."""
    series_keys: Sequence[str] = ()
    """Only the dates of these series (``series_key``, see :mod:`service.store.series_keys`)."""
