"""The event store: SQLAlchemy Core over SQLite by default, schema owned by Alembic."""

from service.store.engine import make_engine, migrate
from service.store.events import EventQuery, EventStore, UpsertResult
from service.store.health import CrawlRun, HealthStore, SourceHealth

__all__ = [
    "CrawlRun",
    "EventQuery",
    "EventStore",
    "HealthStore",
    "SourceHealth",
    "UpsertResult",
    "make_engine",
    "migrate",
]
