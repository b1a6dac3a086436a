"""What searches need to know of the whole store, kept while it has not changed.

Some facts cost a read of much of the table and change only when the store
does or when an event ends: how many events match a search (a sector or a
price filter needs every upcoming row), and the earliest start among the
events still running at a moment (without it, a walk of the start index
from "now" has to step over every past event to find the few that started
earlier and are still on). So both are kept under the store's change marker
(:class:`~service.api.store_watch.StoreWatch`) and the next moment an event
ends at or after the asked moment: every moment up to that one selects the
same events, so the kept value is exactly the fresh one. Stores that cannot
tell whether they changed are asked every time.
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import replace
from datetime import datetime
from typing import TypeVar

from sqlalchemy import Engine

from service.api.store_watch import StoreWatch
from service.store.events import EventQuery, EventStore

KEPT_FACTS = 512
KEPT_WATCHES = 8
KEPT_ENDS = 16
T = TypeVar("T")
_NO_EVENT_ENDS = ("no event ends at or after the moment asked",)


_names: weakref.WeakKeyDictionary[Engine, str] = weakref.WeakKeyDictionary()


def _name(engine: Engine) -> str:
    """The store an engine reaches (rendering its URL costs more than the rest of a check)."""
    name = _names.get(engine)
    if name is None:
        name = _names[engine] = engine.url.render_as_string(hide_password=False)
    return name


class StoreFacts:
    def __init__(self, size: int = KEPT_FACTS) -> None:
        self.size = size
        self._watches: dict[str, StoreWatch] = {}
        self._kept: OrderedDict[Hashable, object] = OrderedDict()
        self._ends: OrderedDict[tuple[str, Hashable, datetime], datetime | None] = OrderedDict()
        self._lock = threading.Lock()

    def count(self, store: EventStore, *, query: EventQuery) -> int:
        """``store.count(query=query)``, kept while the store has not changed."""
        if query.start is None:
            return store.count(query=query)
        return self.keep(
            store,
            query.start,
            lambda moment: ("count", replace(query, start=moment)),
            lambda: store.count(query=query),
            none_ends=0,
        )

    def last_start(self, store: EventStore, *, at: datetime) -> datetime | None:
        """``store.last_start()``; None when no event ends at or after ``at``."""
        return self.keep(
            store, at, lambda moment: ("last start",), store.last_start, none_ends=None
        )

    def earliest_start(self, store: EventStore, *, at: datetime) -> datetime:
        """``store.earliest_start(at=at)``, kept while the store has not changed."""
        return self.keep(
            store,
            at,
            lambda moment: ("earliest start", moment),
            lambda: store.earliest_start(at=at),
            none_ends=at,
        )

    def keep(
        self,
        store: EventStore,
        at: datetime,
        key_of: Callable[[datetime], Hashable],
        compute: Callable[[], T],
        *,
        none_ends: T,
    ) -> T:
        """``compute()``, kept under the store's generation and the next end at or after ``at``.

        ``key_of`` names the value, given that next end (put it in place of
        ``at`` wherever ``compute`` uses it); ``none_ends`` is the answer when
        no event ends at or after ``at``.
        """
        slot = self._slot(store, at, key_of)
        if slot is _NO_EVENT_ENDS:
            return none_ends
        if slot is None:
            return compute()
        with self._lock:
            if slot in self._kept:
                self._kept.move_to_end(slot)
                return self._kept[slot]  # type: ignore[return-value]
        value = compute()
        with self._lock:
            self._kept[slot] = value
            while len(self._kept) > self.size:
                self._kept.popitem(last=False)
        return value

    def known(
        self, store: EventStore, at: datetime, key_of: Callable[[datetime], Hashable]
    ) -> object | None:
        """What :meth:`keep` would answer without computing anything; None when not kept."""
        slot = self._slot(store, at, key_of)
        if slot is None or slot is _NO_EVENT_ENDS:
            return None
        with self._lock:
            return self._kept.get(slot)

    def _slot(
        self, store: EventStore, at: datetime, key_of: Callable[[datetime], Hashable]
    ) -> Hashable | None:
        """Where a value is kept; None when the store cannot tell whether it changed."""
        version = self.version(store)
        if version is None:
            return None
        moment = self._next_end(store, (*version, at))
        if moment is None:
            return _NO_EVENT_ENDS
        try:
            key: Hashable = (*version, key_of(moment))
            hash(key)
        except TypeError:
            return None
        return key

    def version(self, store: EventStore) -> tuple[str, Hashable] | None:
        """Which store, and a value that changes whenever its content may have; None when
        the store cannot tell whether it changed."""
        name = _name(store.engine)
        with self._lock:
            watch = self._watches.get(name)
            if watch is None:
                while len(self._watches) >= KEPT_WATCHES:
                    self._watches.pop(next(iter(self._watches))).close()
                watch = self._watches[name] = StoreWatch.for_engine(store.engine)
        generation = watch.generation()
        return None if generation is None else (name, generation)

    def _next_end(
        self, store: EventStore, asked: tuple[str, Hashable, datetime]
    ) -> datetime | None:
        """``store.next_end(at=...)``, remembered for the few facts one search asks at a moment."""
        with self._lock:
            if asked in self._ends:
                return self._ends[asked]
        moment = store.next_end(at=asked[2])
        with self._lock:
            self._ends[asked] = moment
            while len(self._ends) > KEPT_ENDS:
                self._ends.popitem(last=False)
        return moment

    def forget(self) -> None:
        """Drop every kept value (the next asks compute afresh); keep watching the stores."""
        with self._lock:
            self._kept.clear()
            self._ends.clear()

    def close(self) -> None:
        self.forget()
        with self._lock:
            for watch in self._watches.values():
                watch.close()
            self._watches.clear()
