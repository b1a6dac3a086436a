"""The FastAPI application, assembled from its routers by :func:`create_app`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from fastapi import FastAPI

from service.api.routes import events, feeds, health, sources
from service.settings import Settings
from service.store import EventStore, make_engine, migrate


def create_app(settings: Settings, *, clock: Callable[[], datetime] | None = None) -> FastAPI:
    """Build the app over the store ``settings`` names; migrations are applied first."""
    engine = make_engine(settings.database_url)
    migrate(engine)
    app = FastAPI(
        title="meetscout",
        summary="Places to meet someone new in your field: conferences, book signings, meetups.",
        version="0.1.0",
    )
    app.state.settings = settings
    app.state.store = EventStore(engine)
    app.state.clock = clock
    app.include_router(health.router)
    app.include_router(events.router)
    app.include_router(feeds.router)
    app.include_router(sources.router)
    return app
