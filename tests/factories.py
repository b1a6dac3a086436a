"""Events and subscriptions for tests: one factory each, and the samples several tests share.

``make_event()`` is the one place a test event is built. It fills in only what
``Event`` requires (an id, a title, a start, a source); every other field keeps
the model's own default, so a test passes each field it relies on and the
reader sees it at the call. ``make_subscription()`` does the same for a stored
digest subscription, and ``subscription_request()`` for the body a client
posts to ``/subscriptions``.

The samples below are events several test files share, each built with
``make_event()`` and each taking keyword overrides of any field. Every time is fixed:
relative to ``NOW`` or a named day, never the real clock.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from service.model import (
    Attendance,
    Event,
    FreeTime,
    Kind,
    Status,
    Subscription,
    Venue,
    all_day_start,
    make_event_id,
)
from service.store import CrawlRun

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
"""The moment the tests live in (a Friday); nothing reads the real clock."""
MONDAY = datetime(2026, 11, 30, 6, 0, tzinfo=UTC)
"""The Monday after NOW, 07:00 in Berlin: when the weekly digest goes out."""
NEXT_MONDAY = datetime(2026, 12, 7, 6, 0, tzinfo=UTC)


def clean_crawl_run(source: str = "feed-test", **fields: Any) -> CrawlRun:
    """A crawl of ``source`` that ended ``ok`` and clean at NOW (``fields`` override)."""
    values: dict[str, Any] = {
        "source": source,
        "type": "ics",
        "started": NOW,
        "finished": NOW,
        "outcome": "ok",
        "clean": True,
        "found": 1,
    }
    values.update(fields)
    return CrawlRun(**values)


TORONTO = ZoneInfo("America/Toronto")
LONDON = ZoneInfo("Europe/London")
ADELAIDE = ZoneInfo("Australia/Adelaide")


def make_event(key: object = 1, /, *, days: float = 1, **fields: Any) -> Event:
    """An event of source ``"test"`` titled ``Event {key}``, ``days`` after NOW.

    The id is ``make_event_id(source, str(key))``: the same key and source give
    the same id on every call. Any ``Event`` field may be passed; ``start``
    wins over ``days``. Unless passed, the event has no end, zone or venue, is
    of kind other, in person and scheduled (the model's defaults).
    """
    source = fields.pop("source", "test")
    values: dict[str, Any] = {
        "id": make_event_id(source, str(key)),
        "title": f"Event {key}",
        "start": NOW + timedelta(days=days),
        "source": source,
    }
    values.update(fields)
    return Event(**values)


def make_subscription(**fields: Any) -> Subscription:
    """Ada's pending digest subscription, not stored yet (id 0), created at NOW.

    Within 25 km of Berlin, technology, free at weekends; override any field.
    """
    values: dict[str, Any] = {
        "id": 0,
        "token": "t" * 43,
        "email": "ada@example.org",
        "near": "Berlin, Germany",
        "lat": 52.52,
        "lon": 13.405,
        "radius_km": 25.0,
        "timezone": "Europe/Berlin",
        "created": NOW,
        "updated": NOW,
        "sectors": ("technology",),
        "free_times": (FreeTime.WEEKENDS,),
    }
    values.update(fields)
    return Subscription(**values)


def subscription_request(**fields: Any) -> dict[str, Any]:
    """The JSON body of ``POST /subscriptions``; a field set to None is left out.

    By default Ada asks for technology within 400 km of Leipzig, on weekday daytimes.
    """
    values: dict[str, Any] = {
        "email": "ada@example.org",
        "near": "Leipzig",
        "radius_km": 400,
        "sectors": ["technology"],
        "free_times": ["weekday_daytime"],
    }
    values.update(fields)
    return {name: value for name, value in values.items() if value is not None}


# Meetups that several test files share

MARS = Venue(
    name="MaRS Discovery District",
    address="101 College St",
    city="Toronto",
    region="ON",
    country="CA",
    lat=43.6598,
    lon=-79.3886,
)


def toronto_event(key: str, *, days: float = 3, hours: float = 2.5, **fields: Any) -> Event:
    """A Toronto health-tech meetup at MaRS, ``days`` after NOW and ``hours`` long."""
    start = (NOW + timedelta(days=days)).astimezone(TORONTO).replace(second=0, microsecond=0)
    values: dict[str, Any] = {
        "source": "feed-test",
        "title": f"Toronto Health Tech Meetup {key}",
        "start": start,
        "end": start + timedelta(hours=hours),
        "timezone": "America/Toronto",
        "kind": Kind.MEETUP,
        "sectors": ["technology", "healthcare"],
        "venue": MARS,
        "url": f"https://example.org/events/{key}",
        "organizer": "Health Tech Toronto",
        "description": "Lightning talks, then open networking.",
    }
    values.update(fields)
    return make_event(key, **values)


def march_meetup(key: str = "health-tech", **fields: Any) -> Event:
    """The Toronto health-tech meetup of Tuesday 10 March 2026, 18:30-21:00 local.

    It has a page and a source feed, was first seen on 5 January and updated on
    20 January (UTC): the event the iCalendar tests render.
    """
    values: dict[str, Any] = {
        "source": "test-source",
        "title": "Toronto Health Tech Meetup",
        "start": datetime(2026, 3, 10, 18, 30, tzinfo=TORONTO),
        "end": datetime(2026, 3, 10, 21, 0, tzinfo=TORONTO),
        "url": "https://example.org/events/health-tech",
        "source_url": "https://example.org/calendar.ics",
        "first_seen": datetime(2026, 1, 5, 9, 0, tzinfo=UTC),
        "updated": datetime(2026, 1, 20, 16, 0, tzinfo=UTC),
    }
    values.update(fields)
    return toronto_event(key, **values)


def all_day_conference(
    key: str, first_day: date, days: int, timezone: str | None, **fields: Any
) -> Event:
    """``march_meetup`` made an all-day conference from local midnight of ``first_day``."""
    values: dict[str, Any] = {
        "start": all_day_start(first_day, timezone),
        "end": all_day_start(first_day + timedelta(days=days), timezone),
        "timezone": timezone,
        "all_day": True,
        "kind": Kind.CONFERENCE,
    }
    values.update(fields)
    return march_meetup(key, **values)


def zoned_events() -> list[Event]:
    """One evening event in each of three zones with different DST rules."""
    return [
        march_meetup("toronto"),
        march_meetup(
            "london",
            title="London Book Signing",
            start=datetime(2026, 4, 2, 18, 0, tzinfo=LONDON),
            end=datetime(2026, 4, 2, 20, 0, tzinfo=LONDON),
            timezone="Europe/London",
            kind=Kind.BOOK_SIGNING,
        ),
        march_meetup(
            "adelaide",
            title="Adelaide Careers Fair",
            start=datetime(2026, 5, 14, 10, 0, tzinfo=ADELAIDE),
            end=datetime(2026, 5, 14, 15, 0, tzinfo=ADELAIDE),
            timezone="Australia/Adelaide",
            kind=Kind.CAREER_FAIR,
        ),
    ]


def dst_edge_events() -> list[Event]:
    """Half-hour events either side of each 2026 offset change in the three zones.

    None starts or ends in a repeated hour (the iCalendar tests cover those apart).
    """
    moments = {
        "America/Toronto": [(3, 8, 1, 30), (3, 8, 3, 30), (11, 1, 0, 0), (11, 1, 2, 30)],
        "Europe/London": [(3, 29, 0, 30), (3, 29, 2, 30), (10, 25, 0, 0), (10, 25, 2, 30)],
        "Australia/Adelaide": [(4, 5, 1, 0), (4, 5, 3, 30), (10, 4, 1, 30), (10, 4, 3, 30)],
    }
    events = []
    for zone_name, times in moments.items():
        zone = ZoneInfo(zone_name)
        for month, day, hour, minute in times:
            start = datetime(2026, month, day, hour, minute, tzinfo=zone)
            events.append(
                march_meetup(
                    f"{zone_name}-{month}-{day}-{hour}",
                    title=f"Edge {zone_name} {start.isoformat()}",
                    start=start,
                    end=(start.astimezone(UTC) + timedelta(minutes=30)).astimezone(zone),
                    timezone=zone_name,
                )
            )
    return events


HOSTILE = {
    "crlf-injection": "Mixer\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:evil@example\r\nSUMMARY:Owned",
    "lf-alarm": "Mixer\nBEGIN:VALARM\nACTION:AUDIO\nTRIGGER:-PT1M\nEND:VALARM",
    "cr-only": "Mixer\rSTATUS:CANCELLED\rX-EVIL:1",
    "fold-lookalike": "Mixer\r\n X-EVIL:continued\n\tmore",
    "end-calendar": "Mixer\r\nEND:VCALENDAR\r\nBEGIN:VCALENDAR",
    "separators": 'Mixer; with, "quotes": and \\ backslashes \\n \\N \\\\ ;;,,',
    "control-chars": "Mixer\x00\x07\x08\x1b\x7f\x85\x9b\x0b\x0c\u2028\u2029 end",
    "lone-surrogate": "Mixer \ud83d end",
    "long-words": ("networking " * 1000)[:10240],
    "long-unbroken": "x" * 10240,
    "escapes-at-fold": "\\" * 80 + ";" * 80 + "," * 80,
    "multibyte-flood": "🎉東京" * 1500,
}
"""Texts a feed takes from outside and must not let out of their property, by what they try."""

MARKUP = {
    "script": "<script>alert(1)</script>",
    "img-onerror": '<img src=x onerror="alert(2)">',
    "attribute-break": '" autofocus onfocus="alert(3)" x="',
    "single-quote-break": "' onmouseover='alert(4)' x='",
    "close-and-open": "</title></textarea></style></script><svg onload=alert(5)>",
    "json-ld-break": '</script><script>alert(6)</script>{"@context":',
    "comment": "<!-- --><iframe src=javascript:alert(7)>",
    "entities": "&lt;script&gt;alert(8)&lt;/script&gt; &amp;amp; &#x3C;b&#x3E;",
    "style": "<style>*{background:url(javascript:alert(9))}</style>",
    "template-syntax": "{{ 7*7 }} {% raw %} ${7*7} #{7*7}",
    "rich-markup": "[bold red]Owned[/bold red] [link=https://evil.example]click[/link]",
    "terminal-escape": "Mixer \x1b[2J\x1b]8;;https://evil.example\x07click\x1b]8;;\x07",
    "bidi": "Mixer \u202egnp.exe \u2066hidden\u2069",
}
"""Texts a page, a feed, an email or a terminal must show as text, never run, by what they try."""

MARKUP_URLS = {
    "javascript": "javascript:alert(document.cookie)",
    "javascript-cased": " JaVaScRiPt:alert(1)",
    "javascript-tab": "java\tscript:alert(1)",
    "data": "data:text/html,<script>alert(1)</script>",
    "vbscript": "vbscript:msgbox(1)",
    "quote-break": 'https://example.org/"><script>alert(1)</script>',
}
"""Addresses a source may give for an event that no page may turn into a link as they are."""


def hostile_event(key: object, words: str, *, url: str | None = None, **fields: Any) -> Event:
    """A Berlin meetup the day after NOW with ``words`` in every text field a source fills,
    and as the reason for its sector (a calendar's name lent to its events)."""
    values: dict[str, Any] = {
        "title": words,
        "start": NOW + timedelta(days=1, hours=5),
        "end": NOW + timedelta(days=1, hours=7),
        "timezone": "Europe/Berlin",
        "kind": Kind.MEETUP,
        "sectors": ["technology"],
        "venue": Venue(
            name=words,
            address=words,
            city="Berlin",
            country="Germany",
            lat=52.52,
            lon=13.405,
        ),
        "url": url or "https://example.org/meetups/1",
        "organizer": words,
        "description": f"{words}\n\n{words}",
        # A calendar's own name, lent as the reason for its field (service.classify.whole_source).
        "sector_evidence": {"technology": [words]},
    }
    values.update(fields)
    return make_event(key, **values)


def python_meetup(n: int = 1, **fields: Any) -> Event:
    """The ``n``-th Python meetup in a London hall: ``n`` days after NOW, two hours long."""
    values: dict[str, Any] = {
        "title": f"Python meetup {n}",
        "start": NOW + timedelta(days=n),
        "end": NOW + timedelta(days=n, hours=2),
        "timezone": "Europe/London",
        "kind": Kind.MEETUP,
        "venue": Venue(name="Hall", city="London", country="GB", lat=51.5, lon=-0.12),
        "sectors": ["technology"],
    }
    values.update(fields)
    return make_event(f"uid-{n}", **values)


def berlin_meetup(number: int, *, day: int = 8, hour: int = 17, **fields: Any) -> Event:
    """Meetup ``e{number}`` in a Berlin hall on ``day`` December 2026, ``hour``:00 UTC, two hours.

    December 2026: the 7th is a Monday, and ``hour`` UTC is ``hour + 1`` in Berlin.
    """
    start = datetime(2026, 12, day, hour, 0, tzinfo=UTC)
    values: dict[str, Any] = {
        "id": f"e{number}",
        "start": start,
        "end": start + timedelta(hours=2),
        "timezone": "Europe/Berlin",
        "kind": Kind.MEETUP,
        "venue": Venue(name="Hall", city="Berlin", country="Germany", lat=52.5, lon=13.4),
        "url": f"https://example.org/{number}",
    }
    values.update(fields)
    return make_event(number, **values)


# Events whose fields a page, a feed or an email must not trust

SCRIPT_TITLE = "<script>alert(1)</script>"


def script_event() -> Event:
    """A meetup in Berlin whose title is markup, on the Wednesday of MONDAY's week."""
    return make_event(
        id="script-title-meetup",
        title=SCRIPT_TITLE,
        start=datetime(2026, 12, 2, 17, 0, tzinfo=UTC),
        end=datetime(2026, 12, 2, 19, 0, tzinfo=UTC),
        timezone="Europe/Berlin",
        kind=Kind.MEETUP,
        sectors=["technology"],
        venue=Venue(name="<b>Hall</b>", city="Berlin", country="Germany", lat=52.52, lon=13.405),
        url="https://example.org/meetups/script",
        organizer='"><img src=x onerror=alert(2)>',
        description="<script>alert(3)</script>",
    )


def odd_events() -> list[Event]:
    """Events whose fields a page must not trust: a script URL, a cancellation, online only."""
    berlin = Venue(
        name="Factory Görlitzer Park", city="Berlin", country="Germany", lat=52.4975, lon=13.4447
    )
    return [
        make_event(
            id="javascript-url-meetup",
            title="Founders & <em>friends</em> breakfast",
            start=datetime(2026, 12, 3, 8, 0, tzinfo=UTC),
            end=datetime(2026, 12, 3, 9, 30, tzinfo=UTC),
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
        make_event(
            id="cancelled-workshop",
            title="Pitch deck workshop",
            start=datetime(2026, 12, 10, 17, 0, tzinfo=UTC),
            end=datetime(2026, 12, 10, 19, 0, tzinfo=UTC),
            timezone="Europe/Berlin",
            kind=Kind.WORKSHOP,
            sectors=["sales-and-business"],
            venue=berlin,
            url="https://example.org/pitch",
            organizer="Berlin Founders Club",
            status=Status.CANCELLED,
        ),
        make_event(
            id="online-career-fair",
            title="Remote careers fair",
            start=datetime(2026, 12, 9, 15, 0, tzinfo=UTC),
            end=datetime(2026, 12, 9, 18, 0, tzinfo=UTC),
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
