"""Every event names its host where the source says it: ORGANIZER, schema.org organizer,
a single-host calendar's own name, the source's default."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

from crawlers.pipelines.normalize import NormalizePipeline
from crawlers.report import SourceReport
from crawlers.sources import Source, SourcesError, load_sources
from crawlers.spiders.ics import IcsSpider
from crawlers.spiders.jsonld import JsonLdSpider
from service.settings import BUNDLE, SOURCES_FILE
from tests.factories import NOW, make_event
from tests.support.saved import file_response

MACHBAR = "ics/google-hackerspace-machbar-potsdam.ics"
FINOS = "ics/google-finos-community-calendar-large.ics"


def ics_events(fixture: str, **fields: object) -> list:
    source = Source(
        name="feed",
        type="ics",
        url="https://example.org/feed.ics",
        days_back=3650,
        days_ahead=3650,
        **fields,  # type: ignore[arg-type]
    )
    return list(IcsSpider(source=source, now=NOW).parse(file_response(fixture)))


def normalize(source: Source | None, item):  # type: ignore[no-untyped-def]
    spider = SimpleNamespace(
        report=SourceReport(source="t", type="ics"),
        window_start=NOW - timedelta(days=7),
        window_end=NOW + timedelta(days=365),
        source=source,
    )
    return NormalizePipeline(SimpleNamespace(spider=spider)).process_item(item)  # type: ignore[arg-type]


def test_schema_org_organizer_gives_name_and_website() -> None:
    source = Source(name="bookshop", type="jsonld", url="https://example.org/events", days_back=365)
    spider = JsonLdSpider(source=source, now=datetime(2025, 5, 1, tzinfo=UTC))
    output = spider.parse(file_response("html/eventbrite-organizer-queer-lit-bookshop.html"))
    events = [item for item in output if hasattr(item, "organizer")]
    assert events
    assert {event.organizer for event in events} == {"Queer Lit & Social Refuge"}
    assert {event.organizer_url for event in events} == {
        "https://www.eventbrite.co.uk/o/queer-lit-social-refuge-48062165483"
    }


def test_ics_organizer_that_is_only_an_address_names_no_one() -> None:
    events = ics_events(FINOS)
    assert events
    assert all(event.organizer is None for event in events)


def test_single_host_calendar_is_named_by_its_own_name() -> None:
    events = ics_events(MACHBAR, single_host=True)
    assert events
    assert {event.organizer for event in events} == {"machBar - Öffentlich"}


def test_calendar_name_is_no_host_unless_the_source_says_it_has_one() -> None:
    assert {event.organizer for event in ics_events(MACHBAR)} == {None}


def test_source_default_host_fills_events_that_name_none() -> None:
    source = Source(
        name="library",
        type="ics",
        url="https://example.org/feed.ics",
        host="Toronto Public Library",
        host_url="https://www.torontopubliclibrary.ca/",
    )
    item = normalize(source, make_event())
    assert item.organizer == "Toronto Public Library"
    assert item.organizer_url == "https://www.torontopubliclibrary.ca/"


def test_an_events_own_organizer_wins_over_the_source_default() -> None:
    source = Source(name="lib", type="ics", url="https://example.org/f.ics", host="Library")
    item = normalize(source, make_event(organizer="Friends of the Library"))
    assert item.organizer == "Friends of the Library"
    assert item.organizer_url is None


def test_source_default_website_completes_the_same_host() -> None:
    source = Source(
        name="lib",
        type="ics",
        url="https://example.org/f.ics",
        host="Library",
        host_url=("https://library.example.org/"),
    )
    item = normalize(source, make_event(organizer="Library"))
    assert item.organizer_url == "https://library.example.org/"


def test_sources_file_refuses_a_host_website_that_is_not_http(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "sources.toml"
    path.write_text(
        '[[source]]\nname = "a"\ntype = "ics"\nurl = "https://example.org/a.ics"\n'
        'host = "A"\nhost_url = "javascript:alert(1)"\n',
        encoding="utf-8",
    )
    with pytest.raises(SourcesError, match="host_url"):
        load_sources(path)


def test_bundled_sources_name_hosts() -> None:
    sources = load_sources(BUNDLE / SOURCES_FILE)
    named = [source for source in sources if source.host or source.single_host]
    assert len(named) >= 10
