"""The event store: SQLAlchemy Core over SQLite by default, schema owned by Alembic."""

from service.store.corrections import Correction
from service.store.curation import CurationStore, Example, HeldEvent
from service.store.engine import is_current, make_engine, migrate, migrate_once
from service.store.events import EventStore, UpsertResult
from service.store.going import GoingStore
from service.store.health import CrawlRun, HealthStore, SourceHealth
from service.store.hosts import ActiveHost, HostStore
from service.store.query import EventQuery
from service.store.schedule import ScheduleState, ScheduleStore
from service.store.subscriptions import SubscriptionStore
from service.store.suggestions import Suggestion, SuggestionsFull, SuggestionStore

__all__ = [
    "ActiveHost",
    "Correction",
    "CrawlRun",
    "CurationStore",
    "EventQuery",
    "EventStore",
    "Example",
    "GoingStore",
    "HealthStore",
    "HeldEvent",
    "HostStore",
    "ScheduleState",
    "ScheduleStore",
    "SourceHealth",
    "SubscriptionStore",
    "Suggestion",
    "SuggestionStore",
    "SuggestionsFull",
    "UpsertResult",
    "is_current",
    "make_engine",
    "migrate",
    "migrate_once",
]
