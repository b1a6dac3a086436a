""" "I'm going": a person's private list of the events they will go to.

The use cases behind ``/going`` (API) and ``/g/{token}`` (web page): mark,
unmark, read the list, delete it. A list is opened by its own unguessable
token, or by a digest subscription's token; nothing here answers "who else
is going" or how many are.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from service.model import Event, GoingList
from service.store import EventQuery, EventStore, GoingStore
from service.store.going import MAX_MARKS

MAX_TOKEN_CHARS = 64

Problem = Literal["no_list", "no_event"]


class GoingError(LookupError):
    """The list or the event does not exist (both answer 404: a token is never confirmed)."""

    def __init__(self, problem: Problem, message: str) -> None:
        super().__init__(message)
        self.problem = problem
        self.message = message


@dataclass(frozen=True, slots=True)
class Marked:
    event: Event
    marked: datetime


def open_list(going: GoingStore, *, token: str, now: datetime) -> GoingList:
    """The list ``token`` opens, or :class:`GoingError`."""
    found = going.find(token=token[:MAX_TOKEN_CHARS], now=now) if token else None
    if found is None or len(token) > MAX_TOKEN_CHARS:
        raise GoingError("no_list", "no such going list")
    return found


def mark(
    going: GoingStore, store: EventStore, *, event_id: str, token: str | None, now: datetime
) -> tuple[GoingList, bool]:
    """Mark ``event_id`` on the list ``token`` opens (a new list without one).

    Returns the list and whether the mark is new.
    """
    if store.get(event_id=event_id) is None:
        raise GoingError("no_event", f"no event {event_id}")
    found = open_list(going, token=token, now=now) if token else going.create(now=now)
    return found, going.mark(going=found, event_id=event_id, now=now)


def unmark(going: GoingStore, *, token: str, event_id: str, now: datetime) -> bool:
    return going.unmark(going=open_list(going, token=token, now=now), event_id=event_id)


def delete(going: GoingStore, *, token: str, now: datetime) -> None:
    going.delete(going=open_list(going, token=token, now=now))


def marked_events(going: GoingStore, store: EventStore, *, found: GoingList) -> list[Marked]:
    """The list's events by start; marks of events no longer stored are left out."""
    marks = going.marks(going=found)
    if not marks:
        return []
    events = {
        event.id: event
        for event in store.search(query=EventQuery(ids=[mark.event_id for mark in marks]))
    }
    kept = [Marked(events[m.event_id], m.marked) for m in marks if m.event_id in events]
    return sorted(kept, key=lambda item: (item.event.start, item.event.id))


def marked_ids(going: GoingStore, *, subscription_id: int) -> set[str]:
    """The events a subscriber marked (none when they have no list)."""
    found = going.of_subscription(subscription_id=subscription_id)
    return {mark.event_id for mark in going.marks(going=found)} if found is not None else set()


__all__ = [
    "MAX_MARKS",
    "GoingError",
    "Marked",
    "delete",
    "mark",
    "marked_events",
    "marked_ids",
    "open_list",
    "unmark",
]
