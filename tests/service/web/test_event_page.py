"""``GET /e/{id}``: one event, how to prepare for it, and its schema.org data."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from service.model import Kind
from service.store import EventStore
from service.text.advice import ASK
from service.text.labels import KIND_LABELS
from tests.factories import NOW, make_event
from tests.support.pages import document, json_ld, texts, unlabelled_controls


def event_id(store: EventStore, title: str) -> str:
    from service.store import EventQuery

    found = [event for event in store.search(query=EventQuery(q=title)) if event.title == title]
    assert found, title
    return found[0].id


def test_get_event_page_shows_the_details_and_how_to_prepare(
    web: TestClient, page_store: EventStore
) -> None:
    response = web.get("/e/cancelled-workshop")
    assert response.status_code == 200
    page = document(response)
    assert texts(page, "//h1") == ["Pitch deck workshop"]
    assert texts(page, "//p[@class='badges']/span") == ["Workshop", "Cancelled"]
    details = dict(zip(texts(page, "//dl/div/dt"), texts(page, "//dl/div/dd"), strict=True))
    assert details["When"].startswith("Thursday 10 December 2026, 18:00 to 20:00 CET")
    assert "times in Europe/Berlin" in details["When"]
    assert details["Where"].startswith("Factory Görlitzer Park, Berlin, Germany")
    assert details["Organiser"] == "Berlin Founders Club"
    steps = texts(page, "//section[contains(@class, 'prepare')]//li")
    assert any("Research Berlin Founders Club before you go" in step for step in steps)
    assert any(ASK in step for step in steps)
    assert any("within a day" in step for step in steps)
    assert page.xpath("//a[@href='/events/cancelled-workshop.ics']")
    assert page.xpath("//a[starts-with(@href, 'https://calendar.google.com/calendar/render?')]")
    assert unlabelled_controls(page) == []


@pytest.mark.parametrize("kind", list(Kind))
def test_get_event_page_names_the_kind_as_the_feed_and_the_digest_do(
    web: TestClient, page_store: EventStore, kind: Kind
) -> None:
    event = make_event(f"kind-{kind.value}", kind=kind, timezone="Europe/Berlin")
    page_store.upsert_many([event], now=NOW)

    page = document(web.get(f"/e/{event.id}"))

    assert texts(page, "//p[@class='badges']/span") == [KIND_LABELS[kind]]


def test_get_event_page_of_an_event_listed_for_months_says_until_when_not_now(
    web: TestClient, page_store: EventStore
) -> None:
    event = make_event(
        "season",
        start=NOW - timedelta(days=60),
        end=NOW + timedelta(days=19, hours=6),
        timezone="Europe/Berlin",
    )
    page_store.upsert_many([event], now=NOW)

    page = document(web.get(f"/e/{event.id}"))
    details = dict(zip(texts(page, "//dl/div/dt"), texts(page, "//dl/div/dd"), strict=True))

    assert "(runs until Wednesday 16 December 2026; times in Europe/Berlin)" in details["When"]
    assert "happening now" not in details["When"]


def test_get_event_page_carries_schema_org_event_json_ld(
    web: TestClient, page_store: EventStore
) -> None:
    page = document(web.get("/e/cancelled-workshop"))
    data = json_ld(page)
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "Event"
    assert data["name"] == "Pitch deck workshop"
    assert datetime.fromisoformat(data["startDate"]).isoformat() == "2026-12-10T18:00:00+01:00"
    assert datetime.fromisoformat(data["endDate"]).isoformat() == "2026-12-10T20:00:00+01:00"
    assert data["eventStatus"] == "https://schema.org/EventCancelled"
    assert data["eventAttendanceMode"] == "https://schema.org/OfflineEventAttendanceMode"
    location = data["location"]
    assert location["@type"] == "Place"
    assert location["name"] == "Factory Görlitzer Park"
    assert location["address"] == {
        "@type": "PostalAddress",
        "addressLocality": "Berlin",
        "addressCountry": "Germany",
    }
    assert location["geo"] == {"@type": "GeoCoordinates", "latitude": 52.4975, "longitude": 13.4447}
    assert data["organizer"] == {
        "@type": "Organization",
        "name": "Berlin Founders Club",
        "url": "https://example.org/",
    }
    assert data["url"] == "https://example.org/pitch"
    assert data["description"].startswith("Workshop, Thursday 10 December 2026")


def test_get_event_page_json_ld_for_an_all_day_conference_uses_dates(
    web: TestClient, page_store: EventStore
) -> None:
    data = json_ld(document(web.get(f"/e/{event_id(page_store, 'React Day Berlin')}")))
    assert date.fromisoformat(data["startDate"]) == date(2026, 12, 4)
    assert date.fromisoformat(data["endDate"]) >= date.fromisoformat(data["startDate"])
    assert data["eventAttendanceMode"] == "https://schema.org/MixedEventAttendanceMode"
    place, virtual = data["location"]
    assert place["@type"] == "Place" and virtual["@type"] == "VirtualLocation"
    assert place["address"]["addressLocality"] == "Berlin"


def test_get_event_page_json_ld_online_event_has_a_virtual_location_and_offer(
    web: TestClient,
) -> None:
    data = json_ld(document(web.get("/e/online-career-fair")))
    assert data["location"] == {
        "@type": "VirtualLocation",
        "url": "https://example.org/remote-fair",
    }
    assert data["eventAttendanceMode"] == "https://schema.org/OnlineEventAttendanceMode"
    assert data["offers"] == {
        "@type": "Offer",
        "price": "15",
        "priceCurrency": "CAD",
        "url": "https://example.org/remote-fair",
    }


def test_get_event_page_escapes_markup_in_html_and_json_ld(web: TestClient) -> None:
    response = web.get("/e/script-title-meetup")
    assert response.status_code == 200
    page = document(response)
    assert texts(page, "//h1") == ["<script>alert(1)</script>"]
    assert texts(page, "//section[@class='description']/p") == ["<script>alert(3)</script>"]
    scripts = page.xpath("//script")
    assert [(s.get("src"), s.get("type")) for s in scripts] == [
        (None, "application/ld+json"),
        ("/static/site.js", None),
    ]
    assert not page.xpath("//img | //b")
    raw = scripts[0].text
    assert "<" not in raw and ">" not in raw and "&" not in raw
    data = json_ld(page)
    assert data["name"] == "<script>alert(1)</script>"
    assert data["organizer"]["name"] == '"><img src=x onerror=alert(2)>'
    assert data["location"]["name"] == "<b>Hall</b>"
    [og_title] = page.xpath("//meta[@property='og:title']/@content")
    assert og_title == "<script>alert(1)</script>"


def test_get_event_page_never_links_to_a_script_url(web: TestClient) -> None:
    response = web.get("/e/javascript-url-meetup")
    page = document(response)
    assert "javascript:" not in response.text
    assert "data:text/html" not in response.text
    assert json_ld(page)["url"] == "http://testserver/e/javascript-url-meetup"
    assert texts(page, "//section[@class='description']/p") == [
        "Bring <b>questions</b>.",
        "Second paragraph </script><script>alert(4)</script>",
    ]


def test_get_event_page_has_open_graph_tags(web: TestClient) -> None:
    page = document(web.get("/e/online-career-fair"))

    def meta(name: str) -> str:
        [value] = page.xpath(f"//meta[@property='{name}' or @name='{name}']/@content")
        return str(value)

    assert meta("og:title") == "Remote careers fair"
    assert meta("og:url") == "http://testserver/e/online-career-fair"
    assert meta("og:type") == "website"
    assert meta("og:description").startswith("Career fair, Wednesday 9 December 2026")
    assert page.xpath("//link[@rel='canonical']/@href") == [
        "http://testserver/e/online-career-fair"
    ]


def test_get_event_page_links_more_events_near_its_city(
    web: TestClient, page_store: EventStore
) -> None:
    page = document(web.get(f"/e/{event_id(page_store, 'React Day Berlin')}"))
    [nearby] = page.xpath("//a[starts-with(normalize-space(), 'More events near')]")
    assert nearby.text_content() == "More events near Berlin, Germany"
    assert web.get(nearby.get("href")).status_code == 200


@pytest.mark.parametrize("path", ["/e/no-such-event", "/e/..%2F..%2Fetc", "/e/" + "a" * 300])
def test_get_event_page_unknown_id_is_a_404_page(web: TestClient, path: str) -> None:
    response = web.get(path)
    assert response.status_code == 404
    assert texts(document(response), "//h1") == ["We could not find that event"]
