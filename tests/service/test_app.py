"""What the app does once at start: bound its threads, load the place names and keep them out
of the GC's walks."""

from __future__ import annotations

import gc

from anyio import to_thread
from fastapi.testclient import TestClient

from service.app import create_app
from service.places.gazetteer import get_gazetteer
from service.settings import Settings


def test_start_loads_the_gazetteer_and_freezes_it(settings: Settings) -> None:
    gc.unfreeze()
    get_gazetteer.cache_clear()
    try:
        with TestClient(create_app(settings)) as client:
            assert get_gazetteer.cache_info().currsize == 1
            assert gc.get_freeze_count() > 100_000
            assert client.get("/events", params={"near": "Toronto"}).status_code == 200
    finally:
        gc.unfreeze()


def test_start_bounds_the_threads_answering_requests(settings: Settings) -> None:
    bounded = settings.model_copy(update={"threads": 3})
    with TestClient(create_app(bounded)) as client:
        tokens = client.portal.call(lambda: to_thread.current_default_thread_limiter().total_tokens)
        assert tokens == 3
        assert client.get("/events", params={"near": "Toronto"}).status_code == 200
