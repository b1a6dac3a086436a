"""``/healthz``: is the store answering?"""

from __future__ import annotations

from fastapi import APIRouter, HTTPException
from sqlalchemy.exc import SQLAlchemyError

from service.api.schemas import Health
from service.http.deps import SearchCacheDep, StoreDep

router = APIRouter(tags=["health"])


@router.get("/healthz", response_model=Health)
def healthz(store: StoreDep, cache: SearchCacheDep) -> Health:
    """The store answers when its events can be read; the count is kept while it is unchanged
    (a health check polled every few seconds must not count a million rows each time)."""
    try:
        store.last_start()
        total = cache.facts.stored(store)
    except SQLAlchemyError as exc:
        raise HTTPException(503, "store unavailable", headers={"Retry-After": "30"}) from exc
    return Health(status="ok", events=total)
