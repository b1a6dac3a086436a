"""How many events match a search, kept while the store has not changed.

Counting every upcoming event that matches costs a read of most of the table
when a filter needs the row (a sector, a price); the count changes only when
the store does or when an event ends. So a count is kept under the store's
change marker (:class:`~service.api.store_watch.StoreWatch`) and the query
with its ``start`` moved to the next moment an event ends: the same events
end at or after both, so the count is exactly the fresh one. Stores that
cannot tell whether they changed are counted every time.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import replace

from service.api.store_watch import StoreWatch
from service.store.events import EventQuery, EventStore

KEPT_COUNTS = 512
KEPT_WATCHES = 8


class CountCache:
    def __init__(self, size: int = KEPT_COUNTS) -> None:
        self.size = size
        self._watches: dict[str, StoreWatch] = {}
        self._counts: OrderedDict[Hashable, int] = OrderedDict()
        self._lock = threading.Lock()

    def count(self, store: EventStore, *, query: EventQuery) -> int:
        """``store.count(query=query)``, from the cache when the store has not changed."""
        if query.start is None:
            return store.count(query=query)
        name = store.engine.url.render_as_string(hide_password=False)
        with self._lock:
            watch = self._watches.get(name)
            if watch is None:
                while len(self._watches) >= KEPT_WATCHES:
                    self._watches.pop(next(iter(self._watches))).close()
                watch = self._watches[name] = StoreWatch.for_engine(store.engine)
        generation = watch.generation()
        if generation is None:
            return store.count(query=query)
        moment = store.next_end(at=query.start)
        if moment is None:
            return 0
        try:
            key: Hashable = (name, generation, replace(query, start=moment))
            hash(key)
        except TypeError:
            return store.count(query=query)
        with self._lock:
            found = self._counts.get(key)
            if found is not None:
                self._counts.move_to_end(key)
                return found
        counted = store.count(query=query)
        with self._lock:
            self._counts[key] = counted
            while len(self._counts) > self.size:
                self._counts.popitem(last=False)
        return counted

    def close(self) -> None:
        with self._lock:
            for watch in self._watches.values():
                watch.close()
            self._watches.clear()
            self._counts.clear()
