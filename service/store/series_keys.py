"""Which occurrences make one series: a key computed when an event is written.

A weekly networking breakfast is many stored events. A search shows it once
(:mod:`service.search.series`), and to do that cheaply it must tell the
occurrences of one series apart from single events while it reads its
candidates, without reading every event that shares a title. So each event
row keeps its ``series_key``: the source's own series when it gave one
(the occurrences of one iCalendar UID, ``details["series"]``), else what the
occurrences of a series share: their title, their host (else their source),
their place, and their weekday and local time of day.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from service.model import zone_named

KEY_LENGTH = 32
"""Hex digits kept of the digest: unique among any store's series by a wide margin."""


def series_key(row: Mapping[str, Any]) -> str:
    """The key of the series an event row belongs to (a single event is a series of one)."""
    return _digest(_identity(row))


def _identity(row: Mapping[str, Any]) -> tuple[object, ...]:
    own = _source_series(row.get("details"))
    if own:
        return ("series", own)
    start: datetime = row["start"]
    local = start.astimezone(zone_named(row.get("timezone") or "UTC"))
    lat, lon = row.get("lat"), row.get("lon")
    if lat is not None and lon is not None:
        place: object = (round(lat, 3), round(lon, 3))
    else:
        place = " ".join((row.get("venue_name") or "").casefold().split())
    title = " ".join(str(row["title"]).casefold().split())
    when = (local.weekday(), local.hour, local.minute, bool(row.get("all_day")))
    return ("same", title, row.get("host") or row["source"], place, when)


def _source_series(details: object) -> str | None:
    """The source's own series (an iCalendar UID's family), from the details as stored."""
    if isinstance(details, str):
        try:
            details = json.loads(details)
        except ValueError:
            return None
    if not isinstance(details, Mapping):
        return None
    value = details.get("series")
    return value if isinstance(value, str) and value else None


def _digest(identity: tuple[object, ...]) -> str:
    text = json.dumps(identity, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:KEY_LENGTH]
