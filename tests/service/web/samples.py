"""Events whose fields a page must not trust, added to the real located ones."""

from __future__ import annotations

from datetime import UTC, datetime

from service.model import Attendance, Event, Kind, Status, Venue


def odd_events() -> list[Event]:
    """Events whose fields a page must not trust: a script URL, a cancellation, online only."""
    berlin = Venue(
        name="Factory Görlitzer Park", city="Berlin", country="Germany", lat=52.4975, lon=13.4447
    )
    return [
        Event(
            id="javascript-url-meetup",
            title="Founders & <em>friends</em> breakfast",
            start=datetime(2026, 12, 3, 8, 0, tzinfo=UTC),
            end=datetime(2026, 12, 3, 9, 30, tzinfo=UTC),
            source="test",
            timezone="Europe/Berlin",
            kind=Kind.MEETUP,
            sectors=["sales-and-business"],
            venue=berlin,
            url="javascript:alert(document.cookie)",
            source_url="data:text/html,<script>alert(1)</script>",
            description=(
                "Bring <b>questions</b>.\n\nSecond paragraph </script><script>alert(4)</script>"
            ),
            is_free=True,
        ),
        Event(
            id="cancelled-workshop",
            title="Pitch deck workshop",
            start=datetime(2026, 12, 10, 17, 0, tzinfo=UTC),
            end=datetime(2026, 12, 10, 19, 0, tzinfo=UTC),
            source="test",
            timezone="Europe/Berlin",
            kind=Kind.WORKSHOP,
            sectors=["sales-and-business"],
            venue=berlin,
            url="https://example.org/pitch",
            organizer="Berlin Founders Club",
            status=Status.CANCELLED,
        ),
        Event(
            id="online-career-fair",
            title="Remote careers fair",
            start=datetime(2026, 12, 9, 15, 0, tzinfo=UTC),
            end=datetime(2026, 12, 9, 18, 0, tzinfo=UTC),
            source="test",
            timezone="America/Toronto",
            kind=Kind.CAREER_FAIR,
            sectors=["technology"],
            attendance=Attendance.ONLINE,
            url="https://example.org/remote-fair",
            organizer="Remote Work Guild",
            price=15.0,
            currency="CAD",
            is_free=False,
        ),
    ]
