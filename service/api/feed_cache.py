"""Feeds assembled from event blocks serialised once per event version.

A feed of 1,000 events is polled by every subscriber every few hours, and
between two crawls almost nothing in it changes. The store says which
events a feed holds and their versions (id, SEQUENCE, ``updated``) in one
narrow query, the feed's plan; each event's block is rendered the first
time that version is asked for and reused after, so a feed is mostly a join
of bytes. The plan gives the feed's ETag without loading or rendering
anything, and is itself kept until the store changes.

The same plan, validators and blocks serve every format a search is
published in: iCalendar (:mod:`feeds.ical`) and the reading lists, Atom,
JSON Feed and CSV (:mod:`feeds.syndication`); the options' type says which
renderer writes the blocks.

Lives in the HTTP layer because it calls the renderers (``service`` core does
not import ``feeds``).
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, overload

import icalendar
from fastapi import Depends, Request

import feeds.ical
import feeds.syndication
from feeds.ical import EventBlock, FeedOptions, assemble_calendar, render_block
from feeds.syndication import EntryBlock, SyndicationOptions
from service.http.caching import LRUCache, Representations, Validators, strong_tag
from service.model import Event
from service.store import EventQuery, EventStore
from service.store.watch import StoreWatch

MAX_BLOCKS = 20_000
"""Blocks kept: every event of a large store under a few option sets."""
MAX_BLOCK_BYTES = 6 * 1024 * 1024
"""And about this much memory of them at most: every worker of a server keeps its own (the
server's is ``MEETSCOUT_FEED_CACHE_MB``)."""
BLOCK_OVERHEAD = 400
"""Bytes a kept block costs besides its own: the object, its key, its zones and years."""
MAX_PLANS = 256
"""Feed plans kept: the searches people subscribe to, each up to 1,000 versions."""
LOAD_CHUNK = 500
"""Ids per query when loading the events whose blocks are not cached."""
ICS_MEDIA_TYPE = "text/calendar; charset=utf-8"
ICS_RESPONSES: dict[int | str, dict[str, object]] = {
    200: {
        "content": {"text/calendar": {"schema": {"type": "string"}}},
        "description": "An iCalendar file (RFC 5545).",
    },
    304: {"description": "The copy named by If-None-Match or If-Modified-Since is current."},
    503: {"description": "The event store is not answering; try again after Retry-After."},
}


@dataclass(frozen=True, slots=True)
class EventVersion:
    """What identifies an event's content: the store moves ``updated`` on every change."""

    id: str
    sequence: int
    updated: datetime

    @classmethod
    def of(cls, event: Event) -> EventVersion:
        if event.updated is None:
            raise ValueError(f"event {event.id} has no `updated`: it did not come from the store")
        return cls(event.id, event.sequence, event.updated)


def event_versions(store: EventStore, query: EventQuery) -> list[EventVersion]:
    """The versions of the events ``query`` finds, in the order a search returns them."""
    return [EventVersion(*row) for row in store.versions(query=query)]


AnyOptions = FeedOptions | SyndicationOptions
"""A feed's options; their type decides the renderer."""
AnyBlock = EventBlock | EntryBlock


@dataclass(frozen=True)
class Renderer:
    """One way of writing feeds: a block per event, and the feed around the blocks.

    Each part is looked up when used, so the renderer's module stays the one
    place that names them.
    """

    name: str
    render_block: Callable[..., Any]
    assemble: Callable[..., bytes]
    source_files: Callable[[], tuple[Path, ...]]
    library_version: str = ""


ICALENDAR = Renderer(
    "ics",
    lambda *args, **kwargs: render_block(*args, **kwargs),
    lambda *args, **kwargs: assemble_calendar(*args, **kwargs),
    lambda: feeds.ical.SOURCE_FILES,
    icalendar.__version__,
)
SYNDICATION = Renderer(
    "syndication",
    lambda *args, **kwargs: feeds.syndication.render_block(*args, **kwargs),
    lambda *args, **kwargs: feeds.syndication.assemble(*args, **kwargs),
    lambda: feeds.syndication.SOURCE_FILES,
)


def renderer_of(options: AnyOptions) -> Renderer:
    return SYNDICATION if isinstance(options, SyndicationOptions) else ICALENDAR


@lru_cache(maxsize=4)
def renderer_fingerprint(renderer: Renderer = ICALENDAR) -> str:
    """Changes when the renderer, the words it writes or its library do, so a new release never
    answers 304 with a feed it would now write differently."""
    digest = hashlib.sha256(renderer.library_version.encode())
    for path in renderer.source_files():
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


Reasons = Callable[[Event], Sequence[str]]
"""The "why" lines of one event in a feed, computed only when its block is rendered."""


@dataclass(frozen=True, slots=True)
class FeedPlan:
    """Which event versions a feed holds, in order, and what decides their "why" lines.

    ``whys`` are the lines themselves when the search gave them (one per
    version); otherwise ``context`` (the sectors asked for, say) decides
    them together with the event, and they are computed on render. Either
    way the caller promises: same version, same context, same lines.
    """

    versions: tuple[EventVersion, ...]
    context: Hashable = None
    whys: tuple[tuple[str, ...], ...] | None = None

    def contexts(self) -> Sequence[Hashable]:
        return self.whys if self.whys is not None else [self.context] * len(self.versions)


class FeedCache:
    """Rendered blocks by (event version, block options, context), and feed plans by search.

    A plan is reused while the store reports no change a reader can be shown
    (:meth:`StoreWatch.shown`: a crawl that finds its events unchanged is
    none), so an unchanged feed is answered, 304 or 200, without reading the
    store.
    Both are bounded and shared by every request.
    """

    def __init__(
        self,
        max_blocks: int = MAX_BLOCKS,
        max_plans: int = MAX_PLANS,
        max_block_bytes: int = MAX_BLOCK_BYTES,
    ) -> None:
        self.blocks: LRUCache[tuple[object, ...], AnyBlock] = LRUCache(
            max_blocks,
            max_bytes=max_block_bytes,
            weigh=lambda block: len(block.data) + BLOCK_OVERHEAD,
        )
        self.plans: LRUCache[str, tuple[object, FeedPlan, Validators]] = LRUCache(max_plans)
        self._watches: dict[str, StoreWatch] = {}
        self._lock = threading.Lock()

    def watch(self, store: EventStore) -> StoreWatch:
        """The change counter of the store's database (one per database, made once)."""
        name = store.engine.url.render_as_string(hide_password=False)
        with self._lock:
            watch = self._watches.get(name)
            if watch is None:
                watch = self._watches[name] = StoreWatch.for_engine(store.engine)
            return watch

    def close(self) -> None:
        """Close the connections that watch the stores for changes."""
        with self._lock:
            for watch in self._watches.values():
                watch.close()
            self._watches.clear()

    def kept(self, store: EventStore, key: str) -> tuple[FeedPlan, Validators] | None:
        """The plan of ``key`` if the store has not changed since it was made; no query.

        Cheap enough for the event loop: one ``PRAGMA`` on a local file (and
        two one-row reads once something committed), or on PostgreSQL one
        SELECT of both counters and the schema's table count (about 0.3 ms).
        """
        return self._kept(key, self.watch(store).shown())

    def planned(
        self,
        store: EventStore,
        key: str,
        make: Callable[[], FeedPlan],
        *,
        options: AnyOptions,
        not_before: datetime | None = None,
    ) -> tuple[FeedPlan, Validators]:
        """The plan of the feed ``key`` names, made again only when the store has changed.

        The store's marker is read before the plan is made, so a write during
        the making leaves a plan that the next request replaces.
        """
        generation = self.watch(store).shown()
        kept = self._kept(key, generation)
        if kept is not None:
            return kept
        plan = make()
        validators = self.validators(plan, options=options, not_before=not_before)
        if generation is not None:
            self.plans.put(key, (generation, plan, validators))
        return plan, validators

    def _kept(self, key: str, generation: object | None) -> tuple[FeedPlan, Validators] | None:
        if generation is None:
            return None
        kept = self.plans.get(key)
        if kept is None or kept[0] != generation:
            return None
        return kept[1], kept[2]

    def validators(
        self, plan: FeedPlan, *, options: AnyOptions, not_before: datetime | None = None
    ) -> Validators:
        """The ETag and Last-Modified of the feed ``plan`` describes under ``options``.

        ``not_before`` is when the feed last changed for reasons its events do
        not show (its window moved), so If-Modified-Since clients see that too.
        """
        rows = "\n".join(
            f"{version.id} {version.sequence} {version.updated.isoformat()}"
            for version in plan.versions
        )
        fingerprint = renderer_fingerprint(renderer_of(options))
        tag = strong_tag((fingerprint, options, plan.context, plan.whys, rows))
        changes = [version.updated for version in plan.versions]
        if not_before is not None:
            changes.append(not_before)
        return Validators(tag=tag, last_modified=max(changes) if changes else None)

    def build(
        self,
        store: EventStore,
        plan: FeedPlan,
        *,
        options: AnyOptions,
        now: datetime,
        why: Reasons | None = None,
    ) -> tuple[bytes, FeedPlan]:
        """The feed ``plan`` describes, loading and rendering only the blocks not cached.

        An event that changed after the plan was made is rendered as it is
        now, and the plan returned says so (the ETag must follow the body).
        """
        _require_stable(options)
        renderer = renderer_of(options)
        block_key = (renderer.name, *options.block_key())
        contexts = plan.contexts()
        found: dict[str, tuple[EventVersion, int, AnyBlock]] = {}
        missing: dict[str, int] = {}
        for index, version in enumerate(plan.versions):
            key = (version.id, version.sequence, version.updated, block_key, contexts[index])
            block = self.blocks.get(key)
            if block is None:
                missing[version.id] = index
            else:
                found[version.id] = (version, index, block)
        ids = list(missing)
        for start in range(0, len(ids), LOAD_CHUNK):
            for event in store.search(query=EventQuery(ids=ids[start : start + LOAD_CHUNK])):
                index = missing[event.id]
                lines = plan.whys[index] if plan.whys is not None else (why(event) if why else ())
                block = self.block(event, options, now=now, context=contexts[index], why=lines)
                found[event.id] = (EventVersion.of(event), index, block)
        used = [found[version.id] for version in plan.versions if version.id in found]
        body = renderer.assemble((block for _, _, block in used), options=options)
        versions = tuple(version for version, _, _ in used)
        if versions == plan.versions:
            return body, plan
        whys = plan.whys
        if whys is not None:
            whys = tuple(whys[index] for _, index, _ in used)
        return body, FeedPlan(versions=versions, context=plan.context, whys=whys)

    @overload
    def block(
        self,
        event: Event,
        options: FeedOptions,
        *,
        now: datetime,
        context: Hashable = None,
        why: Sequence[str] = (),
    ) -> EventBlock: ...

    @overload
    def block(
        self,
        event: Event,
        options: SyndicationOptions,
        *,
        now: datetime,
        context: Hashable = None,
        why: Sequence[str] = (),
    ) -> EntryBlock: ...

    def block(
        self,
        event: Event,
        options: AnyOptions,
        *,
        now: datetime,
        context: Hashable = None,
        why: Sequence[str] = (),
    ) -> AnyBlock:
        """One event's block, rendered once per version, options and context."""
        _require_stable(options)
        renderer = renderer_of(options)
        version = EventVersion.of(event)
        block_key = (renderer.name, *options.block_key())
        key = (version.id, version.sequence, version.updated, block_key, context)
        block = self.blocks.get(key)
        if block is None:
            block = renderer.render_block(event, now=now, options=options, why=list(why))
            self.blocks.put(key, block)
        return block


def _require_stable(options: AnyOptions) -> None:
    """Blocks are keyed without "now", which holds only when DTSTAMP is the event's own
    (the reading lists never depend on it)."""
    if isinstance(options, FeedOptions) and options.stamp != "updated":
        raise ValueError("cached blocks need FeedOptions(stamp='updated')")


def ics_representations(*, refresh_hours: int) -> Representations:
    """Responses for calendars: cached as long as apps are told to wait between polls."""
    return Representations(media_type=ICS_MEDIA_TYPE, max_age=refresh_hours * 3600)


SYNDICATION_MEDIA_TYPES: dict[str, str] = {
    "atom": "application/atom+xml; charset=utf-8",
    "json": "application/feed+json; charset=utf-8",
    "csv": "text/csv; charset=utf-8; header=present",
}
SYNDICATION_RESPONSES: dict[int | str, dict[str, object]] = {
    200: {
        "content": {
            "application/atom+xml": {"schema": {"type": "string"}},
            "application/feed+json": {"schema": {"type": "object"}},
            "text/csv": {"schema": {"type": "string"}},
        },
        "description": "The search as Atom (RFC 4287), JSON Feed 1.1 or CSV (RFC 4180).",
    },
    304: ICS_RESPONSES[304],
    503: ICS_RESPONSES[503],
}


def syndication_representations(*, refresh_hours: int) -> dict[str, Representations]:
    """Responses for the reading lists, one per format, cached like the calendars."""
    return {
        name: Representations(media_type=media_type, max_age=refresh_hours * 3600)
        for name, media_type in SYNDICATION_MEDIA_TYPES.items()
    }


# The dependencies below do no I/O; being async spares each request a hop to a worker thread.


async def get_feed_cache(request: Request) -> FeedCache:
    return request.app.state.feed_cache  # type: ignore[no-any-return]


async def get_ics_representations(request: Request) -> Representations:
    return request.app.state.ics_representations  # type: ignore[no-any-return]


async def get_syndication_representations(request: Request) -> dict[str, Representations]:
    return request.app.state.syndication_representations  # type: ignore[no-any-return]


FeedCacheDep = Annotated[FeedCache, Depends(get_feed_cache)]
IcsRepresentationsDep = Annotated[Representations, Depends(get_ics_representations)]
SyndicationRepresentationsDep = Annotated[
    dict[str, Representations], Depends(get_syndication_representations)
]
