"""What a worker keeps between requests is bounded in bytes as well as in entries."""

from __future__ import annotations

import os

from starlette.requests import Request

from service.http.caching import LRUCache, Representations, Validators
from service.search.facts import StoreFacts
from service.search.kept_events import EVENT_OVERHEAD, KeptEvents, weight
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
