"""Real events from saved sources, put through the locate and classify stages.

confs.tech gives city, region and country (located at the town's centre by
the gazetteer); the Cottbus makerspace calendar gives iCalendar GEO
coordinates for its own venue and only an address for events elsewhere.
"""

from __future__ import annotations

import copy
from functools import cache
from types import SimpleNamespace

from crawlers.pipelines.classify import ClassifyPipeline
from crawlers.pipelines.locate import LocatePipeline
from crawlers.report import SourceReport
from crawlers.sources import Source
from crawlers.spiders.confs_tech import ConfsTechSpider
from crawlers.spiders.ics import IcsSpider
from service.model import Event, Kind
from tests.conftest import NOW, file_response

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
    """A fresh copy each call: tests may change what they get."""
    return copy.deepcopy(list(_located()))
