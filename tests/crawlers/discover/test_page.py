"""Discovery reads saved real pages: a feed, a platform's feed, schema.org events, or why not."""

from __future__ import annotations

from crawlers.discover import propose
from tests.support.saved import FIXTURES

HTML = FIXTURES / "html"


def test_a_linked_calendar_feed_is_proposed_with_its_evidence() -> None:
    body = (FIXTURES / "discovery/chi_ssa_51.html").read_bytes()
    proposal = propose("http://www.cbatechworks.org/", body)
    assert proposal.type == "ics"
    assert proposal.url == (
        "http://www.cbatechworks.org/SSA__51_Commissioner_s_Open_Meetings_cbaworks_org_"
        "jvn78kpd2mtvkengag8b7k84ss_group_calendar_google_com.ics"
    )
    assert proposal.guesses["type"].evidence.startswith("a link to ssa__51_commissioner")
    assert proposal.guesses["name"].evidence == "the page's <title>"


def test_the_events_calendar_s_rest_api_is_preferred_to_its_ical_export() -> None:
    body = (HTML / "wordpress-listing-12-events-missing-locations.html").read_bytes()
    proposal = propose("https://www.degc.org/events/", body)
    assert (proposal.type, proposal.url) == (
        "tribe_api",
        "https://www.degc.org/wp-json/tribe/events/v1/events",
    )
    assert proposal.guesses["type"].evidence == (
        "The Events Calendar (WordPress): the page links the plugin's REST API "
        "(https://www.degc.org/wp-json/tribe/events/v1/)"
    )


def test_single_event_calendar_files_are_not_taken_for_the_calendar() -> None:
    body = (HTML / "chamber-growthzone-event-microdata-only.html").read_bytes()
    proposal = propose("https://business.rpba.org/events/details/x", body)
    assert proposal.type == "jsonld"
    assert "schema.org Event" in proposal.guesses["type"].evidence


def test_an_eventbrite_organiser_is_its_page_of_schema_org_events() -> None:
    body = (HTML / "eventbrite-organizer-queer-lit-bookshop.html").read_bytes()
    page = "https://www.eventbrite.co.uk/o/queer-lit-social-refuge-48062165483"
    proposal = propose(page, body)
    assert (proposal.type, proposal.url, proposal.platform) == ("jsonld", page, "Eventbrite")
    assert "schema.org Event data" in proposal.guesses["type"].evidence


def test_schema_org_events_on_the_page_make_a_jsonld_source() -> None:
    body = (HTML / "wordpress-yoast-graph-event-detail.html").read_bytes()
    proposal = propose("https://example.org/whats-on/", body)
    assert (proposal.type, proposal.crawlable) == ("jsonld", True)
    assert proposal.guesses["type"].evidence == "1 schema.org Event(s) on the page"


def test_a_page_with_nothing_to_crawl_says_why() -> None:
    body = (HTML / "not-an-events-page-gfsc-studio.html").read_bytes()
    proposal = propose("https://example.org/", body)
    assert not proposal.crawlable
    assert proposal.why_not == [
        "no calendar feed linked, no platform recognised, no schema.org Event data on the page"
    ]


def test_platforms_give_the_feed_they_publish() -> None:
    meetup = propose("https://www.meetup.com/asheville-writers/", b"<html><title>W</title></html>")
    assert meetup.url == "https://www.meetup.com/asheville-writers/events/ical/"
    assert meetup.platform == "Meetup"
    embed = (
        b'<html><body><iframe src="https://calendar.google.com/calendar/embed?'
        b'src=library%40example.org&ctz=America%2FNew_York"></iframe></body></html>'
    )
    google = propose("https://library.example.org/events", embed)
    assert google.url == (
        "https://calendar.google.com/calendar/ical/library%40example.org/public/basic.ics"
    )
