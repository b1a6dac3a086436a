"""Events placed relative to the test clock, for feeds served over HTTP."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from service.model import Event, Kind, Venue, make_event_id
from tests.conftest import NOW

TORONTO = ZoneInfo("America/Toronto")


def toronto_event(key: str, *, days: float = 3, hours: float = 2.5, **changes: Any) -> Event:
    """A Toronto health-tech meetup ``days`` after the test clock; override any field."""
    start = (NOW + timedelta(days=days)).astimezone(TORONTO).replace(second=0, microsecond=0)
    fields: dict[str, Any] = {
        "id": make_event_id("feed-test", key),
        "title": f"Toronto Health Tech Meetup {key}",
        "start": start,
        "end": start + timedelta(hours=hours),
        "source": "feed-test",
        "timezone": "America/Toronto",
        "kind": Kind.MEETUP,
        "sectors": ["technology", "healthcare"],
        "venue": Venue(
            name="MaRS Discovery District",
            address="101 College St",
            city="Toronto",
            region="ON",
            country="CA",
            lat=43.6598,
            lon=-79.3886,
        ),
        "url": f"https://example.org/events/{key}",
        "organizer": "Health Tech Toronto",
        "description": "Lightning talks, then open networking.",
    }
    fields.update(changes)
    return Event(**fields)
