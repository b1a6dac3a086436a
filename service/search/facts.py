"""What searches need to know of the whole store, kept while it has not changed.

Some facts cost a read of much of the table: how many events match a search
(a sector or a price filter needs every upcoming row), and the earliest
start among the events still running at a moment (without it, a walk of the
start index from "now" has to step over every past event to find the few
that started earlier and are still on). So they are kept under the store's
marker of changes a reader can be shown (:meth:`StoreWatch.shown`: a crawl
that finds its events unchanged moves nothing they count), each with the
span of moments it holds for: from the moment it was asked at to the first
end among the events it counts. Time passing only takes events out of a
search (when they end; nothing is added but by a write), so up to that end
the kept value is exactly the fresh one, and the read that computes a fact
also tells how long it holds. Stores that cannot tell whether they changed
are asked every time.
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime
from typing import TypeVar

from sqlalchemy import Engine

from service.store import EventQuery, EventStore
from service.store.watch import StoreWatch

KEPT_FACTS = 512
KEPT_WATCHES = 8
T = TypeVar("T")
Version = tuple[str, Hashable]
"""Which store, and a value that changes with it."""


class StoreFacts:
    def __init__(self, size: int = KEPT_FACTS, *, watch: bool = True) -> None:
        self.size = size
        self.watching = watch
        """False: never ask whether the store changed, so keep nothing."""
        self._watches: dict[str, StoreWatch] = {}
        self._names: weakref.WeakKeyDictionary[Engine, str] = weakref.WeakKeyDictionary()
        self._kept: OrderedDict[Hashable, tuple[object, datetime | None, datetime | None]] = (
            OrderedDict()
        )
        self._lock = threading.Lock()
        self._pins = threading.local()

    @contextmanager
    def pinned(self, store: EventStore) -> Iterator[None]:
        """Within: :meth:`version` and :meth:`shown` ask the store once, on this thread.

        A search reads several kept facts; asking for each whether the store
        changed costs a round trip each on PostgreSQL. One answer for the
        whole search is as good: a write that lands meanwhile is found by
        the next search, as it would be had it landed a moment later.
        """
        if getattr(self._pins, "version", None) is not None:
            yield
            return
        self._pins.version = (store.engine, self._ask(store))
        try:
            yield
        finally:
            self._pins.version = None

    def count(self, store: EventStore, *, query: EventQuery, series: bool = False) -> int:
        """``store.count_until(query=query, series=series)``'s count, kept while the store
        has not changed (and no event it counted ended)."""
        if query.start is None:
            return store.count_until(query=query, series=series)[0]
        return self.keep(
            store,
            ("count", series, replace(query, start=None, starts_from=None)),
            query.start,
            lambda: store.count_until(query=query, series=series),
        )

    def stored(self, store: EventStore) -> int:
        """How many events the store holds, past ones too: a count of the whole table, which
        PostgreSQL makes by reading every row, kept while the store has not changed."""
        return self.keep(store, ("stored",), None, lambda: (store.count(query=EventQuery()), None))

    def last_start(self, store: EventStore) -> datetime | None:
        """``store.last_start()``: only a write changes it."""
        return self.keep(store, ("last start",), None, lambda: (store.last_start(), None))

    def earliest_start(self, store: EventStore, *, at: datetime) -> datetime:
        """``store.earliest_start(at=at)``, kept while the store has not changed."""
        return self.keep(store, ("earliest start",), at, lambda: store.earliest_start_until(at=at))

    def keep(
        self,
        store: EventStore,
        key: Hashable,
        at: datetime | None,
        compute: Callable[[], tuple[T, datetime | None]],
    ) -> T:
        """The value ``compute()`` gives for the moment ``at`` (None: any moment), kept.

        ``compute`` returns the value and the last moment it holds for (None:
        until the store changes): the first end among the events it depends on.
        """
        slot = self.slot(store, key)
        if slot is None:
            return compute()[0]
        found = self.known(slot, at)
        if found is not None:
            return found  # type: ignore[return-value]
        value, until = compute()
        self.remember(slot, at, value, until)
        return value

    def slot(self, store: EventStore, key: Hashable) -> Hashable | None:
        """Where the value of ``key`` is kept for the store as it is now; None when the store
        cannot tell whether it changed (nothing is kept then).

        Taken before the value is computed: should a write land meanwhile, the
        value is kept under the store's former state, where no one finds it again.
        """
        version = self.shown(store)
        if version is None:
            return None
        slot = (*version, key)
        try:
            hash(slot)
        except TypeError:
            return None
        return slot

    def known(self, slot: Hashable, at: datetime | None) -> object | None:
        """The value kept in ``slot`` for the moment ``at``; None when none is."""
        with self._lock:
            kept = self._kept.get(slot)
            if kept is None:
                return None
            value, since, until = kept
            if at is not None and (
                (since is not None and at < since) or (until is not None and at > until)
            ):
                return None
            self._kept.move_to_end(slot)
            return value

    def remember(
        self, slot: Hashable, at: datetime | None, value: object, until: datetime | None
    ) -> None:
        """Keep ``value``, found for the moment ``at``, for the moments up to ``until``."""
        with self._lock:
            self._kept[slot] = (value, at, until)
            self._kept.move_to_end(slot)
            while len(self._kept) > self.size:
                self._kept.popitem(last=False)

    def version(self, store: EventStore) -> Version | None:
        """Which store, and a value that changes whenever its content may have (an event
        seen again too: it shows when it was last seen); None when the store cannot tell
        whether it changed (or this keeps nothing)."""
        asked = self._pinned_or_ask(store)
        return None if asked is None else asked[0]

    def shown(self, store: EventStore) -> Version | None:
        """Which store, and a value that changes whenever something a search counts or a
        feed lists may have; None as for :meth:`version`."""
        asked = self._pinned_or_ask(store)
        return None if asked is None else asked[1]

    def _pinned_or_ask(self, store: EventStore) -> tuple[Version, Version] | None:
        pin = getattr(self._pins, "version", None)
        if pin is not None and pin[0] is store.engine:
            return pin[1]  # type: ignore[no-any-return]
        return self._ask(store)

    def _ask(self, store: EventStore) -> tuple[Version, Version] | None:
        if not self.watching:
            return None
        name = self._name(store.engine)
        with self._lock:
            watch = self._watches.get(name)
            if watch is None:
                while len(self._watches) >= KEPT_WATCHES:
                    self._watches.pop(next(iter(self._watches))).close()
                watch = self._watches[name] = StoreWatch.for_engine(store.engine)
        generation, shown = watch.both()
        if generation is None or shown is None:
            return None
        return (name, generation), (name, shown)

    def _name(self, engine: Engine) -> str:
        """The store an engine reaches (rendering its URL costs more than the rest of a check)."""
        name = self._names.get(engine)
        if name is None:
            name = self._names[engine] = engine.url.render_as_string(hide_password=False)
        return name

    def forget(self) -> None:
        """Drop every kept value (the next asks compute afresh); keep watching the stores."""
        with self._lock:
            self._kept.clear()

    def close(self) -> None:
        self.forget()
        with self._lock:
            for watch in self._watches.values():
                watch.close()
            self._watches.clear()
