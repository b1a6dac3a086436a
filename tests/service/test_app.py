"""What the app does once at start: load the place names and keep them out of the GC's walks."""

from __future__ import annotations

import gc

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
