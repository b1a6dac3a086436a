"""Platforms discovery recognises, and the source each publishes.

The markup below is written for these tests: a few lines in the shape each
platform's pages have (no saved page of LibCal, Localist, LiveWhale, CivicPlus
or Luma was at hand). Saved real pages are measured in
``test_discovery_measure.py``.
"""

from __future__ import annotations

import pytest

from crawlers.discover import propose
from crawlers.discover.page import follow_selector, linked_event_pages
from tests.support.saved import FIXTURES

DISCOVERY = FIXTURES / "discovery"


def page(body: str, title: str = "Events") -> bytes:
    return f"<html><head><title>{title}</title></head><body>{body}</body></html>".encode()


@pytest.mark.parametrize(
    ("url", "body", "platform", "feed"),
    [
        (
            "https://www.example-library.org/events",
            '<a href="https://examplelib.libcal.com/calendar?cid=14288&t=d">All events</a>',
            "LibCal",
            "https://examplelib.libcal.com/ical_subscribe.php?src=p&cid=14288",
        ),
        (
            "https://events.example.edu/",
            '<link href="https://d3e1o4bcbhmj8g.cloudfront.net/localist-assets.css">'
            '<div class="localist-widget">Powered by Localist</div>',
            "Localist",
            "https://events.example.edu/calendar.ics",
        ),
        (
            "https://events.example.edu/calendar",
            '<script src="/live/resource/js/livewhale/calendar.js"></script>',
            "LiveWhale",
            "https://events.example.edu/live/ical/events",
        ),
        (
            "https://www.exampletown.gov/calendar.aspx",
            '<a href="/Calendar.aspx?CID=22">Parks</a><footer>Government Websites by CivicPlus'
            "</footer>",
            "CivicPlus",
            "https://www.exampletown.gov/common/modules/iCalendar/iCalendar.aspx?catID=22"
            "&feed=calendar",
        ),
        (
            "https://lu.ma/techto",
            '<script id="__NEXT_DATA__">{"calendar":{"api_id":"cal-Ab12Cd34","name":"TechTO"}}'
            "</script>",
            "Luma",
            "https://api2.luma.com/ics/get?entity=calendar&id=cal-Ab12Cd34",
        ),
        (
            "https://www.examplebooks.com/events",
            '<a href="https://www.eventbrite.com/o/example-books-34376767621">Tickets</a>',
            "Eventbrite",
            "https://www.eventbrite.com/o/example-books-34376767621",
        ),
        (
            "https://www.examplemuseum.org/whats-on/",
            '<div class="tribe-events-calendar-list">Upcoming</div>',
            "The Events Calendar (WordPress)",
            "https://www.examplemuseum.org/?post_type=tribe_events&ical=1&eventDisplay=list",
        ),
    ],
)
def test_a_platform_gives_the_source_it_publishes(
    url: str, body: str, platform: str, feed: str
) -> None:
    proposal = propose(url, page(body))
    assert (proposal.platform, proposal.url) == (platform, feed)
    assert proposal.guesses["type"].evidence.startswith(f"{platform}: ")


def test_a_platform_without_a_feed_on_this_page_says_where_to_look() -> None:
    proposal = propose(
        "https://www.exampletown.gov/", page("<footer>Government Websites by CivicPlus</footer>")
    )
    assert not proposal.crawlable
    assert proposal.why_not[0] == (
        "CivicPlus: a CivicPlus site with no calendar category on this page: its feeds are "
        "listed at https://www.exampletown.gov/iCalendar.aspx"
    )


def test_a_growthzone_page_that_links_its_event_pages_follows_them() -> None:
    body = (DISCOVERY / "chi_ssa_19.html").read_bytes()
    proposal = propose("https://rpba.org/ssa-19/", body)
    assert (proposal.type, proposal.platform) == ("jsonld", "GrowthZone")
    assert proposal.follow == 'a[href*="/events/details/"]'


def test_a_link_to_another_growth_zones_site_is_no_chamber() -> None:
    body = (FIXTURES / "discovery/chi_ssa_21.html").read_bytes()
    chamber = propose("http://www.lincolnsquare.org/SSA-no-21-Commission-meetings", body)
    assert chamber.why_not[0].startswith("ChamberMaster: a ChamberMaster chamber site")
    other = propose(
        "https://city.example.gov/planning",
        page('<a href="http://www.growthzones.com/">Industrial Growth Zones</a>'),
    )
    assert not any("ChamberMaster" in why or "GrowthZone" in why for why in other.why_not)


def test_a_calendar_file_of_one_item_of_the_listing_is_not_the_feed() -> None:
    body = (FIXTURES / "html/squarespace-events-page-no-event-markup.html").read_bytes()
    proposal = propose("https://robin-cunningham-dh7d.squarespace.com/our-events/", body)
    assert proposal.platform == "Squarespace"
    assert proposal.url == "https://robin-cunningham-dh7d.squarespace.com/our-events/?format=ical"


def test_words_that_merely_contain_ical_are_no_feed() -> None:
    proposal = propose(
        "https://health.example.org/",
        page('<a href="/how-to-obtain-a-medical-record.html">Export your medical record</a>'),
    )
    assert not proposal.crawlable


def test_linked_event_pages_are_a_few_of_the_same_site() -> None:
    body = page(
        "".join(f'<a href="/events/talk-{n}/">Talk {n}</a>' for n in range(6))
        + '<a href="https://other.example.com/events/x/">elsewhere</a>'
        + '<a href="/events/talk-0/export.ics">ics</a><a href="/about/">about</a>'
    )
    assert linked_event_pages("https://club.example.org/events/", body) == [
        "https://club.example.org/events/talk-0/",
        "https://club.example.org/events/talk-1/",
        "https://club.example.org/events/talk-2/",
    ]


def test_events_on_linked_pages_make_a_source_that_follows_them() -> None:
    listing = page('<a href="/get-involved/calendar/june-meeting/">June meeting</a>')
    detail = (FIXTURES / "html/wordpress-yoast-graph-event-detail.html").read_bytes()
    url = "https://clecpc.org/get-involved/"
    linked = {"https://clecpc.org/get-involved/calendar/june-meeting/": detail}
    assert linked_event_pages(url, listing) == list(linked)

    proposal = propose(url, listing, linked=linked)

    assert (proposal.type, proposal.url) == ("jsonld", url)
    assert proposal.follow == 'a[href*="/get-involved/calendar/"]'
    assert "schema.org Event data on 1 of the 1 event page(s)" in proposal.guesses["type"].evidence
    assert not propose(url, listing).crawlable


def test_linked_pages_without_events_are_said_to_have_been_read() -> None:
    listing = (DISCOVERY / "cuya_soil_water_conservation.html").read_bytes()
    detail = (DISCOVERY / "cuya_soil_water_conservation_detail.html").read_bytes()
    linked = {"https://cuyahogaswcd.org/events/cuyahoga-swcd-board-meeting-5/": detail}

    proposal = propose("https://cuyahogaswcd.org/events/", listing, linked=linked)

    assert not proposal.crawlable
    assert proposal.why_not[-1].endswith("or on 1 event page(s) it links to")


def test_follow_selector_is_the_path_the_pages_share() -> None:
    urls = ["https://a.org/calendar/event/1/", "https://a.org/calendar/event/2/"]
    assert follow_selector("https://a.org/calendar/", urls) == 'a[href*="/calendar/event/"]'


def test_guesses_come_with_their_evidence() -> None:
    body = (FIXTURES / "html/songkick-event-detail.html").read_bytes()
    proposal = propose("http://www.songkick.com/concerts/25248299", body)
    assert proposal.location == {"city": "Brooklyn", "region": "NY", "country": "US"}
    assert proposal.guesses["location"].evidence == "the town of 1 of the 1 events on the page"
    assert proposal.timezone == "America/New_York"
    assert proposal.guesses["timezone"].evidence == (
        "the time zone of Brooklyn, New York, United States"
    )
    assert proposal.sectors == ("music-and-entertainment",)


def test_a_zone_the_page_names_is_the_time_zone_guess() -> None:
    body = (FIXTURES / "html/wordpress-listing-12-events-missing-locations.html").read_bytes()
    proposal = propose("https://www.degc.org/public-authorities/", body)
    assert proposal.timezone == "America/Detroit"
    assert proposal.guesses["timezone"].evidence == 'the page names "America/Detroit" (1 time)'
