"""What a worker keeps between requests is bounded in bytes as well as in entries, by settings."""

from __future__ import annotations

import os

import pytest
from fastapi.testclient import TestClient
from starlette.requests import Request

from service.api.feed_cache import MAX_BLOCK_BYTES
from service.app import MIB, create_app
from service.http.caching import LRUCache, Representations, Validators
from service.search.facts import StoreFacts
from service.search.kept_events import EVENT_OVERHEAD, KEPT_BYTES, KeptEvents, weight
from service.settings import Settings
from service.store import EventStore
from tests.factories import NOW, python_meetup


def test_a_byte_bound_forgets_the_least_recently_used_first() -> None:
    cache: LRUCache[str, bytes] = LRUCache(100, max_bytes=10, weigh=len)
    cache.put("a", b"1234")
    cache.put("b", b"1234")
    assert cache.get("a") == b"1234"  # now b is the least recently used
    cache.put("c", b"1234")
    assert (cache.get("a"), cache.get("b"), cache.get("c")) == (b"1234", None, b"1234")
    assert cache.bytes == 8
    cache.put("a", b"123456")  # replaced: its old size no longer counts
    assert cache.bytes == 10
    assert len(cache) == 2
    cache.clear()
    assert cache.bytes == 0


def test_kept_events_stay_under_their_byte_budget(store: EventStore) -> None:
    events = [python_meetup(n, description="x" * 5_000) for n in range(1, 41)]
    store.upsert_many(events, now=NOW)
    each = weight(events[0])
    assert each > EVENT_OVERHEAD + 10_000
    kept = KeptEvents(StoreFacts(), max_bytes=each * 10)
    ids = [event.id for event in events]
    for start in range(0, 40, 8):
        assert set(kept.by_id(store, ids[start : start + 8])) == set(ids[start : start + 8])
    assert kept.bytes <= each * 10
    assert 8 <= len(kept._kept) <= 10
    assert list(kept._kept) == ids[-len(kept._kept) :]  # the most recently read


def test_kept_feed_bodies_stay_under_their_byte_budget() -> None:
    """Each version's body is kept compressed for the next ask, within ``gzip_bytes``."""
    budget = 20_000
    responder = Representations(media_type="text/calendar", max_age=60, gzip_bytes=budget)
    request = Request({"type": "http", "method": "GET", "headers": []})
    bodies = {f"v{n}": os.urandom(6_000) for n in range(8)}  # random: compresses to itself
    for tag, body in bodies.items():
        responder.present(request, body, Validators(tag=tag, last_modified=None))

    kept = [tag for tag in bodies if responder.kept(request, Validators(tag, None)) is not None]

    assert kept == ["v5", "v6", "v7"]
    answer = responder.kept(request, Validators("v7", None))
    assert answer is not None and answer.body == bodies["v7"]


@pytest.mark.parametrize("budget_mb", [0, 0.05])
def test_a_server_keeps_what_its_settings_allow(
    settings: Settings, store: EventStore, budget_mb: float
) -> None:
    store.upsert_many([python_meetup(n) for n in range(1, 6)], now=NOW)
    bounded = settings.model_copy(update={"search_cache_mb": budget_mb, "feed_cache_mb": budget_mb})
    app = create_app(bounded, clock=lambda: NOW)
    with TestClient(app) as client:
        assert len(client.get("/events", params={"near": "London"}).json()["items"]) == 5
        assert client.get("/feeds/events.ics", params={"near": "London"}).status_code == 200

        kept_events, kept_blocks = app.state.search_cache.events, app.state.feed_cache.blocks
        assert (kept_events.max_bytes, kept_blocks.max_bytes) == (int(budget_mb * MIB),) * 2
        assert kept_events.bytes <= budget_mb * MIB and kept_blocks.bytes <= budget_mb * MIB
        assert (len(kept_events._kept), len(kept_blocks)) == ((5, 5) if budget_mb else (0, 0))


def test_a_server_keeps_as_much_as_a_command_by_default() -> None:
    defaults = Settings()
    assert int(defaults.search_cache_mb * MIB) == KEPT_BYTES
    assert int(defaults.feed_cache_mb * MIB) == MAX_BLOCK_BYTES
