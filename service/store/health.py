"""Source health: what every crawl of every source did, and the last clean snapshot."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, func, insert, select

from service.store.tables import crawl_runs


@dataclass(frozen=True)
class CrawlRun:
    source: str
    type: str
    started: datetime
    finished: datetime
    outcome: str
    clean: bool
    found: int = 0
    stored: int = 0
    inserted: int = 0
    changed: int = 0
    vanished: int = 0
    cancelled: int = 0
    http_status: int | None = None
    dropped: dict[str, int] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)
    last_error: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class SourceHealth:
    """A source as its last crawl left it."""

    last_run: CrawlRun
    last_clean: datetime | None
    events: int


def _run(row: Any) -> CrawlRun:
    m = dict(row._mapping)
    m.pop("id", None)
    return CrawlRun(**m)


class HealthStore:
    """Repository over ``crawl_runs``; keyword arguments only."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def record(self, *, run: CrawlRun) -> None:
        values = {name: getattr(run, name) for name in CrawlRun.__dataclass_fields__}
        with self.engine.begin() as conn:
            conn.execute(insert(crawl_runs).values(**values))

    def last_clean(self, *, source: str) -> CrawlRun | None:
        stmt = (
            select(crawl_runs)
            .where(crawl_runs.c.source == source, crawl_runs.c.clean.is_(True))
            .order_by(crawl_runs.c.finished.desc(), crawl_runs.c.id.desc())
            .limit(1)
        )
        with self.engine.connect() as conn:
            row = conn.execute(stmt).first()
        return _run(row) if row is not None else None

    def runs(self, *, source: str, limit: int = 20) -> list[CrawlRun]:
        stmt = (
            select(crawl_runs)
            .where(crawl_runs.c.source == source)
            .order_by(crawl_runs.c.finished.desc(), crawl_runs.c.id.desc())
            .limit(limit)
        )
        with self.engine.connect() as conn:
            return [_run(row) for row in conn.execute(stmt)]

    def overview(self, *, events_by_source: dict[str, int]) -> list[SourceHealth]:
        """Every source ever crawled, by name, with its latest run."""
        latest = (
            select(crawl_runs.c.source, func.max(crawl_runs.c.id).label("id"))
            .group_by(crawl_runs.c.source)
            .subquery()
        )
        clean = (
            select(crawl_runs.c.source, func.max(crawl_runs.c.finished).label("finished"))
            .where(crawl_runs.c.clean.is_(True))
            .group_by(crawl_runs.c.source)
            .subquery()
        )
        stmt = (
            select(crawl_runs, clean.c.finished.label("last_clean"))
            .join(latest, latest.c.id == crawl_runs.c.id)
            .outerjoin(clean, clean.c.source == crawl_runs.c.source)
            .order_by(crawl_runs.c.source)
        )
        result = []
        with self.engine.connect() as conn:
            for row in conn.execute(stmt):
                m = dict(row._mapping)
                last_clean = m.pop("last_clean")
                m.pop("id", None)
                run = CrawlRun(**m)
                result.append(
                    SourceHealth(
                        last_run=run,
                        last_clean=last_clean,
                        events=events_by_source.get(run.source, 0),
                    )
                )
        return result
