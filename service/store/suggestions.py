"""Calendars visitors suggested, waiting for the operator to accept or reject them.

Nothing is fetched when a suggestion arrives: the address is kept as typed
(after the face's checks), and only the operator's accept runs discovery.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import Engine, func, insert, select, update

from service.store.tables import suggestions

MAX_WAITING = 500
"""Suggestions kept waiting at most: past this, new ones are refused until some are decided."""

Status = Literal["waiting", "accepted", "rejected"]


@dataclass(frozen=True)
class Suggestion:
    id: int
    url: str
    note: str | None
    status: str
    created: datetime
    decided: datetime | None


class SuggestionsFull(Exception):
    """:data:`MAX_WAITING` suggestions already wait for the operator."""


class SuggestionStore:
    """Repository over ``suggestions``; keyword arguments only."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def add(self, *, url: str, note: str | None, now: datetime) -> Suggestion:
        """Keep a suggestion; the same address already waiting is that one, not a second."""
        with self.engine.begin() as conn:
            same = conn.execute(
                select(suggestions).where(
                    suggestions.c.url == url, suggestions.c.status == "waiting"
                )
            ).first()
            if same is not None:
                return Suggestion(*same)
            waiting = conn.execute(
                select(func.count())
                .select_from(suggestions)
                .where(suggestions.c.status == "waiting")
            ).scalar_one()
            if waiting >= MAX_WAITING:
                raise SuggestionsFull
            new_id = conn.execute(
                insert(suggestions).values(url=url, note=note, status="waiting", created=now)
            ).inserted_primary_key
            assert new_id is not None
        found = self.get(suggestion_id=int(new_id[0]))
        assert found is not None
        return found

    def get(self, *, suggestion_id: int) -> Suggestion | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(suggestions).where(suggestions.c.id == suggestion_id)).first()
        return Suggestion(*row) if row is not None else None

    def waiting(self, *, limit: int = 100) -> list[Suggestion]:
        """The oldest first: they have waited longest."""
        stmt = (
            select(suggestions)
            .where(suggestions.c.status == "waiting")
            .order_by(suggestions.c.created, suggestions.c.id)
            .limit(limit)
        )
        with self.engine.connect() as conn:
            return [Suggestion(*row) for row in conn.execute(stmt)]

    def decide(self, *, suggestion_id: int, status: Status, now: datetime) -> bool:
        """Accept or reject a waiting suggestion; False when it is not waiting."""
        with self.engine.begin() as conn:
            result = conn.execute(
                update(suggestions)
                .where(suggestions.c.id == suggestion_id, suggestions.c.status == "waiting")
                .values(status=status, decided=now)
            )
        return bool(result.rowcount)
