"""The ``jsonld`` spider and its schema.org readers, on saved real pages with a frozen clock.

Each page gets its own ``now`` near its dates, so that the crawl window
(checked again by the normalize pipeline) keeps every event it lists.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo

import extruct
import pytest
from pydantic import ValidationError
from scrapy.http import HtmlResponse, Request, Response, TextResponse

from crawlers import schema_org
from crawlers.schema_org import BadDate
from crawlers.sources import Source
from crawlers.spiders.jsonld import JsonLdSpider
from service.model import Attendance, Event, Status, make_event_id
from tests.factories import NOW
from tests.support.saved import FIXTURES, file_response

HTML = FIXTURES / "html"
PAGINATION = HTML / "pagination"


@dataclass(frozen=True)
class Page:
    """A saved page, the day to crawl it on, and how many events it lists."""

    now: datetime
    count: int
    timezone: str | None = None
    days_back: int = 30
    days_ahead: int = 365


PAGES = {
    "eventbrite-organizer-queer-lit-bookshop.html": Page(
        datetime(2025, 5, 1, tzinfo=UTC), 24, "Europe/London", days_back=365
    ),
    "dice-fm-venue-page-music-events.html": Page(
        datetime(2022, 11, 1, tzinfo=UTC), 17, "Europe/London"
    ),
    "outsavvy-event-detail-malformed-startdate.html": Page(
        datetime(2025, 9, 1, tzinfo=UTC), 1, "Europe/London"
    ),
    "outsavvy-event-series-26-socialevents.html": Page(
        datetime(2024, 11, 1, tzinfo=UTC), 26, "Europe/London", days_back=400, days_ahead=420
    ),
    "chamber-growthzone-event-microdata-only.html": Page(
        datetime(2019, 11, 1, tzinfo=UTC), 1, "America/Chicago"
    ),
    "chamber-growthzone-event-microdata-only-2.html": Page(
        datetime(2019, 9, 1, tzinfo=UTC), 1, "America/Chicago"
    ),
    "wordpress-events-jsonld-and-microdata-broken.html": Page(
        datetime(2019, 9, 1, tzinfo=UTC), 9, "America/Chicago"
    ),
    "wordpress-listing-12-events-missing-locations.html": Page(
        datetime(2022, 6, 20, tzinfo=UTC), 12, "America/Detroit"
    ),
    "wordpress-yoast-graph-event-detail.html": Page(
        datetime(2024, 1, 25, tzinfo=UTC), 1, "America/New_York"
    ),
    "songkick-artist-gigography-49-events.html": Page(
        datetime(2015, 3, 1, tzinfo=UTC), 49, days_back=400
    ),
    "songkick-event-detail.html": Page(datetime(2015, 10, 1, tzinfo=UTC), 1, "America/New_York"),
}
# Pages without schema.org Event markup: zero events, counted, not an error.
EMPTY_PAGES = (
    "library-board-meeting-schedule-no-schema.html",
    "library-drupal7-event-detail-no-schema.html",
    "not-an-events-page-gfsc-studio.html",
    "squarespace-events-page-no-event-markup.html",
    "outsavvy-organiser-no-events.html",
    "upcoming-org-hcalendar-barcamp-portland.html",
    "upcoming-org-hcalendar-ignite-portland-5.html",
    "wordpress-events-manager-ajax-fragment.html",
)


def make_spider(
    name: str = "test-page",
    now: datetime = NOW,
    url: str = "https://example.org/events",
    **fields: Any,
) -> JsonLdSpider:
    source = Source(name=name, type="jsonld", url=url, **fields)
    return JsonLdSpider(source=source, now=now)


def split(output: list[Any]) -> tuple[list[Event], list[Request]]:
    events = [item for item in output if isinstance(item, Event)]
    requests = [item for item in output if isinstance(item, Request)]
    assert len(events) + len(requests) == len(output)
    return events, requests


def crawl(fixture: str, url: str | None = None) -> tuple[JsonLdSpider, list[Event]]:
    """Parse one saved page as its configured source would."""
    page = PAGES.get(fixture, Page(NOW, 0))
    spider = make_spider(
        now=page.now,
        timezone=page.timezone,
        days_back=page.days_back,
        days_ahead=page.days_ahead,
    )
    events, _ = split(list(spider.parse(file_response(f"html/{fixture}", url=url))))
    return spider, events


def html_response(body: bytes | str, url: str = "https://example.org/events", **kw: Any):
    data = body.encode("utf-8") if isinstance(body, str) else body
    return HtmlResponse(url=url, body=data, request=Request(url), encoding="utf-8", **kw)


def by_title(events: list[Event], title: str) -> Event:
    matches = [event for event in events if event.title == title]
    assert len(matches) == 1, [event.title for event in events]
    return matches[0]


@pytest.fixture(scope="module")
def parsed() -> dict[str, tuple[JsonLdSpider, list[Event]]]:
    return {fixture: crawl(fixture) for fixture in [*PAGES, *EMPTY_PAGES]}


# --- every page ---------------------------------------------------------------


@pytest.mark.parametrize("fixture", list(PAGES))
def test_parse_page_yields_its_events(parsed, fixture: str) -> None:
    _, events = parsed[fixture]
    assert len(events) == PAGES[fixture].count


@pytest.mark.parametrize("fixture", list(PAGES))
def test_parse_every_event_has_an_aware_start_and_a_title(parsed, fixture: str) -> None:
    _, events = parsed[fixture]
    assert all(event.start.utcoffset() is not None for event in events)
    assert all(event.end is None or event.end >= event.start for event in events)
    assert all(event.title and event.title == event.title.strip() for event in events)


@pytest.mark.parametrize("fixture", list(PAGES))
def test_parse_ids_are_unique_and_stable_across_parses(parsed, fixture: str) -> None:
    _, first = parsed[fixture]
    _, second = crawl(fixture)
    assert len({event.id for event in first}) == len(first)
    assert [event.id for event in first] == [event.id for event in second]


@pytest.mark.parametrize("fixture", list(PAGES))
def test_parse_events_fall_inside_the_pages_window(parsed, fixture: str) -> None:
    spider, events = parsed[fixture]
    assert all(spider.window_start <= event.effective_end for event in events)
    assert all(event.start <= spider.window_end for event in events)


@pytest.mark.parametrize("fixture", list(PAGES))
def test_parse_every_event_names_its_schema_type_and_page(parsed, fixture: str) -> None:
    _, events = parsed[fixture]
    assert all(event.details["schema_type"].endswith("Event") for event in events)
    assert all(event.source == "test-page" for event in events)
    assert all(event.source_url and event.source_url.startswith("file://") for event in events)


@pytest.mark.parametrize("fixture", list(PAGES))
def test_parse_page_with_events_is_ok(parsed, fixture: str) -> None:
    spider, _ = parsed[fixture]
    assert spider.report.outcome.value == "ok"
    assert spider.report.pages_without_events == 0
    assert spider.report.fetched == 1


@pytest.mark.parametrize("fixture", EMPTY_PAGES)
def test_parse_page_without_event_markup_is_counted_not_guessed(parsed, fixture: str) -> None:
    spider, events = parsed[fixture]
    assert events == []
    assert spider.report.pages_without_events == 1
    assert spider.report.outcome.value == "ok"


@pytest.mark.parametrize(
    "fixture",
    [
        "upcoming-org-hcalendar-barcamp-portland.html",
        "upcoming-org-hcalendar-ignite-portland-5.html",
    ],
)
def test_parse_hcalendar_microformats_are_not_read(parsed, fixture: str) -> None:
    """hCalendar (``vevent`` classes) is a microformat, not schema.org: deliberately unsupported."""
    assert b'class="vevent' in (HTML / fixture).read_bytes()
    spider, events = parsed[fixture]
    assert events == []
    assert spider.report.pages_without_events == 1


# --- agreement with extruct and with json.loads ------------------------------

RAW_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
RAW_TIME = re.compile(r"T(\d{1,2})[:-](?:\d{1,2}-)?(\d{2})")
NAME_KEYS = ("name", "http://schema.org/name", "https://schema.org/name")


def raw_event_nodes(value: Any) -> list[dict[str, Any]]:
    """Event nodes as a plain walk sees them: any @type ending in "Event", sessions excluded."""
    found: list[dict[str, Any]] = []

    def walk(item: Any) -> None:
        if isinstance(item, list):
            for each in item:
                walk(each)
        elif isinstance(item, dict):
            types = item.get("@type")
            names = types if isinstance(types, list) else [types]
            if any(isinstance(t, str) and t.endswith("Event") for t in names):
                found.append(item)
                return
            for each in item.values():
                walk(each)

    walk(value)
    return found


def raw_signature(node: dict[str, Any]) -> tuple[str, tuple[int, ...], tuple[int, ...] | None]:
    """Title, day and (if given) hour and minute, read from the raw strings."""
    name = next(node[key] for key in NAME_KEYS if key in node)
    while isinstance(name, list):
        name = name[0]
    if isinstance(name, dict):
        name = name.get("@value", "")
    start = node.get("startDate", "")
    while isinstance(start, list):
        start = start[0]
    day = RAW_DATE.search(start)
    clock = RAW_TIME.search(start)
    assert day, start
    return (
        " ".join(str(name).split()),
        tuple(int(part) for part in day.groups()),
        tuple(int(part) for part in clock.groups()) if clock else None,
    )


def event_matches(event: Event, signature: tuple[str, tuple[int, ...], tuple[int, ...] | None]):
    title, day, clock = signature
    local = event.start if event.timezone is None else event.local_start()
    if event.title != title or (local.year, local.month, local.day) != day:
        return False
    return clock is None or (local.hour, local.minute) == clock


def json_loads_nodes(body: bytes) -> list[dict[str, Any]]:
    """Every JSON-LD script read with plain json.loads; the ones it rejects are skipped."""
    nodes: list[Any] = []
    for script in re.findall(
        rb"<script[^>]*application/ld\+json[^>]*>(.*?)</script>", body, flags=re.S | re.I
    ):
        try:
            nodes.append(json.loads(script.decode("utf-8"), strict=False))
        except ValueError:
            continue
    return raw_event_nodes(nodes)


@pytest.mark.parametrize("fixture", [*PAGES, *EMPTY_PAGES])
def test_parse_agrees_with_extruct_and_json_loads(parsed, fixture: str) -> None:
    body = (HTML / fixture).read_bytes()
    data = extruct.extract(
        body,
        base_url=(HTML / fixture).as_uri(),
        syntaxes=["json-ld", "microdata", "rdfa"],
        uniform=True,
        errors="log",
    )
    extruct_nodes = raw_event_nodes(list(data.values()))
    loads_nodes = json_loads_nodes(body)
    _, events = parsed[fixture]
    for nodes in (extruct_nodes, loads_nodes):
        matched = [n for n in nodes if any(event_matches(e, raw_signature(n)) for e in events)]
        assert len(matched) >= 0.98 * len(nodes)
    every_node = [raw_signature(n) for n in extruct_nodes + loads_nodes]
    assert all(any(event_matches(e, sig) for sig in every_node) for e in events)


# --- Eventbrite organizer page (bookshop) ------------------------------------


@pytest.fixture(scope="module")
def bookshop(parsed) -> list[Event]:
    return parsed["eventbrite-organizer-queer-lit-bookshop.html"][1]


def test_parse_eventbrite_item_list_wrapping_events(bookshop) -> None:
    assert {event.details["schema_type"] for event in bookshop} == {"Event"}
    assert len(bookshop) == 24


def test_parse_eventbrite_offset_without_colon(bookshop) -> None:
    talk = by_title(bookshop, "Intersex Liberation - In Conversation with Juliana Gleeson")
    assert talk.start == datetime(2025, 6, 3, 18, 0, tzinfo=UTC)


def test_parse_eventbrite_offset_matching_source_zone_takes_the_zone(bookshop) -> None:
    talk = by_title(bookshop, "Intersex Liberation - In Conversation with Juliana Gleeson")
    assert talk.timezone == "Europe/London"
    assert talk.local_start().strftime("%H:%M") == "19:00"


def test_parse_eventbrite_aggregate_offer_low_price(bookshop) -> None:
    talk = by_title(bookshop, "Intersex Liberation - In Conversation with Juliana Gleeson")
    assert talk.price == 6.13
    assert talk.currency == "GBP"
    assert talk.is_free is False


def test_parse_eventbrite_zero_price_is_free(bookshop) -> None:
    club = by_title(bookshop, "Queer Lit Book Club: June")
    assert club.price == 0
    assert club.is_free is True


def test_parse_eventbrite_event_without_offers_has_unknown_price(bookshop) -> None:
    poetry = by_title(bookshop, "Queer Poetry Upfront")
    assert poetry.price is None
    assert poetry.is_free is None


def test_parse_eventbrite_postal_address(bookshop) -> None:
    venue = by_title(bookshop, "Woolly Club").venue
    assert venue.name == "Social Refuge"
    assert venue.address == "27 Great Ancoats Street, M4 5AJ"
    assert venue.city == "Ancoats"
    assert venue.region == "England"
    assert venue.country == "GB"


def test_parse_eventbrite_geo_given_as_strings(bookshop) -> None:
    venue = by_title(bookshop, "Woolly Club").venue
    assert (venue.lat, venue.lon) == (53.48422, -2.2314114)


def test_parse_eventbrite_organizer_and_url(bookshop) -> None:
    club = by_title(bookshop, "Woolly Club")
    assert club.organizer == "Queer Lit & Social Refuge"
    assert club.url == "https://www.eventbrite.co.uk/e/woolly-club-tickets-1034767436257"
    assert club.attendance is Attendance.IN_PERSON


def test_parse_eventbrite_id_from_url_and_start(bookshop) -> None:
    club = by_title(bookshop, "Woolly Club")
    expected = make_event_id(
        "test-page",
        "https://www.eventbrite.co.uk/e/woolly-club-tickets-1034767436257",
        "2024-10-13T10:00:00+00:00",
    )
    assert club.id == expected


# --- DICE venue page: a Place holding its events -----------------------------


@pytest.fixture(scope="module")
def dice(parsed) -> list[Event]:
    return parsed["dice-fm-venue-page-music-events.html"][1]


def test_parse_dice_place_event_array(dice) -> None:
    assert len(dice) == 17
    assert {event.details["schema_type"] for event in dice} == {"MusicEvent"}


def test_parse_dice_rescheduled_stays_scheduled_with_a_note(dice) -> None:
    molly = by_title(dice, "Molly Payton")
    assert molly.status is Status.SCHEDULED
    assert molly.details["status_note"] == "rescheduled"


def test_parse_dice_plain_address_string_and_geo_numbers(dice) -> None:
    venue = by_title(dice, "Kai Bosch").venue
    assert venue.name == "Folklore Hoxton"
    assert venue.address == "186 Hackney Rd, London E2 7QL, UK"
    assert venue.lat == pytest.approx(51.5306515)


def test_parse_dice_empty_offers_list_is_unknown_price(dice) -> None:
    assert {event.is_free for event in dice} == {None}


def test_parse_dice_organizer_object(dice) -> None:
    assert by_title(dice, "Kai Bosch").organizer == "Parallel Lines"


# --- OutSavvy: malformed dates ------------------------------------------------


def test_parse_outsavvy_doubled_seconds_repaired(parsed) -> None:
    (event,) = parsed["outsavvy-event-detail-malformed-startdate.html"][1]
    assert event.start == datetime(2025, 9, 27, 11, 30, tzinfo=UTC)
    assert event.end == datetime(2025, 9, 27, 13, 30, tzinfo=UTC)


def test_parse_outsavvy_low_price_and_workshop_type(parsed) -> None:
    (event,) = parsed["outsavvy-event-detail-malformed-startdate.html"][1]
    assert event.price == 15
    assert event.is_free is False
    assert event.venue.city == "London"


def test_parse_outsavvy_series_occurrences_share_a_url_not_an_id(parsed) -> None:
    _, events = parsed["outsavvy-event-series-26-socialevents.html"]
    assert {event.url for event in events} == {
        "https://www.outsavvy.com/event/16424/monthly-mix-mingle"
    }
    assert len({event.id for event in events}) == 26


def test_parse_outsavvy_series_across_bst_and_gmt(parsed) -> None:
    _, events = parsed["outsavvy-event-series-26-socialevents.html"]
    october, november = events[0], events[1]
    assert october.start.utcoffset() == timedelta(hours=1)
    assert november.start.utcoffset() == timedelta(0)
    assert {event.timezone for event in events} == {"Europe/London"}


def test_parse_outsavvy_organiser_page_without_events_is_not_an_error(parsed) -> None:
    spider, events = parsed["outsavvy-organiser-no-events.html"]
    assert events == []
    assert spider.report.errors == {}


# --- GrowthZone chamber pages: microdata only, naive times -------------------


def test_parse_chamber_microdata_only(parsed) -> None:
    (event,) = parsed["chamber-growthzone-event-microdata-only.html"][1]
    assert event.title == "Howard Street SSA #19 Commissioners Meeting"
    assert event.details["syntax"] == "microdata"


def test_parse_chamber_naive_time_takes_the_source_zone(parsed) -> None:
    (event,) = parsed["chamber-growthzone-event-microdata-only.html"][1]
    assert event.timezone == "America/Chicago"
    assert event.start == datetime(2019, 11, 20, 8, 30, tzinfo=ZoneInfo("America/Chicago"))
    assert "floating_time" not in event.details


def test_parse_chamber_naive_time_without_zone_is_utc_and_marked() -> None:
    spider = make_spider(now=datetime(2019, 11, 1, tzinfo=UTC))
    response = file_response("html/chamber-growthzone-event-microdata-only.html")
    (event,) = split(list(spider.parse(response)))[0]
    assert event.timezone is None
    assert event.start == datetime(2019, 11, 20, 8, 30, tzinfo=UTC)
    assert "floating_time" in event.details


def test_parse_chamber_place_name_with_address_on_its_next_line(parsed) -> None:
    (event,) = parsed["chamber-growthzone-event-microdata-only.html"][1]
    assert event.venue.name == "The Factory Theater"
    assert event.venue.address == "1623 W. Howard St."


def test_parse_chamber_second_page_of_the_same_template(parsed) -> None:
    (event,) = parsed["chamber-growthzone-event-microdata-only-2.html"][1]
    assert event.title == "Devon Avenues SSA #43 Commissioners Meeting"
    assert event.local_start().strftime("%Y-%m-%d %H:%M") == "2019-09-16 14:30"


def test_parse_chamber_empty_jsonld_script_is_not_counted_as_invalid(parsed) -> None:
    spider, _ = parsed["chamber-growthzone-event-microdata-only.html"]
    assert spider.report.dropped["invalid_jsonld"] == 0


# --- WordPress page with JSON-LD and microdata for the same events -----------


@pytest.fixture(scope="module")
def landbank(parsed) -> tuple[JsonLdSpider, list[Event]]:
    return parsed["wordpress-events-jsonld-and-microdata-broken.html"]


def test_parse_wordpress_doubled_hour_repaired(landbank) -> None:
    _, events = landbank
    finance = [e for e in events if e.title == "CCLBA Finance Committee Meeting"]
    assert finance[0].local_start().strftime("%Y-%m-%d %H:%M") == "2019-09-20 08:30"


def test_parse_wordpress_both_syntaxes_make_one_event(landbank) -> None:
    spider, events = landbank
    assert len(events) == 9
    assert spider.report.found == 18
    assert spider.report.dropped["duplicate_in_page"] == 9


def test_parse_wordpress_merged_event_takes_the_microdata_url_for_its_id(landbank) -> None:
    _, events = landbank
    first = next(e for e in events if e.title == "CCLBA Data & Marketing Committee")
    url = "http://www.cookcountylandbank.org/events/cclba-data-marketing-committee-20190918/"
    assert first.url == url
    assert first.id == make_event_id("test-page", url, "2019-09-18T15:00:00+00:00")


def test_parse_wordpress_trailing_comma_scripts_still_read(landbank) -> None:
    spider, events = landbank
    land = [e for e in events if e.title == "CCLBA Land Transactions Committee"]
    assert len(land) == 3
    assert {e.details["syntax"] for e in land} == {"json-ld"}
    assert spider.report.dropped["invalid_jsonld"] == 0


# --- WordPress listing (The Events Calendar) with @graph ---------------------


@pytest.fixture(scope="module")
def degc(parsed) -> list[Event]:
    return parsed["wordpress-listing-12-events-missing-locations.html"][1]


def test_parse_degc_events_beside_a_graph(degc) -> None:
    assert len(degc) == 12


def test_parse_degc_placeholder_performer_is_dropped(degc) -> None:
    assert {event.performer for event in degc} == {None}


def test_parse_degc_missing_location_is_an_empty_venue(degc) -> None:
    empty = [event for event in degc if event.venue.is_empty()]
    assert len(empty) == 11


def test_parse_degc_person_organizer(degc) -> None:
    (zoom,) = [event for event in degc if event.venue.name == "Zoom"]
    assert zoom.organizer == "Cora Capler"


def test_parse_degc_entities_are_left_for_normalize(degc) -> None:
    assert any(event.title == "DDA Regular Board Meeting&#8211;CANCELLED" for event in degc)


def test_parse_degc_offset_matching_source_zone(degc) -> None:
    ndc = by_title(degc, "NDC Regular Meeting")
    assert ndc.timezone == "America/Detroit"
    assert ndc.start == datetime(2022, 6, 28, 12, 45, tzinfo=UTC)


def test_parse_degc_offset_disagreeing_with_source_zone_keeps_instant_only(degc) -> None:
    board = next(e for e in degc if e.title == "EDC Regular Board Meeting")
    assert board.timezone is None
    assert board.start.utcoffset() == timedelta(0)


def test_parse_degc_real_next_link_is_followed() -> None:
    spider = make_spider(now=datetime(2022, 6, 20, tzinfo=UTC))
    response = file_response(
        "html/wordpress-listing-12-events-missing-locations.html",
        url="https://www.degc.org/public-authorities/",
    )
    _, requests = split(list(spider.parse(response)))
    assert [r.url for r in requests] == [
        "https://www.degc.org/events/month/2022-08/?shortcode=588d7eac"
    ]


# --- Yoast graph detail page: a date alone -----------------------------------


def test_parse_yoast_date_only_is_all_day(parsed) -> None:
    (event,) = parsed["wordpress-yoast-graph-event-detail.html"][1]
    assert event.all_day is True
    assert event.start == datetime(2024, 2, 1, tzinfo=ZoneInfo("America/New_York"))


def test_parse_yoast_all_day_end_is_exclusive(parsed) -> None:
    (event,) = parsed["wordpress-yoast-graph-event-detail.html"][1]
    assert event.end == datetime(2024, 2, 2, tzinfo=ZoneInfo("America/New_York"))


def test_parse_yoast_empty_strings_are_absent(parsed) -> None:
    (event,) = parsed["wordpress-yoast-graph-event-detail.html"][1]
    assert event.performer is None
    assert event.price is None
    assert event.organizer == "Cleveland Community Police Commission"


# --- Songkick ------------------------------------------------------------------


@pytest.fixture(scope="module")
def gigs(parsed) -> list[Event]:
    return parsed["songkick-artist-gigography-49-events.html"][1]


def test_parse_songkick_one_script_per_event(gigs) -> None:
    assert len(gigs) == 49


def test_parse_songkick_festival_date_only_spans_its_days(gigs) -> None:
    festival = by_title(gigs, "BBC Radio 6 Music Festival 2015")
    assert festival.all_day is True
    assert festival.end - festival.start == timedelta(days=3)


def test_parse_songkick_performers_joined(gigs) -> None:
    gaswerk = next(e for e in gigs if e.venue.name == "Gaswerk Kulturzentrum")
    assert gaswerk.performer == "Maxïmo Park, His Clancyness"


def test_parse_songkick_tracking_parameters_left_out_of_url(gigs) -> None:
    assert all("utm_" not in (event.url or "") for event in gigs)


def test_parse_songkick_same_festival_listed_twice_stays_two_events(gigs) -> None:
    standon = [e for e in gigs if e.title == "Standon Calling 2014"]
    assert len({e.url for e in standon}) == 2


def test_parse_songkick_rel_next_on_a_web_source() -> None:
    spider = make_spider(url="https://www.songkick.com/artists/419040-maximo-park/gigography")
    response = file_response(
        "html/songkick-artist-gigography-49-events.html",
        url="https://www.songkick.com/artists/419040-maximo-park/gigography",
    )
    _, requests = split(list(spider.parse(response)))
    assert [r.url for r in requests] == [
        "https://www.songkick.com/artists/419040-maximo-park/gigography?page=2"
    ]


def test_parse_songkick_detail_without_end(parsed) -> None:
    (event,) = parsed["songkick-event-detail.html"][1]
    assert event.end is None
    assert event.performer == "Elysian Fields"
    assert event.local_start().strftime("%H:%M %z") == "19:30 -0400"


# --- bad input ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "headers", "reason"),
    [
        (b"", {}, "empty response"),
        (b"  \r\n\t ", {}, "empty response"),
        (b'{"@type": "Event", "name": "x"}', {}, "JSON"),
        (b"[1, 2, 3]", {}, "JSON"),
        (b"<html></html>", {"Content-Type": "application/json"}, "not HTML"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", {}, "binary"),
        (b"just some words, no markup", {}, "no markup"),
    ],
)
def test_parse_bad_body_is_counted_not_raised(body: bytes, headers: dict, reason: str) -> None:
    spider = make_spider()
    response = TextResponse(
        url="https://example.org/events",
        body=body,
        headers=headers,
        request=Request("https://example.org/events"),
        encoding="utf-8",
    )
    assert list(spider.parse(response)) == []
    assert spider.report.errors["bad_page"] == 1
    assert reason in (spider.report.last_error or "")


def test_parse_binary_response_is_counted_not_raised() -> None:
    spider = make_spider()
    url = "https://example.org/logo.png"
    response = Response(url=url, body=b"\x89PNG\r\n\x1a\n\x00\x00", request=Request(url))
    assert list(spider.parse(response)) == []
    assert spider.report.errors["bad_page"] == 1


BROKEN_JSONLD = """<!doctype html><html><head>
<script type="application/ld+json">{"@type": "Event", "name": "Broken", "startDate": }</script>
<script type="application/ld+json">
{"@context": "https://schema.org", "@type": "LiteraryEvent", "name": "Author reading",
 "startDate": "2026-12-05T18:00:00-05:00",
 "workFeatured": {"@type": "Book", "name": "A Novel", "author": {"@type": "Person",
   "name": "Jane Writer"}}}
</script>
<script type="application/ld+json">[{"@type": "Event", "name": "Trailing", "startDate":
 "2026-12-06",},]</script>
</head><body></body></html>"""


def test_parse_invalid_jsonld_script_does_not_cost_the_others() -> None:
    spider = make_spider()
    events, _ = split(list(spider.parse(html_response(BROKEN_JSONLD))))
    assert sorted(e.title for e in events) == ["Author reading", "Trailing"]
    assert spider.report.dropped["invalid_jsonld"] == 1


def test_malformed_jsonld_is_one_log_line_and_a_counted_skip(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """No traceback in the middle of the crawl's progress: one line says what was skipped."""
    spider = make_spider()
    with caplog.at_level(logging.INFO):
        events, _ = split(list(spider.parse(html_response(BROKEN_JSONLD))))
    assert len(events) == 2
    assert spider.report.dropped["invalid_jsonld"] == 1
    said = [record for record in caplog.records if record.levelno >= logging.INFO]
    assert [record.getMessage() for record in said] == [
        "test-page: https://example.org/events: skipped 1 invalid JSON-LD script(s)"
    ]
    assert all(record.exc_info is None for record in caplog.records)


def test_parse_book_signing_author_becomes_performer() -> None:
    spider = make_spider()
    events, _ = split(list(spider.parse(html_response(BROKEN_JSONLD))))
    reading = by_title(events, "Author reading")
    assert reading.performer == "Jane Writer"
    assert reading.details["schema_type"] == "LiteraryEvent"


BAD_DATES = """<script type="application/ld+json">[
 {"@type": "Event", "name": "Someday", "startDate": "next Tuesday"},
 {"@type": "Event", "name": "Ambiguous", "startDate": "2019-9-18T10-11-00-00"},
 {"@type": "Event", "name": "No start"},
 {"@type": "Event", "startDate": "2026-12-01"},
 {"@type": "Event", "name": "Fine", "startDate": "2026-12-01T10:00Z"}
]</script>"""


def test_parse_unreadable_dates_are_dropped_and_counted() -> None:
    spider = make_spider()
    events, _ = split(list(spider.parse(html_response(BAD_DATES))))
    assert [e.title for e in events] == ["Fine"]
    assert spider.report.dropped["bad_date"] == 2
    assert spider.report.dropped["missing_start"] == 1
    assert spider.report.dropped["missing_title"] == 1


FRAGMENT = """<div class="event" itemscope itemtype="http://schema.org/Event">
  <a itemprop="url" href="/e/42"><span itemprop="name">Careers in data: meetup</span></a>
  <meta itemprop="startDate" content="2026-12-09T18:00:00+01:00">
  <div itemprop="location" itemscope itemtype="http://schema.org/Place">
    <span itemprop="name">Library hall</span>
    <div itemprop="address" itemscope itemtype="http://schema.org/PostalAddress">
      <span itemprop="addressLocality">Paris</span>
      <span itemprop="addressCountry">FR</span>
    </div>
  </div>
</div>
<p>More events soon.</p>"""


def test_parse_html_fragment_without_html_element() -> None:
    spider = make_spider(url="https://example.org/ajax/list")
    response = html_response(FRAGMENT, url="https://example.org/ajax/list")
    events, _ = split(list(spider.parse(response)))
    (event,) = events
    assert event.url == "https://example.org/e/42"
    assert event.venue.city == "Paris"


RDFA = """<html><body vocab="https://schema.org/">
<div typeof="Hackathon" resource="https://example.org/hack">
  <span property="name">Civic hack night</span>
  <meta property="startDate" content="2026-12-12T10:00:00+00:00">
  <meta property="eventAttendanceMode"
        content="https://schema.org/MixedEventAttendanceMode">
  <div property="location" typeof="Place"><span property="name">Town hall</span></div>
</div></body></html>"""


def test_parse_rdfa_event_subtype_not_ending_in_event() -> None:
    spider = make_spider()
    (event,) = split(list(spider.parse(html_response(RDFA))))[0]
    assert event.title == "Civic hack night"
    assert event.details["schema_type"] == "Hackathon"
    assert event.attendance is Attendance.MIXED
    assert event.venue.name == "Town hall"


def test_parse_rdfa_event_id_from_its_resource() -> None:
    spider = make_spider()
    (event,) = split(list(spider.parse(html_response(RDFA))))[0]
    assert event.id == make_event_id(
        "test-page", "https://example.org/hack", "2026-12-12T10:00:00+00:00"
    )


def test_parse_event_without_url_or_id_uses_page_start_and_title() -> None:
    spider = make_spider()
    (event,) = split(list(spider.parse(html_response(BAD_DATES))))[0]
    assert event.id == make_event_id(
        "test-page", "https://example.org/events", "2026-12-01T10:00:00+00:00", "Fine"
    )


# --- pagination and follow (synthetic pages) ---------------------------------


def fetch(request: Request) -> TextResponse:
    path = Path(unquote(urlsplit(request.url).path))
    return HtmlResponse(url=request.url, body=path.read_bytes(), request=request, encoding="utf-8")


def run(spider: JsonLdSpider) -> tuple[list[Event], list[str]]:
    """Follow every Request the spider yields, as Scrapy would, from the source URL."""
    queue = [Request(spider.source.url, meta={"role": "listing"})]
    spider.visited.add(spider.source.url)
    events: list[Event] = []
    fetched: list[str] = []
    while queue:
        request = queue.pop(0)
        fetched.append(Path(urlsplit(request.url).path).name)
        found, requests = split(list(spider.parse(fetch(request))))
        events += found
        queue += requests
    return events, fetched


def pagination_spider(**fields: Any) -> JsonLdSpider:
    return make_spider(url=(PAGINATION / "page-1.html").as_uri(), **fields)


def test_follow_link_rel_next_in_head() -> None:
    spider = pagination_spider()
    response = fetch(Request(spider.source.url))
    _, requests = split(list(spider.parse(response)))
    assert [r.url for r in requests] == [(PAGINATION / "page-2.html").as_uri()]
    assert requests[0].meta["role"] == "listing"


def test_follow_whole_listing_once_each() -> None:
    events, fetched = run(pagination_spider())
    assert fetched == ["page-1.html", "page-2.html", "page-3.html"]
    assert [e.title for e in events] == [
        "Synthetic networking breakfast",
        "Synthetic resume workshop",
        "Synthetic industry mixer",
    ]


def test_follow_anchor_text_next_back_to_a_seen_page_is_not_revisited() -> None:
    spider = pagination_spider()
    run(spider)
    response = fetch(Request((PAGINATION / "page-3.html").as_uri()))
    assert split(list(spider.parse(response)))[1] == []


def test_follow_max_pages_stops_and_marks_the_crawl_partial() -> None:
    spider = pagination_spider(max_pages=2)
    _, fetched = run(spider)
    assert fetched == ["page-1.html", "page-2.html"]
    assert spider.report.outcome.value == "partial"
    assert "max_pages" in (spider.report.partial_reason or "")


def test_follow_detail_links_by_selector() -> None:
    _, fetched = run(pagination_spider(follow="a.event-link"))
    assert fetched == ["page-1.html", "event-1.html", "page-2.html", "page-3.html"]


def test_follow_detail_page_is_not_paginated_and_gives_full_event() -> None:
    events, _ = run(pagination_spider(follow="a.event-link"))
    listing, detail = [e for e in events if e.title == "Synthetic networking breakfast"]
    assert listing.id == detail.id
    assert detail.venue.city == "Toronto"
    assert detail.organizer == "Synthetic chamber"


def test_follow_file_source_never_fetches_the_web() -> None:
    spider = pagination_spider(follow="a.event-link")
    _, requests = split(list(spider.parse(fetch(Request(spider.source.url)))))
    assert all(r.url.startswith("file://") for r in requests)


def test_follow_next_selector_from_sources_toml() -> None:
    spider = make_spider(url=(PAGINATION / "page-2.html").as_uri(), next="a.older")
    _, requests = split(list(spider.parse(fetch(Request(spider.source.url)))))
    assert [r.url for r in requests] == [(PAGINATION / "page-3.html").as_uri()]


def test_follow_invalid_selector_is_reported_not_raised() -> None:
    spider = pagination_spider(follow="a[")
    events, _ = split(list(spider.parse(fetch(Request(spider.source.url)))))
    assert len(events) == 1
    assert spider.report.errors["bad_selector"] == 1


def test_follow_guessed_next_link_stays_on_the_listings_host() -> None:
    spider = make_spider()
    page = '<link rel="next" href="https://elsewhere.example/events?page=2"><p>none</p>'
    assert split(list(spider.parse(html_response(page))))[1] == []


def test_follow_detail_selector_may_leave_the_host() -> None:
    spider = make_spider(follow="a.detail")
    page = '<a class="detail" href="https://tickets.example/e/1">Tickets</a>'
    _, requests = split(list(spider.parse(html_response(page))))
    assert [(r.url, r.meta["role"]) for r in requests] == [
        ("https://tickets.example/e/1", "detail")
    ]


def test_follow_max_pages_one_reads_only_the_source_page() -> None:
    _, fetched = run(pagination_spider(max_pages=1, follow="a.event-link"))
    assert fetched == ["page-1.html"]


@pytest.mark.parametrize("max_pages", [0, 501])
def test_source_max_pages_is_bounded(max_pages: int) -> None:
    with pytest.raises(ValidationError):
        Source(name="s", type="jsonld", url="https://example.org/", max_pages=max_pages)


def test_follow_microdata_naive_time_on_a_listing_page() -> None:
    events, _ = run(pagination_spider(timezone="America/Toronto"))
    mixer = by_title(events, "Synthetic industry mixer")
    assert mixer.local_start().strftime("%H:%M %Z") == "19:00 EST"


# --- schema.org readers -------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (
            "2025-09-27T12:30:00:00+01:00",
            datetime(2025, 9, 27, 12, 30, tzinfo=timezone(timedelta(hours=1))),
        ),
        (
            "2024-10-03T19:00:00+0100",
            datetime(2024, 10, 3, 19, 0, tzinfo=timezone(timedelta(hours=1))),
        ),
        (
            "2015-10-31T19:30:00-0400",
            datetime(2015, 10, 31, 19, 30, tzinfo=timezone(timedelta(hours=-4))),
        ),
        ("2022-11-04T19:30:00Z", datetime(2022, 11, 4, 19, 30, tzinfo=UTC)),
        # A WordPress plugin on admboard.org writes a one-digit offset hour.
        ("2024-5-28T16:30+0:00", datetime(2024, 5, 28, 16, 30, tzinfo=UTC)),
        (
            "2024-5-28T16:30-5:00",
            datetime(2024, 5, 28, 16, 30, tzinfo=timezone(timedelta(hours=-5))),
        ),
        ("2019-9-18T10-10-00-00", datetime(2019, 9, 18, 10, 0)),  # noqa: DTZ001
        ("2019-9-18T10:00", datetime(2019, 9, 18, 10, 0)),  # noqa: DTZ001
        ("2024-02-01 19:00:00.250", datetime(2024, 2, 1, 19, 0, 0, 250000)),  # noqa: DTZ001
        ("2024-02-01", date(2024, 2, 1)),
        ("2024-2-1", date(2024, 2, 1)),
    ],
)
def test_parse_datetime_reads_and_repairs(raw: str, expected: date | datetime) -> None:
    assert schema_org.parse_datetime(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "next Tuesday",
        "01/02/2026",
        "2019-9-18T10-11-00-00",
        "2025-09-27T12:30:00:10+01:00",
        "2026-02-30",
        "2026-01-01T25:00",
        "2026-01-01T10:00+25:00",
        "",
    ],
)
def test_parse_datetime_refuses_to_guess(raw: str) -> None:
    with pytest.raises(BadDate):
        schema_org.parse_datetime(raw)


def test_parse_times_date_only_end_is_the_day_after_end_date() -> None:
    times = schema_org.parse_times({"startDate": "2026-05-01", "endDate": "2026-05-03"}, None)
    assert (times.start, times.end) == (
        datetime(2026, 5, 1, tzinfo=UTC),
        datetime(2026, 5, 4, tzinfo=UTC),
    )


def test_parse_times_unreadable_end_is_dropped_not_the_event() -> None:
    times = schema_org.parse_times({"startDate": "2026-05-01T10:00Z", "endDate": "soon"}, None)
    assert times.end is None


def test_parse_times_end_before_start_is_dropped() -> None:
    node = {"startDate": "2026-05-01T10:00Z", "endDate": "2026-05-01T09:00Z"}
    assert schema_org.parse_times(node, None).end is None


@pytest.mark.parametrize(
    ("status", "expected", "note"),
    [
        ("https://schema.org/EventCancelled", Status.CANCELLED, None),
        ("http://schema.org/EventPostponed", Status.POSTPONED, None),
        ("EventRescheduled", Status.SCHEDULED, "rescheduled"),
        ("schema:EventMovedOnline", Status.SCHEDULED, "moved online"),
        ("https://schema.org/EventScheduled", Status.SCHEDULED, None),
        ("on-schedule", Status.SCHEDULED, None),
    ],
)
def test_parse_status(status: str, expected: Status, note: str | None) -> None:
    assert schema_org.parse_status({"eventStatus": status}) == (expected, note)


def test_parse_status_rescheduled_keeps_the_previous_start() -> None:
    node = {"eventStatus": "EventRescheduled", "previousStartDate": "2026-01-02T19:00Z"}
    assert schema_org.parse_status(node)[1] == "rescheduled (was 2026-01-02T19:00Z)"


@pytest.mark.parametrize(
    ("node", "expected"),
    [
        ({"eventAttendanceMode": "https://schema.org/OnlineEventAttendanceMode"}, "online"),
        ({"eventAttendanceMode": "MixedEventAttendanceMode"}, "mixed"),
        ({"eventAttendanceMode": "OfflineEventAttendanceMode"}, "in_person"),
        ({"eventStatus": "EventMovedOnline", "eventAttendanceMode": "Offline"}, "online"),
        ({"location": {"@type": "VirtualLocation", "url": "https://zoom.us/j/1"}}, "online"),
        ({"location": [{"@type": "VirtualLocation"}, {"@type": "Place", "name": "Hall"}]}, "mixed"),
        ({"location": "https://meet.example.org/room"}, "online"),
        ({}, "in_person"),
    ],
)
def test_parse_attendance(node: dict, expected: str) -> None:
    assert schema_org.parse_attendance(node).value == expected


def test_parse_venue_skips_virtual_location_and_reads_country_object() -> None:
    node = {
        "location": [
            {"@type": "VirtualLocation", "url": "https://zoom.us/j/1"},
            {
                "@type": "Place",
                "name": "Hall",
                "address": {
                    "@type": "PostalAddress",
                    "addressCountry": {"@type": "Country", "name": "CA"},
                },
            },
        ]
    }
    venue = schema_org.parse_venue(node)
    assert (venue.name, venue.country) == ("Hall", "CA")


@pytest.mark.parametrize(
    ("geo", "expected"),
    [
        ({"latitude": "43.65", "longitude": "-79.38"}, (43.65, -79.38)),
        ({"latitude": 43.65, "longitude": -79.38}, (43.65, -79.38)),
        ({"latitude": "91", "longitude": "10"}, (None, None)),
        ({"latitude": "10", "longitude": "-181"}, (None, None)),
        ({"latitude": "north", "longitude": "10"}, (None, None)),
        ({"latitude": "0", "longitude": "0"}, (None, None)),
    ],
)
def test_parse_geo(geo: dict, expected: tuple) -> None:
    assert schema_org.parse_geo({"geo": {"@type": "GeoCoordinates", **geo}}) == expected


@pytest.mark.parametrize(
    ("offers", "expected"),
    [
        ({"@type": "Offer", "price": "Free"}, (0.0, None, True)),
        ({"@type": "Offer", "price": 0, "priceCurrency": "USD"}, (0.0, "USD", True)),
        ({"@type": "Offer", "price": "£12.50", "priceCurrency": "GBP"}, (12.5, "GBP", False)),
        ({"@type": "Offer", "price": "1,200", "priceCurrency": "USD"}, (1200.0, "USD", False)),
        ({"@type": "Offer", "price": "12,50", "priceCurrency": "EUR"}, (12.5, "EUR", False)),
        ([{"price": "20"}, {"price": "5", "priceCurrency": "CAD"}], (5.0, "CAD", False)),
        ({"@type": "AggregateOffer", "lowPrice": "0.00", "highPrice": "9"}, (0.0, None, True)),
        (
            {"@type": "AggregateOffer", "offers": [{"price": 7, "priceCurrency": "EUR"}]},
            (7.0, "EUR", False),
        ),
        ({"@type": "Offer", "price": ""}, (None, None, None)),
        ([], (None, None, None)),
    ],
)
def test_parse_offers(offers: Any, expected: tuple) -> None:
    assert schema_org.parse_offers({"offers": offers}) == expected


@pytest.mark.parametrize(
    ("node", "expected"),
    [
        ({"performer": [{"@type": "Person", "name": "A"}, "B", {"name": "A"}]}, "A, B"),
        ({"performer": "Organization"}, None),
        ({"performer": ""}, None),
        ({"workFeatured": {"@type": "Book", "author": [{"name": "C"}, {"name": "D"}]}}, "C, D"),
        ({"author": {"@type": "Person", "name": "E"}}, "E"),
    ],
)
def test_parse_performer(node: dict, expected: str | None) -> None:
    assert schema_org.parse_performer(node) == expected


@pytest.mark.parametrize(
    ("organizer", "expected"),
    [
        ({"@type": "Organization", "name": "Chamber"}, "Chamber"),
        ("Library", "Library"),
        ([{"@type": "Person", "name": ""}, {"name": "Second"}], "Second"),
        ({"@type": "Organization", "url": "https://x.example"}, None),
    ],
)
def test_parse_organizer(organizer: Any, expected: str | None) -> None:
    assert schema_org.parse_organizer({"organizer": organizer}) == expected


def titles(data: Any) -> list[str]:
    return [node["name"] for node in schema_org.find_events(data)]


def test_find_events_in_graph_and_top_level_arrays() -> None:
    data = [
        {"@graph": [{"@type": "WebPage"}, {"@type": "Event", "name": "a"}]},
        [{"@type": ["Event", "Thing"], "name": "b"}],
    ]
    assert titles(data) == ["a", "b"]


def test_find_events_in_item_list_and_place() -> None:
    place = {"@type": "MusicVenue", "name": "Club", "event": [{"@type": "MusicEvent", "name": "c"}]}
    data = [{"@type": "ItemList", "itemListElement": [{"@type": "ListItem", "item": place}]}]
    (event,) = schema_org.find_events(data)
    assert event["location"]["name"] == "Club"


def test_find_events_resolves_id_references() -> None:
    data = {
        "@graph": [
            {"@type": "Event", "name": "d", "location": {"@id": "#hall"}},
            {"@type": "Place", "@id": "#hall", "name": "Hall"},
        ]
    }
    (event,) = schema_org.find_events(data)
    assert event["location"]["name"] == "Hall"


def test_find_events_series_without_date_gives_its_occurrences() -> None:
    series = {
        "@type": "EventSeries",
        "name": "Monthly",
        "subEvent": [{"@type": "Event", "name": "e1"}, {"@type": "Event", "name": "e2"}],
    }
    assert titles(series) == ["e1", "e2"]


def test_find_events_conference_sessions_are_not_separate_events() -> None:
    conference = {
        "@type": "BusinessEvent",
        "name": "Conf",
        "startDate": "2026-05-01",
        "subEvent": [{"@type": "Event", "name": "Talk"}],
    }
    assert titles(conference) == ["Conf"]


@pytest.mark.parametrize(
    ("types", "expected"),
    [
        ("http://schema.org/SocialEvent", True),
        ("Festival", True),
        ("CourseInstance", True),
        ("DeliveryEvent", False),
        ("Organization", False),
    ],
)
def test_is_event_by_type(types: str, expected: bool) -> None:
    assert schema_org.is_event({"@type": types}) is expected


def test_compact_rdfa_inlines_references() -> None:
    nodes = [
        {
            "@id": "_:e",
            "@type": ["http://schema.org/Event"],
            "http://schema.org/name": [{"@value": "f"}],
            "http://schema.org/location": [{"@id": "_:p"}],
            "http://ogp.me/ns#title": [{"@value": "ignored"}],
        },
        {
            "@id": "_:p",
            "@type": ["http://schema.org/Place"],
            "http://schema.org/name": [{"@value": "P"}],
        },
    ]
    event = schema_org.compact_rdfa(nodes)[0]
    assert event == {"@type": "Event", "name": "f", "location": {"@type": "Place", "name": "P"}}


def test_geo_far_from_the_source_and_outside_its_region_is_left_out() -> None:
    # A minimal page for the platform habit the iCalendar feeds showed: a venue's name
    # geocoded into another state. Its street address names no town, so the event keeps
    # its source's place, and the crawl counts what it left out.
    page = """<script type="application/ld+json">[
      {"@context": "https://schema.org", "@type": "Event", "name": "Plan Commission",
       "startDate": "2026-09-01T13:00:00-04:00",
       "location": {"@type": "Place", "name": "Showers Building",
         "address": {"@type": "PostalAddress", "streetAddress": "Room 100B"},
         "geo": {"@type": "GeoCoordinates", "latitude": 40.618495, "longitude": -89.464654}}},
      {"@context": "https://schema.org", "@type": "Event", "name": "County Council",
       "startDate": "2026-09-02T13:00:00-04:00",
       "location": {"@type": "Place", "name": "Courthouse",
         "geo": {"@type": "GeoCoordinates", "latitude": 39.167, "longitude": -86.534}}}
    ]</script>"""
    spider = make_spider(
        location={"city": "Bloomington", "region": "IN", "lat": 39.1653, "lon": -86.5264}
    )
    events, _ = split(list(spider.parse(html_response(page))))
    far = by_title(events, "Plan Commission").venue
    near = by_title(events, "County Council").venue

    assert (far.lat, far.lon) == (39.1653, -86.5264)
    assert (near.lat, near.lon) == (39.167, -86.534)
    assert spider.report.dropped["coordinates_far_off"] == 1
