"""The normalize pipeline: clean text, sane times, the crawl window."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from scrapy.exceptions import DropItem

from crawlers.pipelines.normalize import NormalizePipeline, clean_line, html_to_text
from crawlers.report import SourceReport
from service.model import Venue
from tests.factories import NOW, make_event


def make_pipeline() -> NormalizePipeline:
    spider = SimpleNamespace(
        report=SourceReport(source="t", type="ics"),
        window_start=NOW - timedelta(days=7),
        window_end=NOW + timedelta(days=365),
    )
    return NormalizePipeline(SimpleNamespace(spider=spider))  # type: ignore[arg-type]


def test_normalize_collapses_title_whitespace() -> None:
    item = make_pipeline().process_item(make_event(title="  Women in  Tech\n meetup "))
    assert item.title == "Women in Tech meetup"


def test_normalize_strips_html_from_description() -> None:
    html = (
        '<ul><li><b>Meeting link:</b> <a href="https://x.example">join</a></li>'
        "<li>Fish &amp; chips&nbsp;after</li></ul><script>alert(1)</script><p>Bye</p>"
    )
    item = make_pipeline().process_item(make_event(description=html))
    assert item.description == "Meeting link: join\nFish & chips after\nBye"


def test_normalize_decodes_entities_in_title() -> None:
    item = make_pipeline().process_item(make_event(title="DevOps &amp; Cloud"))
    assert item.title == "DevOps & Cloud"


def test_normalize_cleans_venue_fields() -> None:
    item = make_pipeline().process_item(make_event(venue=Venue(name=" The\tHall\x07 ")))
    assert item.venue.name == "The Hall"


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"title": "  <b></b> "}, "missing_title"),
        ({"end": NOW}, "end_before_start"),
        ({"start": NOW - timedelta(days=30)}, "outside_window"),
        ({"start": NOW + timedelta(days=400)}, "outside_window"),
    ],
)
def test_normalize_drops_and_counts(changes: dict[str, object], reason: str) -> None:
    pipeline = make_pipeline()
    with pytest.raises(DropItem, match=reason):
        pipeline.process_item(make_event(**changes))
    assert pipeline.report.dropped == {reason: 1}


def test_normalize_forgets_unknown_zone() -> None:
    item = make_pipeline().process_item(make_event(timezone="Mars/Olympus_Mons"))
    assert item.timezone is None


def test_text_helpers_handle_none_and_control_characters() -> None:
    assert clean_line(None) is None
    assert html_to_text(None) is None
    assert clean_line("a\x00b") == "a b"
    assert html_to_text("x" * 50_000) == "x" * 20_000


def test_normalize_strips_lone_surrogates_everywhere() -> None:
    item = make_pipeline().process_item(
        make_event(
            title="Meetup \ud83d here",
            description="Pizza \udc00",
            url="https://x.example/\ud800a",
            details={"cfp_url": "https://cfp.example/\udfff"},
            performer="A\ud83dB",
        )
    )
    for text in (item.title, item.description, item.url, item.details["cfp_url"], item.performer):
        assert text is not None
        text.encode("utf-8")  # would raise on a lone surrogate
    assert item.title == "Meetup here"
