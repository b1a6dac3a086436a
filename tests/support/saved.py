"""Saved real files (``tests/fixtures``, the bundled snapshot) and the real events parsed from them.

Each set of events is parsed once per test session and handed out as a fresh
copy or an immutable tuple, so a test may change what it gets.
"""

from __future__ import annotations

import copy
from functools import cache
from pathlib import Path
from types import SimpleNamespace

from scrapy.http import Request, TextResponse

from crawlers.pipelines.classify import ClassifyPipeline
from crawlers.pipelines.locate import LocatePipeline
from crawlers.pipelines.normalize import html_to_text
from crawlers.report import SourceReport
from crawlers.sources import Source
from crawlers.spiders.confs_tech import ConfsTechSpider
from crawlers.spiders.ics import IcsSpider
from service.model import Event, Kind, Venue
from service.places.gazetteer import get_gazetteer
from tests.factories import NOW, odd_events, script_event

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
SNAPSHOT = Path(__file__).resolve().parents[2] / "data" / "snapshot" / "confs-tech" / "2026"


def file_response(relative: str, url: str | None = None, status: int = 200) -> TextResponse:
    """A Scrapy response carrying a saved file's exact bytes."""
    path = FIXTURES / relative
    target = url or path.as_uri()
    return TextResponse(
        url=target,
        body=path.read_bytes(),
        status=status,
        request=Request(target),
        encoding="utf-8",
    )


# Located: confs.tech and the Cottbus makerspace through the locate and classify stages

CONFS_FILES = ("2026/data", "2026/general", "2026/javascript", "2026/python", "2027/general")


def stages(source: Source) -> tuple[LocatePipeline, ClassifyPipeline]:
    spider = SimpleNamespace(source=source, report=SourceReport(source=source.name, type="t"))
    crawler = SimpleNamespace(spider=spider, settings={})
    return LocatePipeline(crawler), ClassifyPipeline(crawler)  # type: ignore[arg-type]


@cache
def _located() -> tuple[Event, ...]:
    confs_source = Source(
        name="confs-tech",
        type="confs_tech",
        url="https://example.org/c",
        kind=Kind.CONFERENCE,
        sectors=("technology",),
        days_back=3650,
        days_ahead=3650,
    )
    cottbus_source = Source(
        name="fablab-cottbus",
        type="ics",
        url="https://example.org/f.ics",
        days_back=3650,
        days_ahead=3650,
    )
    found: dict[str, Event] = {}
    confs = ConfsTechSpider(source=confs_source, now=NOW)
    locate, classify = stages(confs_source)
    for name in CONFS_FILES:
        topic = name.split("/")[1]
        for event in confs.parse(file_response(f"confs-tech/{name}.json"), topic=topic):
            if event.id not in found:
                found[event.id] = classify.process_item(locate.process_item(event))
    cottbus = IcsSpider(source=cottbus_source, now=NOW)
    locate, classify = stages(cottbus_source)
    for event in cottbus.parse(file_response("ics/icalcreator-fablab-cottbus-makerspace.ics")):
        found[event.id] = classify.process_item(locate.process_item(event))
    return tuple(found.values())


def located_events() -> list[Event]:
    """Real events, located and classified: a fresh copy each call.

    confs.tech gives city, region and country (located at the town's centre by
    the gazetteer); the Cottbus makerspace calendar gives iCalendar GEO
    coordinates for its own venue and only an address for events elsewhere.
    """
    return copy.deepcopy(list(_located()))


def page_events() -> list[Event]:
    """What the web pages are tested over: the located events and those a page must not trust."""
    return [*located_events(), script_event(), *odd_events()]


# The API's store: confs.tech and the FINOS community calendar as parsed


@cache
def real_events() -> tuple[Event, ...]:
    """confs.tech's 2026 python and general files and the FINOS calendar, parsed once.

    FINOS descriptions are HTML, turned to text as the normalize stage does.
    """
    confs = ConfsTechSpider(
        source=Source(name="confs-tech", type="confs_tech", url="https://example.org/c"), now=NOW
    )
    finos = IcsSpider(
        source=Source(name="finos", type="ics", url="https://example.org/f.ics", kind="meetup"),
        now=NOW,
    )
    events: dict[str, Event] = {}
    for topic in ("python", "general"):
        for event in confs.parse(file_response(f"confs-tech/2026/{topic}.json"), topic=topic):
            events.setdefault(event.id, event)
    for event in finos.parse(file_response("ics/google-finos-community-calendar-large.ics")):
        event.description = html_to_text(event.description)
        events[event.id] = event
    return tuple(events.values())


# The digest's store: the bundled confs.tech snapshot


def locate(event: Event) -> Event:
    """What the crawl's locate stage does, with the same offline gazetteer."""
    venue = event.venue
    place = get_gazetteer().resolve_parts(venue.city, venue.region, venue.country)
    if place is None:
        return event
    return event.with_changes(
        venue=Venue(
            name=venue.name,
            address=venue.address,
            city=venue.city,
            region=venue.region,
            country=venue.country,
            lat=place.lat,
            lon=place.lon,
        ),
        timezone=event.timezone or place.timezone,
    )


@cache
def bundled_events() -> tuple[Event, ...]:
    """The bundled confs.tech snapshot's 2026 conferences, with sources.toml's defaults, located."""
    spider = ConfsTechSpider(
        source=Source(
            name="confs-tech",
            type="confs_tech",
            url="https://example.org/c",
            kind="conference",
            sectors=["technology"],
        ),
        now=NOW,
    )
    events: dict[str, Event] = {}
    for path in sorted(SNAPSHOT.glob("*.json")):
        response = TextResponse(
            url=path.as_uri(),
            body=path.read_bytes(),
            request=Request(path.as_uri()),
            encoding="utf-8",
        )
        for event in spider.parse(response, topic=path.stem):
            event.sectors = event.sectors or ["technology"]
            events.setdefault(event.id, locate(event))
    return tuple(events.values())
