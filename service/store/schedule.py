"""When each source is crawled next, and which scheduler is crawling it (a lease).

Several schedulers (``meetscout schedule`` on several machines, or beside
``meetscout up``) share one store. Before crawling a source a scheduler
claims it: one statement that takes the row only when nobody holds it or
the holder's lease ran out, so two never crawl the same source at once and
a scheduler that died gives its sources back when its leases end.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, delete, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from service.store.tables import crawl_schedule


@dataclass(frozen=True)
class ScheduleState:
    """What the store knows of one source's schedule."""

    source: str
    next_due: datetime | None = None
    advised_seconds: int | None = None
    holder: str | None = None
    lease_until: datetime | None = None


class ScheduleStore:
    """Repository over ``crawl_schedule``; keyword arguments only."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def states(self) -> dict[str, ScheduleState]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(crawl_schedule)).all()
        return {row.source: ScheduleState(**dict(row._mapping)) for row in rows}

    def claim(self, *, source: str, holder: str, now: datetime, until: datetime) -> bool:
        """Take ``source`` for ``holder`` until ``until``: True when it is now theirs.

        Free, expired or already the holder's: taken; held by another whose
        lease has not ended: refused.
        """
        insert = (
            sqlite.insert(crawl_schedule)
            if self.engine.dialect.name == "sqlite"
            else postgresql.insert(crawl_schedule)
        )
        stmt = insert.values(source=source, holder=holder, lease_until=until)
        stmt = stmt.on_conflict_do_update(
            index_elements=[crawl_schedule.c.source],
            set_={"holder": holder, "lease_until": until},
            where=or_(
                crawl_schedule.c.holder.is_(None),
                crawl_schedule.c.holder == holder,
                crawl_schedule.c.lease_until <= now,
            ),
        )
        with self.engine.begin() as conn:
            conn.execute(stmt)
            owner = conn.execute(
                select(crawl_schedule.c.holder).where(crawl_schedule.c.source == source)
            ).scalar_one()
        return bool(owner == holder)

    def renew(self, *, source: str, holder: str, until: datetime) -> bool:
        """Extend the holder's lease; False when it is no longer theirs."""
        with self.engine.begin() as conn:
            changed = conn.execute(
                update(crawl_schedule)
                .where(crawl_schedule.c.source == source, crawl_schedule.c.holder == holder)
                .values(lease_until=until)
            ).rowcount
        return bool(changed)

    def finish(self, *, source: str, holder: str, next_due: datetime) -> None:
        """The holder's crawl ended: the source is next due at ``next_due``, and free."""
        with self.engine.begin() as conn:
            conn.execute(
                update(crawl_schedule)
                .where(crawl_schedule.c.source == source, crawl_schedule.c.holder == holder)
                .values(next_due=next_due, holder=None, lease_until=None)
            )

    def advise(self, *, source: str, seconds: int | None) -> None:
        """What the source's feed asks for between polls (``REFRESH-INTERVAL``), or None."""
        insert = (
            sqlite.insert(crawl_schedule)
            if self.engine.dialect.name == "sqlite"
            else postgresql.insert(crawl_schedule)
        )
        stmt = insert.values(source=source, advised_seconds=seconds).on_conflict_do_update(
            index_elements=[crawl_schedule.c.source], set_={"advised_seconds": seconds}
        )
        with self.engine.begin() as conn:
            conn.execute(stmt)

    def forget(self, *, sources: set[str]) -> None:
        """Drop the rows of sources no longer listed."""
        if not sources:
            return
        with self.engine.begin() as conn:
            conn.execute(delete(crawl_schedule).where(crawl_schedule.c.source.in_(sources)))
