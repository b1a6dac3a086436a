"""Dependencies handlers declare: the settings, the store, the search cache, the clock.

They do no I/O, so they are async: a sync dependency costs each request a hop to a
worker thread and back.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends, Request

from service.search import SearchCache
from service.settings import Settings
from service.store import EventStore


async def get_app_settings(request: Request) -> Settings:
    return request.app.state.settings  # type: ignore[no-any-return]


async def get_store(request: Request) -> EventStore:
    return request.app.state.store  # type: ignore[no-any-return]


async def get_search_cache(request: Request) -> SearchCache:
    """What searches keep between requests: the app's one cache."""
    return request.app.state.search_cache  # type: ignore[no-any-return]


async def get_now(request: Request) -> datetime:
    """The clock, replaceable in tests through ``app.state.clock``."""
    clock = getattr(request.app.state, "clock", None)
    return clock() if clock is not None else datetime.now(UTC)


SettingsDep = Annotated[Settings, Depends(get_app_settings)]
StoreDep = Annotated[EventStore, Depends(get_store)]
SearchCacheDep = Annotated[SearchCache, Depends(get_search_cache)]
NowDep = Annotated[datetime, Depends(get_now)]
