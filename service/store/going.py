""" "I'm going" lists: private marks on events, reached only by an unguessable token.

A list is reached by its own token, or, when it belongs to a digest
subscription, by the subscription's token too. Nothing here counts or
lists marks across lists: no read answers "who else is going".
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, delete, insert, select
from sqlalchemy.exc import IntegrityError

from service.model import GoingList, GoingMark
from service.store.subscriptions import subscriptions
from service.store.tables import going_lists, going_marks

TOKEN_BYTES = 32
MAX_MARKS = 500
"""Marks one list keeps; marking more first drops the ones marked longest ago."""


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def _list(row: Any) -> GoingList:
    m = row._mapping
    return GoingList(
        id=m["id"], token=m["token"], created=m["created"], subscription_id=m["subscription_id"]
    )


class GoingStore:
    """Repository over ``going_lists`` and ``going_marks``; keyword arguments only."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def create(self, *, now: datetime) -> GoingList:
        with self.engine.begin() as conn:
            return self._create(conn, now=now, subscription_id=None)

    def _create(self, conn: Connection, *, now: datetime, subscription_id: int | None) -> GoingList:
        token = new_token()
        new_id = conn.execute(
            insert(going_lists).values(token=token, subscription_id=subscription_id, created=now)
        ).inserted_primary_key
        assert new_id is not None
        return GoingList(id=new_id[0], token=token, created=now, subscription_id=subscription_id)

    def find(self, *, token: str, now: datetime) -> GoingList | None:
        """The list ``token`` opens: a list's own token, or a live subscription's token
        (its list is made on first use)."""
        if not token:
            return None
        with self.engine.connect() as conn:
            row = conn.execute(select(going_lists).where(going_lists.c.token == token)).first()
            if row is not None:
                return _list(row)
            subscription = conn.execute(
                select(subscriptions.c.id).where(
                    subscriptions.c.token == token, subscriptions.c.unsubscribed.is_(None)
                )
            ).first()
        if subscription is None:
            return None
        found = self.of_subscription(subscription_id=subscription.id)
        if found is not None:
            return found
        try:
            with self.engine.begin() as conn:
                return self._create(conn, now=now, subscription_id=subscription.id)
        except IntegrityError:  # made by a request at the same moment
            return self.of_subscription(subscription_id=subscription.id)

    def of_subscription(self, *, subscription_id: int) -> GoingList | None:
        with self.engine.connect() as conn:
            row = conn.execute(
                select(going_lists).where(going_lists.c.subscription_id == subscription_id)
            ).first()
        return _list(row) if row is not None else None

    def mark(self, *, going: GoingList, event_id: str, now: datetime) -> bool:
        """Mark ``event_id``; False when it was marked already."""
        with self.engine.begin() as conn:
            exists = conn.execute(
                select(going_marks.c.event_id).where(
                    going_marks.c.list_id == going.id, going_marks.c.event_id == event_id
                )
            ).first()
            if exists is not None:
                return False
            conn.execute(
                insert(going_marks).values(list_id=going.id, event_id=event_id, marked=now)
            )
            kept = [
                row.event_id
                for row in conn.execute(
                    select(going_marks.c.event_id)
                    .where(going_marks.c.list_id == going.id)
                    .order_by(going_marks.c.marked.desc(), going_marks.c.event_id)
                    .offset(MAX_MARKS)
                )
            ]
            if kept:
                conn.execute(
                    delete(going_marks).where(
                        going_marks.c.list_id == going.id, going_marks.c.event_id.in_(kept)
                    )
                )
        return True

    def unmark(self, *, going: GoingList, event_id: str) -> bool:
        with self.engine.begin() as conn:
            result = conn.execute(
                delete(going_marks).where(
                    going_marks.c.list_id == going.id, going_marks.c.event_id == event_id
                )
            )
        return bool(result.rowcount)

    def marks(self, *, going: GoingList) -> list[GoingMark]:
        """The list's marks, the latest first."""
        stmt = (
            select(going_marks.c.event_id, going_marks.c.marked)
            .where(going_marks.c.list_id == going.id)
            .order_by(going_marks.c.marked.desc(), going_marks.c.event_id)
        )
        with self.engine.connect() as conn:
            return [GoingMark(event_id=row[0], marked=row[1]) for row in conn.execute(stmt)]

    def delete(self, *, going: GoingList) -> None:
        """Forget the list and every mark on it."""
        with self.engine.begin() as conn:
            delete_list(conn, going.id)


def delete_list(conn: Connection, list_id: int) -> None:
    conn.execute(delete(going_marks).where(going_marks.c.list_id == list_id))
    conn.execute(delete(going_lists).where(going_lists.c.id == list_id))
