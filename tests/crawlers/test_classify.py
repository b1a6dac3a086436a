"""The classify stage: kind and sectors, each with the evidence that decided it."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from scrapy.http import Request, TextResponse

from crawlers.pipelines import classify as classify_module
from crawlers.pipelines.classify import ClassifyPipeline
from crawlers.report import SourceReport
from crawlers.sources import Source
from crawlers.spiders.ics import IcsSpider
from service.model import Kind
from tests.factories import NOW, make_event


def make_pipeline(kind: Kind | None = None, sectors: tuple[str, ...] = ()) -> ClassifyPipeline:
    spider = SimpleNamespace(
        report=SourceReport(source="t", type="jsonld"),
        source=SimpleNamespace(kind=kind, sectors=sectors),
    )
    return ClassifyPipeline(SimpleNamespace(spider=spider, settings={}))  # type: ignore[arg-type]


MIXER = "Healthcare Innovation Mixer"


def test_classify_kind_from_title_with_reason() -> None:
    item = make_pipeline().process_item(make_event(title=MIXER))

    assert item.kind is Kind.MEETUP
    assert item.kind_reason == 'title says "Mixer"'


def test_classify_sectors_from_title_with_evidence() -> None:
    item = make_pipeline().process_item(make_event(title=MIXER))

    assert item.sectors == ["healthcare"]
    assert item.sector_evidence == {"healthcare": ["health care"]}


def test_classify_kind_from_schema_type_in_details() -> None:
    item = make_pipeline().process_item(
        make_event(title="Annual gathering", details={"schema_type": "BusinessEvent"})
    )

    assert item.kind is Kind.MEETUP
    assert item.kind_reason == "schema.org type BusinessEvent"


def test_classify_falls_back_to_the_source_kind() -> None:
    item = make_pipeline(kind=Kind.CONFERENCE).process_item(make_event(title="Winter 2026"))

    assert item.kind is Kind.CONFERENCE
    assert item.kind_reason == "source default conference"


def test_classify_keeps_the_spiders_kind_when_nothing_else_speaks() -> None:
    item = make_pipeline().process_item(make_event(title="Winter 2026", kind=Kind.BOOK_SIGNING))

    assert item.kind is Kind.BOOK_SIGNING


def test_classify_keeps_source_sectors_and_adds_found_ones() -> None:
    item = make_pipeline(sectors=("finance",)).process_item(
        make_event(title="Nursing careers evening", description="Meet hospital recruiters.")
    )

    assert set(item.sectors) >= {"finance", "healthcare"}
    assert item.sector_evidence["finance"] == ["source default"]
    assert item.sector_evidence["healthcare"] == ["nursing", "hospital"]


def test_classify_reads_organizer_and_categories() -> None:
    item = make_pipeline().process_item(
        make_event(title="Spring evening", organizer="Ontario Bar Association", categories=["Law"])
    )

    assert "legal" in item.sectors


@pytest.mark.parametrize(
    "changes",
    [
        {"title": "x" * 100_000, "description": "é" * 200_000},
        {"title": "\x00\x01", "categories": [None, 5, b"bytes", "ok"]},
        {"title": "Meetup", "details": {"schema_type": "https://schema.org/" + "A" * 5000}},
        {"title": "Meetup", "organizer": "&amp;" * 10_000},
    ],
)
def test_classify_never_raises_on_nonsense(changes: dict[str, Any]) -> None:
    pipeline = make_pipeline()

    item = pipeline.process_item(make_event(**changes))

    assert isinstance(item.kind, Kind)
    assert not pipeline.report.errors


def test_classify_a_classifier_bug_costs_no_event(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(**_: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(classify_module, "classify_kind", broken)
    pipeline = make_pipeline()
    mixer = make_event(title=MIXER)

    assert pipeline.process_item(mixer) is mixer
    assert pipeline.report.errors == {"classify_failed": 1}


SCHOOL_FEED = b"""BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//test//EN\r
X-WR-CALNAME:Asheville High School\r
BEGIN:VEVENT\r
UID:jazz\r
DTSTART:20261203T220000Z\r
SUMMARY:Spring Jazz Night\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:chili\r
DTSTART:20261204T230000Z\r
SUMMARY:Chili Cook-off\r
END:VEVENT\r
END:VCALENDAR\r
"""


def test_a_calendars_own_name_lends_its_field_to_the_events() -> None:
    """A school's jazz night and cook-off are found by someone filtering for education."""
    source = Source(name="high-school", type="ics", url="https://example.org/school.ics")
    spider = IcsSpider(source=source, now=NOW)
    request = Request(source.url)
    response = TextResponse(url=source.url, body=SCHOOL_FEED, request=request)
    events = list(spider.parse(response))
    for event in events:
        ClassifyPipeline.classify(event, source)

    classify_module.lend_within_source(spider, events)

    assert spider.host_names == ["Asheville High School"]
    assert len(events) == 2
    assert all("education" in event.sectors for event in events)
    assert all(event.sector_evidence["education"] == ["Asheville High School"] for event in events)


def meetup_feed(title: str) -> bytes:
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Meetup//Meetup Calendar 1.0//EN\r\n"
        f"BEGIN:VEVENT\r\nUID:talk\r\nDTSTART:20261203T230000Z\r\nSUMMARY:{title}\r\n"
        "END:VEVENT\r\nEND:VCALENDAR\r\n"
    ).encode()


@pytest.mark.parametrize(
    ("title", "source_kind", "kind"),
    [
        ("Scaling Postgres with Citus", None, Kind.MEETUP),
        ("Hands-on Workshop: Terraform", None, Kind.WORKSHOP),
        ("Scaling Postgres with Citus", Kind.CONFERENCE, Kind.CONFERENCE),
    ],
)
def test_a_meetup_calendars_events_are_meetups_unless_their_text_says_otherwise(
    title: str, source_kind: Kind | None, kind: Kind
) -> None:
    source = Source(name="pg", type="ics", url="https://example.org/pg.ics", kind=source_kind)
    spider = IcsSpider(source=source, now=NOW)
    response = TextResponse(url=source.url, body=meetup_feed(title), request=Request(source.url))
    [event] = list(spider.parse(response))

    ClassifyPipeline.classify(event, source)

    assert event.kind is kind


def test_a_calendars_name_is_cleaned_before_it_becomes_a_reason() -> None:
    """The name is the feed's own text: entities decoded, tags and control characters gone."""
    source = Source(name="high-school", type="ics", url="https://example.org/school.ics")
    spider = IcsSpider(source=source, now=NOW)
    feed = SCHOOL_FEED.replace(
        b"Asheville High School", b"Asheville&#39;s <b>High School</b>\x1b[31m"
    )
    response = TextResponse(url=source.url, body=feed, request=Request(source.url))
    events = list(spider.parse(response))
    for event in events:
        ClassifyPipeline.classify(event, source)

    classify_module.lend_within_source(spider, events)

    assert all(
        event.sector_evidence["education"] == ["Asheville's High School [31m"] for event in events
    )
