"""What one crawl of one source did, counted as it happens."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum


class Outcome(StrEnum):
    OK = "ok"
    PARTIAL = "partial"
    FAILED = "failed"


@dataclass
class SourceReport:
    """Per-source counts; spiders and pipelines add to it, the summary reads it."""

    source: str
    type: str
    started: datetime | None = None
    finished: datetime | None = None
    http_status: int | None = None
    found: int = 0
    stored: int = 0
    inserted: int = 0
    changed: int = 0
    dropped: Counter[str] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    last_error: str | None = None
    fetched: int = 0
    missing: int = 0
    pages_without_events: int = 0
    seen_ids: set[str] = field(default_factory=set)
    window_start: datetime | None = None
    window_end: datetime | None = None
    partial_reason: str | None = None
    vanished: int = 0
    cancelled: int = 0
    merged_into_other_sources: int = 0
    held: int = 0  # new events of a holding source, waiting for approval
    unlocated: int = 0  # events with a venue that no gazetteer or geocoder could place
    advised_refresh: timedelta | None = None  # how often the feed asks to be polled

    def drop(self, reason: str) -> None:
        self.dropped[reason] += 1

    def fail(self, reason: str, message: str) -> None:
        self.errors[reason] += 1
        self.last_error = message

    @property
    def outcome(self) -> Outcome:
        if self.errors and self.fetched == 0:
            return Outcome.FAILED
        if self.errors or self.partial_reason:
            return Outcome.PARTIAL
        return Outcome.OK
