"""The event store: SQLAlchemy Core over SQLite by default, schema owned by Alembic."""

from service.store.engine import make_engine, migrate
from service.store.events import EventQuery, EventStore, UpsertResult

__all__ = ["EventQuery", "EventStore", "UpsertResult", "make_engine", "migrate"]
