"""The FastAPI application, assembled from its routers by :func:`create_app`."""

from __future__ import annotations

import gc
import math
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime

from anyio import to_thread
from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import SQLAlchemyError
from starlette.middleware.gzip import DEFAULT_EXCLUDED_CONTENT_TYPES, GZipMiddleware
from starlette.staticfiles import StaticFiles

from service.admin.jobs import JobRunner, job_environment
from service.api.feed_cache import (
    ICS_MEDIA_TYPE,
    SYNDICATION_MEDIA_TYPES,
    FeedCache,
    ics_representations,
    syndication_representations,
)
from service.api.openapi_docs import document_framework_responses
from service.api.routes import (
    digest,
    events,
    feeds,
    going,
    health,
    hosts,
    places,
    sectors,
    sources,
    subscriptions,
)
from service.classify.sectors import get_taxonomy
from service.heap import hold_heap_tight
from service.http.caching import GZIP_MINIMUM_SIZE
from service.http.ratelimit import StoreLimiter
from service.places.gazetteer import get_gazetteer
from service.search import SearchCache
from service.settings import Settings, get_settings
from service.store import EventStore, make_engine, migrate_once
from service.store.ratelimits import RateLimitStore
from service.web import STATIC_DIR, embed_router
from service.web import router as web_router
from service.web.admin import router as admin_router
from service.web.admin import suggest_router
from service.web.people import router as people_router

ADMIN_SIGN_IN_BURST = 5
ADMIN_SIGN_IN_PER_HOUR = 20

STORE_RETRY_AFTER_SECONDS = 30
MIB = 1024 * 1024


async def store_unavailable(request: Request, exc: Exception) -> JSONResponse:
    """A failing store is a 503 with Retry-After, never an empty 200.

    A calendar app that gets an empty feed deletes every event it had.
    """
    return JSONResponse(
        {"detail": "the event store is not answering; try again shortly"},
        status_code=503,
        headers={"Retry-After": str(STORE_RETRY_AFTER_SECONDS), "Cache-Control": "no-store"},
    )


def _json_safe(value: object) -> object:
    """``value`` with NaN and the infinities as text: JSON has no numbers for them."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {key: _json_safe(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_json_safe(item) for item in value]
    return value


async def invalid_request(request: Request, exc: Exception) -> JSONResponse:
    """FastAPI's 422 naming each field, able to quote any input it names.

    A body with ``"radius_km": NaN`` is refused, and its refusal quotes the
    NaN; FastAPI's own answer cannot encode it and ends in a 500.
    """
    assert isinstance(exc, RequestValidationError)
    detail = _json_safe(jsonable_encoder(exc.errors()))
    return JSONResponse({"detail": detail}, status_code=422)


def bound_threads(threads: int) -> None:
    """At most ``threads`` requests of this worker run in threads at once (FastAPI runs every
    sync route and dependency in one).

    AnyIO's default allows 40. Each thread reads through a pooled store
    connection with a page cache of its own, and threads searching at once
    leave each its own heap behind, which the worker keeps: on a few cores,
    more threads hold more memory and answer no faster.
    """
    to_thread.current_default_thread_limiter().total_tokens = threads


@asynccontextmanager
async def warm_start(app: FastAPI) -> AsyncIterator[None]:
    """Bound the threads that answer requests, keep the heap giving freed memory back, open
    the gazetteer (building its file the first time) and load the taxonomy before the first
    request, then freeze what the process holds for the GC.

    The first search near a place would otherwise pay for them. The objects
    imported and loaded by then live as long as the process; frozen, the
    garbage collector's full collections never walk them again.
    """
    bound_threads(app.state.settings.threads)
    hold_heap_tight()
    get_gazetteer().resolve("London")
    get_taxonomy()
    gc.collect()
    gc.freeze()
    yield
    # Shut down: give the store's connections back (a server counts them).
    app.state.search_cache.close()
    app.state.feed_cache.close()
    app.state.store.engine.dispose()


def add_operator_pages(app: FastAPI, settings: Settings) -> None:
    """The operator's pages and the suggestion form: only with ``MEETSCOUT_ADMIN_TOKEN`` set."""
    app.state.admin_jobs = JobRunner(env=job_environment(settings))
    limits: RateLimitStore = app.state.rate_limits
    app.state.admin_sign_in_limiter = StoreLimiter(
        limits, action="admin-sign-in", burst=ADMIN_SIGN_IN_BURST, per_hour=ADMIN_SIGN_IN_PER_HOUR
    )
    app.state.suggest_limiter = StoreLimiter(
        limits, action="suggest", burst=settings.suggest_burst, per_hour=settings.suggest_per_hour
    )
    app.include_router(admin_router)
    app.include_router(suggest_router)


def create_app(
    settings: Settings | None = None, *, clock: Callable[[], datetime] | None = None
) -> FastAPI:
    """Build the app over the store ``settings`` names; migrations are applied first.

    Without ``settings``, the ``MEETSCOUT_*`` environment's: so that a server
    starting several workers can build it in each (``uvicorn --factory
    service.app:create_app``, gunicorn's ``service.app:create_app()``). Of
    workers starting at once, one migrates and the others wait for it
    (:func:`service.store.migrate_once`). ``clock`` replaces the real clock
    (tests); without one, a replayed recording (``settings.replay_at``) is
    served at the moment it was made.
    """
    settings = settings if settings is not None else get_settings()
    engine = make_engine(settings.database_url)
    migrate_once(engine)
    app = FastAPI(
        title="meetscout",
        summary="Places to meet someone new in your field: conferences, book signings, meetups.",
        version="0.1.0",
        lifespan=warm_start,
    )
    app.state.settings = settings
    app.state.store = EventStore(engine)
    app.state.search_cache = SearchCache(events_bytes=int(settings.search_cache_mb * MIB))
    app.state.clock = clock or (settings.now if settings.replay_at is not None else None)
    app.state.feed_cache = FeedCache(max_block_bytes=int(settings.feed_cache_mb * MIB))
    # Rate limits live in the store: they hold across every worker serving it.
    app.state.rate_limits = RateLimitStore(engine)
    app.state.subscribe_limiter = StoreLimiter(
        app.state.rate_limits,
        action="subscribe",
        burst=settings.subscribe_burst,
        per_hour=settings.subscribe_per_hour,
    )
    app.state.ics_representations = ics_representations(refresh_hours=settings.feed_refresh_hours)
    app.state.syndication_representations = syndication_representations(
        refresh_hours=settings.feed_refresh_hours
    )
    # Calendars and reading lists are compressed once per version by their routes
    # (service.http.caching).
    app.add_middleware(
        GZipMiddleware,
        minimum_size=GZIP_MINIMUM_SIZE,
        compresslevel=6,
        exclude_content_types=(
            *DEFAULT_EXCLUDED_CONTENT_TYPES,
            *(media.split(";")[0] for media in (ICS_MEDIA_TYPE, *SYNDICATION_MEDIA_TYPES.values())),
        ),
    )
    app.add_exception_handler(SQLAlchemyError, store_unavailable)
    app.add_exception_handler(RequestValidationError, invalid_request)
    app.include_router(health.router)
    app.include_router(events.router)
    app.include_router(feeds.router)
    app.include_router(sources.router)
    app.include_router(sectors.router)
    app.include_router(places.router)
    app.include_router(digest.router)
    app.include_router(subscriptions.router)
    app.include_router(hosts.router)
    app.include_router(going.router)
    app.include_router(web_router)
    app.include_router(embed_router)
    app.include_router(people_router)
    if settings.admin_token is not None:
        add_operator_pages(app, settings)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    document_framework_responses(app)
    return app
