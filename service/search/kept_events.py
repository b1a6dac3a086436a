"""Whole events by id, kept while the store has not changed.

A page of search results reads its events whole (five JSON columns and
five timestamps a row), and the same popular events make the pages of
many searches between two crawls. So the events read are kept by id under
the store's version (:meth:`StoreFacts.version`): any write to the store
starts afresh (one store at a time is kept), and a store that cannot tell
whether it changed is read every time. Kept events are shared between
callers: never change one. What callers derive from a kept event (how the
API shows it) can be kept with it, for as long as that very event is kept.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from operator import attrgetter
from typing import TypeVar, get_type_hints

from service.model import Event
from service.search.facts import StoreFacts
from service.store import EventQuery, EventStore

KEPT_EVENTS = 20_000
"""At most this many events, and what is derived from them, whatever their size."""
KEPT_BYTES = 8 * 1024 * 1024
"""And at most about this much memory: every worker of a server keeps its own (the server's
is ``MEETSCOUT_SEARCH_CACHE_MB``)."""
EVENT_OVERHEAD = 3_000
"""Bytes an event costs besides its text: the object, its times and lists, and what the
faces derive from it and keep beside it (about as much again)."""
T = TypeVar("T")


class _Kept:
    __slots__ = ("derived", "event", "weight")

    def __init__(self, event: Event) -> None:
        self.event = event
        self.derived: dict[Hashable, object] = {}
        self.weight = weight(event)


_TEXTS = attrgetter(
    *(name for name, kind in get_type_hints(Event).items() if kind in (str, str | None))
)
"""An event's own text fields (found once: asking the dataclass for its fields per event
cost as much as reading the event)."""


def weight(event: Event) -> int:
    """About the bytes a kept event holds: its text twice (the event and what is derived from
    it) and :data:`EVENT_OVERHEAD`."""
    return EVENT_OVERHEAD + 2 * sum(len(text) for text in _TEXTS(event) if text)


class KeptEvents:
    def __init__(
        self, facts: StoreFacts, size: int = KEPT_EVENTS, max_bytes: int = KEPT_BYTES
    ) -> None:
        self.size = size
        self.max_bytes = max_bytes
        self.bytes = 0
        self._facts = facts
        self._kept: OrderedDict[str, _Kept] = OrderedDict()
        self._version: tuple[str, Hashable] | None = None
        self._lock = threading.Lock()

    def by_id(self, store: EventStore, ids: Sequence[str]) -> dict[str, Event]:
        """The stored events with these ids (those that exist), by id."""
        if not ids:
            return {}
        version = self._facts.version(store)
        if version is None:
            return _read(store, ids)
        found: dict[str, Event] = {}
        with self._lock:
            if version != self._version:
                self._kept.clear()
                self.bytes = 0
                self._version = version
            for event_id in ids:
                kept = self._kept.get(event_id)
                if kept is not None:
                    self._kept.move_to_end(event_id)
                    found[event_id] = kept.event
        missing = [event_id for event_id in ids if event_id not in found]
        if not missing:
            return found
        fresh = _read(store, missing)
        with self._lock:
            if version != self._version:
                return found | fresh
            for event_id, event in fresh.items():
                kept = _Kept(event)
                replaced = self._kept.pop(event_id, None)
                self.bytes += kept.weight - (replaced.weight if replaced else 0)
                self._kept[event_id] = kept
            while self._kept and (len(self._kept) > self.size or self.bytes > self.max_bytes):
                self.bytes -= self._kept.popitem(last=False)[1].weight
        return found | fresh

    def derived(self, event: Event, name: Hashable, compute: Callable[[Event], T]) -> T:
        """``compute(event)``, kept with ``event`` while it is the kept one (else computed)."""
        with self._lock:
            kept = self._kept.get(event.id)
            if kept is None or kept.event is not event:
                kept = None
            elif name in kept.derived:
                return kept.derived[name]  # type: ignore[return-value]
        value = compute(event)
        if kept is not None:
            with self._lock:
                kept.derived[name] = value
        return value

    def forget(self) -> None:
        with self._lock:
            self._kept.clear()
            self.bytes = 0


def _read(store: EventStore, ids: Sequence[str]) -> dict[str, Event]:
    return {event.id: event for event in store.search(query=EventQuery(ids=list(ids)))}
