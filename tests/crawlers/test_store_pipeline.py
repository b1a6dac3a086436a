"""The store pipeline: merges repeats, folds other sources' twins, writes at the end."""

from __future__ import annotations

import contextlib
from datetime import timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from scrapy.exceptions import DropItem

from crawlers.pipelines import classify as classify_pipeline
from crawlers.pipelines.classify import ClassifyPipeline
from crawlers.pipelines.store import StorePipeline
from crawlers.report import SourceReport
from service.model import Event, Venue, make_event_id
from service.search.rank import reasons
from service.settings import Settings
from service.store import EventQuery, EventStore
from tests.factories import NOW, make_event


def pipeline(settings: Settings, source: str, *, hold: bool = False) -> StorePipeline:
    spider = SimpleNamespace(
        source=SimpleNamespace(name=source, hold=hold),
        report=SourceReport(source=source, type="ics"),
        now=NOW,
        window_start=NOW - timedelta(days=7),
        window_end=NOW + timedelta(days=365),
    )
    crawler = SimpleNamespace(
        spider=spider, settings={"MEETSCOUT_DATABASE_URL": settings.database_url}
    )
    return StorePipeline(crawler)  # type: ignore[arg-type]


def make(source: str, uid: str, **changes: object) -> Event:
    """Event ``uid`` of ``source``: the same Toronto mixer, whichever source lists it."""
    mixer: dict[str, object] = {
        "title": "Healthcare Innovation Mixer",
        "start": NOW + timedelta(days=5, hours=18),
        "venue": Venue(city="Toronto"),
    }
    return make_event(uid, source=source, **(mixer | changes))


def crawl(settings: Settings, source: str, events: list[Event]) -> SourceReport:
    stage = pipeline(settings, source)
    for event in events:
        with contextlib.suppress(DropItem):
            stage.process_item(event)
    stage.close_spider()
    return stage.report


def test_store_merges_repeats_within_a_source(settings: Settings, store: EventStore) -> None:
    report = crawl(
        settings, "a", [make("a", "1", categories=["x"]), make("a", "1", categories=["y"])]
    )
    assert report.dropped == {"duplicate_in_source": 1}
    [stored] = store.search(query=EventQuery())
    assert stored.categories == ["x", "y"]


def test_store_folds_other_sources_twin(settings: Settings, store: EventStore) -> None:
    crawl(settings, "a", [make("a", "1")])
    report = crawl(
        settings,
        "b",
        [
            make(
                "b",
                "9",
                title="Healthcare Innovation Mixer!",
                organizer="Toronto Health Network",
                description="Meet clinicians and founders.",
            )
        ],
    )
    assert report.merged_into_other_sources == 1
    [stored] = store.search(query=EventQuery())
    assert stored.id == make_event_id("a", "1")
    assert stored.sources == ["a", "b"]
    assert stored.organizer == "Toronto Health Network"
    assert stored.title == "Healthcare Innovation Mixer"


def test_store_recrawl_of_owner_keeps_other_sources_details(
    settings: Settings, store: EventStore
) -> None:
    crawl(settings, "a", [make("a", "1")])
    crawl(settings, "b", [make("b", "9", organizer="Toronto Health Network")])
    crawl(settings, "a", [make("a", "1", description="Now with a speaker list.")])
    [stored] = store.search(query=EventQuery())
    assert stored.sources == ["a", "b"]
    assert stored.organizer == "Toronto Health Network"
    assert stored.description == "Now with a speaker list."


def test_store_keeps_distinct_events_apart(settings: Settings, store: EventStore) -> None:
    crawl(settings, "a", [make("a", "1")])
    crawl(settings, "b", [make("b", "9", venue=Venue(city="Vancouver"))])
    assert len(store.search(query=EventQuery())) == 2


def test_store_empty_crawl_writes_nothing(settings: Settings, store: EventStore) -> None:
    report = crawl(settings, "a", [])
    assert report.stored == 0
    assert store.search(query=EventQuery()) == []


def test_store_merges_repeats_in_page_order_whatever_their_arrival(
    settings: Settings, store: EventStore
) -> None:
    # confs.tech lists a conference in each topic's file; the files arrive in any order.
    pages = [
        make("a", "1", categories=[topic], source_url=f"https://example.org/2026/{topic}.json")
        for topic in ("opensource", "networking", "general")
    ]
    crawl(settings, "a", pages)
    [first] = store.search(query=EventQuery())
    crawl(settings, "a", list(reversed(pages)))
    [second] = store.search(query=EventQuery())

    assert first.categories == ["general", "networking", "opensource"]
    assert second.categories == first.categories
    assert second.sequence == first.sequence


def test_store_twin_in_a_zone_keeps_its_sequence_over_recrawls(
    settings: Settings, store: EventStore
) -> None:
    # Two sources list the same evening in Toronto time; the store reads it back in UTC.
    zone = ZoneInfo("America/Toronto")
    start = (NOW + timedelta(days=5, hours=18)).astimezone(zone)
    owner = [make("a", "1", start=start, timezone="America/Toronto")]
    other = [make("b", "9", start=start, timezone="America/Toronto", description="More words.")]
    crawl(settings, "a", owner)
    crawl(settings, "b", other)
    [before] = store.search(query=EventQuery())
    for _ in range(2):
        crawl(settings, "a", owner)
        crawl(settings, "b", other)
    [after] = store.search(query=EventQuery())

    assert after.sources == ["a", "b"]
    assert after.sequence == before.sequence


def test_a_sources_field_is_lent_to_its_events_that_name_none(
    settings: Settings, store: EventStore
) -> None:
    """A bar association's calendar: its holiday party names no field, the calendar does."""
    titles = [
        "Family Law Section Luncheon",
        "Young Lawyers Division Mixer",
        "Estate Planning Law Update",
        "Holiday Party at the Bar Center",
    ]
    events = [make("bar", str(n), title=title) for n, title in enumerate(titles)]
    for event in events:
        ClassifyPipeline.classify(event, SimpleNamespace(kind=None, sectors=()))
    assert events[-1].sectors == []

    crawl(settings, "bar", events)

    [party] = store.search(query=EventQuery(ids=[events[-1].id]))
    assert party.sectors == ["legal"]
    assert party.sector_evidence == {"legal": ["this source's field"]}
    assert "Legal: this source's field" in reasons(party, distance_km=None, now=NOW, near=False)


def test_a_failure_to_lend_the_sources_field_costs_no_event(
    settings: Settings, store: EventStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args: object, **_kwargs: object) -> dict[str, int]:
        raise ValueError("no field today")

    monkeypatch.setattr(classify_pipeline, "lend", broken)

    report = crawl(settings, "bar", [make("bar", "1"), make("bar", "2")])

    assert len(store.search(query=EventQuery())) == 2
    assert report.errors == {"classify_failed": 1}
    assert report.last_error == "lending: no field today"
