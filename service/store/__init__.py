"""The event store: SQLAlchemy Core over SQLite by default, schema owned by Alembic."""

from service.store.engine import make_engine, migrate
from service.store.events import EventStore, UpsertResult
from service.store.health import CrawlRun, HealthStore, SourceHealth
from service.store.query import EventQuery
from service.store.subscriptions import SubscriptionStore

__all__ = [
    "CrawlRun",
    "EventQuery",
    "EventStore",
    "HealthStore",
    "SourceHealth",
    "SubscriptionStore",
    "UpsertResult",
    "make_engine",
    "migrate",
]
