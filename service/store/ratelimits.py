"""Token buckets in the store, so that a limit holds across every worker and machine.

One row per limited action and client: the tokens left and when they were
counted. A take is one statement, an upsert that refills the bucket for the
time gone by, spends a token when there is one and says whether it did;
each database runs it atomically for the row (PostgreSQL locks it, SQLite
holds the write lock), so two workers taking at once cannot both spend the
last token. Rows of buckets that have filled up again are deleted on the way:
a missing row is a full bucket.
"""

from __future__ import annotations

from sqlalchemy import Engine, Float, bindparam, case, delete, literal

from service.store import dialects
from service.store.tables import rate_limits as table


class RateLimitStore:
    """Token buckets per (action, client); keyword arguments only."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def take(self, *, action: str, client: str, burst: int, per_second: float, now: float) -> float:
        """Spend one token of ``client``'s bucket for ``action`` at ``now`` (seconds since 1970).

        ``burst`` tokens at most, refilled at ``per_second``. Returns 0 when a
        token was spent, else the seconds until the next one.
        """
        c = table.c
        at = bindparam("now", now, type_=Float)
        size = bindparam("burst", float(burst), type_=Float)
        rate = bindparam("rate", per_second, type_=Float)
        elapsed = case((at > c.stamp, at - c.stamp), else_=literal(0.0))
        refilled = c.tokens + elapsed * rate
        available = case((refilled > size, size), else_=refilled)
        insert = dialects.insert(self.engine, table).values(
            action=action, client=client, tokens=float(burst) - 1.0, stamp=now, allowed=True
        )
        upsert = insert.on_conflict_do_update(
            index_elements=[c.action, c.client],
            set_={
                "tokens": case((available >= 1.0, available - 1.0), else_=available),
                "stamp": at,
                "allowed": available >= 1.0,
            },
        ).returning(c.tokens, c.allowed)
        full_after = burst / per_second
        with self.engine.begin() as connection:
            tokens, allowed = connection.execute(upsert).one()
            connection.execute(delete(table).where(c.action == action, c.stamp < now - full_after))
        if allowed:
            return 0.0
        return max((1.0 - float(tokens)) / per_second, 1.0)
