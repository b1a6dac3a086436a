"""The locate stage: coordinates and time zones from the source, the gazetteer or Nominatim."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from crawlers.pipelines.locate import LocatePipeline
from crawlers.report import SourceReport
from crawlers.sources import Source
from crawlers.spiders.jsonld import JsonLdSpider
from service.model import Attendance, Event, Venue, all_day_start
from service.places.geocode import NominatimGeocoder, locate_offline
from tests.factories import make_event
from tests.support.geocoding import FakeGeocoder, nominatim, tinyville
from tests.support.saved import file_response


def make_pipeline(**kwargs: Any) -> LocatePipeline:
    spider = SimpleNamespace(report=SourceReport(source="t", type="ics"))
    pipeline = LocatePipeline(SimpleNamespace(spider=spider, settings={}), **kwargs)  # type: ignore[arg-type]
    pipeline.offload = lambda work: work()
    return pipeline


def locate(venue: Venue, **changes: object) -> Event:
    """An event at ``venue`` (no zone unless given) through a fresh locate stage."""
    return make_pipeline().process_item(make_event(venue=venue, **changes))  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("venue", "region", "timezone", "lat"),
    [
        (Venue(city="Portland", region="OR", country="U.S.A."), "OR", "America/Los_Angeles", 45.5),
        (Venue(city="Portland", region="ME", country="USA"), "ME", "America/New_York", 43.7),
        (Venue(city="Portland", region="Maine"), "Maine", "America/New_York", 43.7),
        (Venue(city="London", region="ON", country="Canada"), "ON", "America/Toronto", 43.0),
        (Venue(city="London", country="U.K."), "England", "Europe/London", 51.5),
        (Venue(city="London"), "England", "Europe/London", 51.5),
    ],
)
def test_locate_disambiguates_homonyms_by_region_and_country(
    venue: Venue, region: str, timezone: str, lat: float
) -> None:
    item = locate(venue)

    assert item.venue.lat == pytest.approx(lat, abs=0.2)
    assert item.venue.region == region
    assert item.timezone == timezone
    assert item.details["located_by"] == "gazetteer"


def test_locate_fills_country_and_region_the_source_left_empty() -> None:
    item = locate(Venue(city="Toronto"))

    assert (item.venue.city, item.venue.region, item.venue.country) == (
        "Toronto",
        "Ontario",
        "Canada",
    )


def test_locate_keeps_what_the_source_said() -> None:
    item = locate(Venue(city="Portland", region="OR", country="U.S.A."))

    assert (item.venue.city, item.venue.region, item.venue.country) == ("Portland", "OR", "U.S.A.")


def test_locate_coordinates_from_source_win() -> None:
    cottbus = Venue(name="FabLab Cottbus", city="Toronto", lat=51.76882, lon=14.32321)

    item = locate(cottbus)

    assert (item.venue.lat, item.venue.lon) == (51.76882, 14.32321)
    assert item.venue.city == "Toronto"
    assert item.timezone == "Europe/Berlin"
    assert "located_by" not in item.details


def test_locate_source_time_zone_is_kept() -> None:
    item = locate(Venue(city="Berlin"), timezone="Europe/Paris")

    assert item.timezone == "Europe/Paris"


def test_locate_fills_time_zone_of_timed_event_without_moving_it() -> None:
    start = datetime(2026, 12, 9, 17, 0, tzinfo=UTC)

    item = locate(Venue(city="Berlin", country="Germany"), start=start)

    assert item.timezone == "Europe/Berlin"
    assert item.start == start


def test_locate_reanchors_all_day_event_to_local_midnight() -> None:
    # confs.tech: 9-10 December, no zone, so UTC midnights.
    start = all_day_start(date(2026, 12, 9), None)
    end = all_day_start(date(2026, 12, 11), None)

    item = locate(Venue(city="Berlin", country="Germany"), start=start, end=end, all_day=True)

    berlin = ZoneInfo("Europe/Berlin")
    assert item.timezone == "Europe/Berlin"
    assert item.start == datetime(2026, 12, 9, tzinfo=berlin)
    assert item.end == datetime(2026, 12, 11, tzinfo=berlin)
    assert item.local_start().date().isoformat() == "2026-12-09"
    assert item.start.astimezone(UTC) == datetime(2026, 12, 8, 23, 0, tzinfo=UTC)


def test_locate_reanchors_all_day_event_west_of_greenwich() -> None:
    start = all_day_start(date(2027, 3, 14), None)

    item = locate(Venue(city="Portland", region="OR"), start=start, end=None, all_day=True)

    assert item.start == datetime(2027, 3, 14, tzinfo=ZoneInfo("America/Los_Angeles"))
    assert item.end is None


def test_locate_unlocatable_event_keeps_no_coordinates_and_is_counted() -> None:
    pipeline = make_pipeline()

    for venue in (Venue(city="Atlantis", country="Greece"), Venue(), Venue(name="The Annex")):
        item = pipeline.process_item(make_event(venue=venue))
        assert (item.venue.lat, item.venue.lon, item.timezone) == (None, None, None)

    assert pipeline.report.unlocated == 3


def test_locate_online_event_is_left_alone_and_not_counted() -> None:
    pipeline = make_pipeline()

    item = pipeline.process_item(
        make_event(venue=Venue(city="Toronto"), attendance=Attendance.ONLINE)
    )

    assert item.venue.lat is None
    assert pipeline.report.unlocated == 0


@pytest.mark.parametrize(
    "venue",
    [
        Venue(city="x" * 10_000, region="\x00", country="🙂"),
        Venue(address=", , ,;;@@ - - ", city=" "),
        Venue(address="9" * 5000),
        Venue(city="Portland", region="O" * 300, country="U.S.A." * 100),
    ],
)
def test_locate_never_raises_on_nonsense(venue: Venue) -> None:
    pipeline = make_pipeline()
    nonsense = make_event(venue=venue)

    # The stage swallows what its lookup raises (bad data must never stop a crawl),
    # so the lookup is asked on its own first: it must not raise either.
    found = locate_offline(nonsense.venue, pipeline.gazetteer)
    item = pipeline.process_item(nonsense)

    assert (item.venue.lat is None) is (found is None)
    assert pipeline.report.unlocated == (1 if found is None else 0)


def test_locate_asks_nominatim_when_the_gazetteer_cannot(tmp_path: Path) -> None:
    fake = FakeGeocoder({"12 Oak Lane, Tinyville, OR": tinyville()})
    pipeline = make_pipeline(geocoder=nominatim(tmp_path, fake))

    item = pipeline.process_item(make_event(venue=Venue(address="12 Oak Lane, Tinyville, OR")))

    assert (item.venue.lat, item.venue.lon) == (44.9429, -123.0351)
    assert item.venue.city == "Tinyville"
    assert item.timezone == "America/Los_Angeles"
    assert item.details["located_by"] == "nominatim"
    assert fake.calls[0][1]["addressdetails"] is True
    assert pipeline.report.unlocated == 0


def test_locate_gazetteer_first_nominatim_not_asked(tmp_path: Path) -> None:
    fake = FakeGeocoder({})
    pipeline = make_pipeline(geocoder=nominatim(tmp_path, fake))

    pipeline.process_item(make_event(venue=Venue(city="Toronto")))

    assert fake.calls == []


def test_locate_from_crawler_uses_nominatim_only_when_configured(tmp_path: Path) -> None:
    spider = SimpleNamespace(report=SourceReport(source="t", type="ics"))
    base = {"USER_AGENT": "meetscout-test", "MEETSCOUT_GEOCODER_CACHE": str(tmp_path / "g.db")}

    def crawler(**settings: str) -> Any:
        from scrapy.settings import Settings

        return SimpleNamespace(spider=spider, settings=Settings({**base, **settings}))

    assert LocatePipeline.from_crawler(crawler(MEETSCOUT_GEOCODER="none")).geocoder is None
    chosen = LocatePipeline.from_crawler(crawler(MEETSCOUT_GEOCODER="nominatim"))
    assert isinstance(chosen.geocoder, NominatimGeocoder)
    chosen.close_spider()


def test_locate_reads_a_floating_time_in_the_venues_zone() -> None:
    """8:30 with no zone was read as 8:30 UTC; at a Chicago venue it is 8:30 in Chicago."""
    item = locate(
        Venue(city="Chicago", region="IL", country="USA"),
        start=datetime(2019, 11, 20, 8, 30, tzinfo=UTC),
        end=datetime(2019, 11, 20, 10, 0, tzinfo=UTC),
        details={"floating_time": "no zone given; read as UTC"},
    )

    assert item.timezone == "America/Chicago"
    assert item.start == datetime(2019, 11, 20, 8, 30, tzinfo=ZoneInfo("America/Chicago"))
    assert item.end == datetime(2019, 11, 20, 10, 0, tzinfo=ZoneInfo("America/Chicago"))
    assert item.details["floating_time"] == "no zone given; read in the venue's zone"


def test_locate_growthzone_page_without_a_source_zone_is_local_time() -> None:
    """A saved GrowthZone chamber page (microdata, no zone in startDate) of a source that
    says where it is but not its zone: the meeting is at 8:30 in Chicago, not 8:30 UTC."""
    source = Source(
        name="chamber",
        type="jsonld",
        url="https://example.org/events",
        location={"city": "Chicago", "region": "IL", "country": "USA"},
    )
    spider = JsonLdSpider(source=source, now=datetime(2019, 11, 1, tzinfo=UTC))
    response = file_response("html/chamber-growthzone-event-microdata-only.html")
    [event] = [item for item in spider.parse(response) if isinstance(item, Event)]

    located = make_pipeline().process_item(event)

    assert located.start == datetime(2019, 11, 20, 8, 30, tzinfo=ZoneInfo("America/Chicago"))
    assert located.timezone == "America/Chicago"


def test_locate_moves_no_time_that_had_an_offset() -> None:
    start = datetime(2019, 11, 20, 8, 30, tzinfo=UTC)
    item = locate(Venue(city="Chicago", region="IL", country="USA"), start=start)
    assert item.start == start
