"""The operator's word in real crawls: corrections survive a recrawl, paused sources wait,
holding sources keep their new events out of sight."""

from __future__ import annotations

from datetime import timedelta

from crawlers.sources import crawlable, load_sources
from service.model import Kind
from service.settings import Settings
from service.store import CurationStore, EventQuery, EventStore
from tests.support.crawling import FLASKCON, FLASKCON_NOW, crawl


def flaskcon_sources(settings: Settings, **fields: str) -> None:
    extra = "".join(f"{name} = {value}\n" for name, value in fields.items())
    settings.sources.write_text(
        f'[[source]]\nname = "flaskcon"\ntype = "ics"\nurl = "{FLASKCON.as_uri()}"\n{extra}'
    )


def test_crawl_correct_recrawl_the_correction_holds(settings: Settings, store: EventStore) -> None:
    flaskcon_sources(settings)
    crawl(settings, FLASKCON_NOW)
    first = store.search(query=EventQuery())[0]
    curation = CurationStore(store.engine)
    curation.correct(event_id=first.id, kind=Kind.WORKSHOP, sectors=["education"], now=FLASKCON_NOW)

    report = crawl(settings, FLASKCON_NOW + timedelta(hours=1))["flaskcon"]

    assert report["outcome"] == "ok"
    again = store.get(event_id=first.id)
    assert again is not None
    assert (again.kind, again.sectors) == (Kind.WORKSHOP, ["education"])


def test_a_holding_source_stores_its_events_out_of_sight(
    settings: Settings, store: EventStore
) -> None:
    flaskcon_sources(settings, hold="true")

    report = crawl(settings, FLASKCON_NOW)["flaskcon"]

    held = CurationStore(store.engine).held()
    assert report["found"] == len(held) == 6
    assert store.search(query=EventQuery()) == []


def test_a_paused_source_is_crawled_only_when_named(settings: Settings) -> None:
    settings.sources.write_text(
        f'[[source]]\nname = "a"\ntype = "ics"\nurl = "{FLASKCON.as_uri()}"\npaused = true\n'
        f'[[source]]\nname = "b"\ntype = "ics"\nurl = "{FLASKCON.as_uri()}"\n'
    )
    sources = load_sources(settings.sources)

    assert [source.name for source in crawlable(sources)] == ["b"]
    assert [source.name for source in crawlable(sources, named="a")] == ["a"]
