"""``/sources``: each source's health, as its last crawl left it."""

from __future__ import annotations

from fastapi import APIRouter, Request

from service.api.schemas import SourceHealthOut, SourceList
from service.http.deps import StoreDep
from service.links import without_local_paths
from service.store import HealthStore, SourceHealth

router = APIRouter(prefix="/sources", tags=["sources"])


def health_out(health: SourceHealth) -> SourceHealthOut:
    run = health.last_run
    return SourceHealthOut(
        name=run.source,
        type=run.type,
        outcome=run.outcome,
        note=run.note,
        last_crawl_started=run.started,
        last_crawl_finished=run.finished,
        last_clean_crawl=health.last_clean,
        http_status=run.http_status,
        found=run.found,
        stored=run.stored,
        new=run.inserted,
        changed=run.changed,
        vanished=run.vanished,
        cancelled=run.cancelled,
        dropped=run.dropped,
        errors=run.errors,
        last_error=without_local_paths(run.last_error),
        events=health.events,
    )


@router.get("", response_model=SourceList)
def list_sources(request: Request, store: StoreDep) -> SourceList:
    health = HealthStore(store.engine)
    overview = health.overview(events_by_source=store.count_by_source())
    return SourceList(items=[health_out(item) for item in overview])
