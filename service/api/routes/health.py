"""``/healthz``: is the store answering?"""

from __future__ import annotations

from fastapi import APIRouter, HTTPException
from sqlalchemy.exc import SQLAlchemyError

from service.api.schemas import Health
from service.http.deps import StoreDep
from service.store import EventQuery

router = APIRouter(tags=["health"])


@router.get("/healthz", response_model=Health)
def healthz(store: StoreDep) -> Health:
    try:
        total = store.count(query=EventQuery())
    except SQLAlchemyError as exc:
        raise HTTPException(503, "store unavailable", headers={"Retry-After": "30"}) from exc
    return Health(status="ok", events=total)
