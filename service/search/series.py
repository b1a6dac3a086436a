"""An event that repeats shows once: at its next date, with its rhythm.

A weekly networking breakfast would otherwise fill a page with one result a
week. Occurrences belong to one series when they share their ``series_key``
(written with the event, :mod:`service.store.series_keys`: the source's own
series, or the same title, host, place, weekday and time). Among the
occurrences that match a search, the soonest stands for the series; every
later one is left out of every page. So each series is shown exactly once
across all pages, cursors stay those of the underlying order, and the total
counts what the pages show.

The ranking does the leaving out while it reads its candidates
(:class:`Heads`, used by :mod:`service.search.plan`): occurrences that
match differ only in their start, so the soonest also ranks first among them
by score and by date (and ties by distance). Then only the series a page
shows have their dates read (:func:`series_of_page`): the rhythm comes from
every date ahead, also those after the search's window (a week's digest
holds one date of a weekly event).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from service.model import Attendance, Event, zone_named
from service.places.distance import RadiusCut
from service.search.request import SearchRequest, Series
from service.store import EventQuery, EventStore
from service.text.series import rhythm_text


class Heads:
    """The soonest date offered of each series, so far; and the dates it displaced.

    A search offers its candidates in batches of start time, in order
    (windows), each batch in any order; :meth:`sift` keeps the soonest date
    of each series of a batch and drops the rest before ranking sees them.
    """

    __slots__ = ("_first", "displaced")

    def __init__(self) -> None:
        self._first: dict[str, tuple[float, str]] = {}
        self.displaced: set[str] = set()
        """Dates offered earlier that a sooner date of their series turned up after."""

    def is_first(self, key: str | None, start: float, event_id: str) -> bool:
        """Whether this date stands for its series among those offered so far: True for a
        series' first date and for one sooner than it (whose former head is displaced)."""
        if key is None:
            return True
        mine = (start, event_id)
        head = self._first.get(key)
        if head is not None:
            if head <= mine:
                return False
            self.displaced.add(head[1])
        self._first[key] = mine
        return True

    def is_head(self, key: str | None, start: float, event_id: str) -> bool:
        """Whether this date is its series' soonest of all offered (after every batch)."""
        return key is None or self._first.get(key) == (start, event_id)

    def is_new(self, key: str | None) -> bool:
        """Whether no date of this series was offered yet."""
        return key is None or key not in self._first


def series_of_page(
    store: EventStore,
    request: SearchRequest,
    query: EventQuery,
    page: Sequence[tuple[Event, str | None]],
) -> dict[str, Series]:
    """The series of the events a page shows (each with its ``series_key``), by event id:
    every date of the series that matches ``query`` from its start on, within the
    request's radius (or online, when it asked for that); none for an event alone."""
    keys = sorted(store.repeated_series({key for _, key in page if key is not None}))
    if not keys:
        return {}
    ahead = replace(
        query, end=None, starts_from=None, limit=None, after=None, ids=(), series_keys=keys
    )
    cut = None
    if request.near is not None:
        cut = RadiusCut(request.near.lat, request.near.lon, request.radius_km).distance
    online = request.near is not None and Attendance.ONLINE in request.attendance
    dates: dict[str, list[datetime]] = defaultdict(list)
    for series_key, _, start, lat, lon in store.series_dates(query=ahead):
        if cut is not None:
            if lat is None or lon is None:
                if not online:
                    continue
            elif cut(lat, lon) is None:
                continue
        dates[series_key].append(start)
    found: dict[str, Series] = {}
    for event, key in page:
        starts = tuple(dates.get(key or "", ()))
        if len(starts) < 2:
            continue
        zone = zone_named(event.timezone or "UTC")
        rhythm = rhythm_text([start.astimezone(zone) for start in starts], all_day=event.all_day)
        found[event.id] = Series(rhythm=rhythm, count=len(starts), starts=starts)
    return found
