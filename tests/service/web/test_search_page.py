"""``GET /``: the search form and its results, as HTTP transcripts read as parsed HTML."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient

from service.places.distance import exact_km
from service.store import EventStore
from tests.support.pages import document, field_error, result_ids, texts, unlabelled_controls

BERLIN = (52.52437, 13.41053)


def test_get_search_page_without_a_search_lists_upcoming_events(web: TestClient) -> None:
    response = web.get("/")
    assert response.status_code == 200
    page = document(response)
    assert page.xpath("//form[@role='search' and @method='get' and @action='/']")
    assert texts(page, "//h2[@id='results-heading']") == ["All events on meetscout"]
    assert len(result_ids(page)) == 20
    assert page.xpath("//a[contains(@href, '?cursor=')][normalize-space()='More events']")


def test_get_search_page_labels_every_control(web: TestClient) -> None:
    page = document(web.get("/", params={"near": "Berlin"}))
    assert unlabelled_controls(page) == []
    sectors = page.xpath("//input[@name='sector']/@value")
    assert "technology" in sectors and "healthcare" in sectors
    kinds = page.xpath("//input[@name='kind']/@value")
    assert kinds == ["conference", "book_signing", "meetup", "career_fair", "workshop", "other"]
    assert page.xpath("//input[@name='attendance']/@value") == ["any", "in_person", "online"]
    assert page.xpath("//input[@id='start' and @type='date']")
    assert page.xpath("//input[@id='near' and @list='place-options']")


def test_get_search_page_near_a_city_lists_only_events_inside_the_radius(
    web: TestClient, page_store: EventStore
) -> None:
    page = document(web.get("/", params={"near": "Berlin", "radius_km": "50"}))
    ids = result_ids(page)
    assert ids
    for event_id in ids:
        event = page_store.get(event_id=event_id)
        assert event is not None and event.venue.lat is not None and event.venue.lon is not None
        assert exact_km(*BERLIN, event.venue.lat, event.venue.lon) <= 50
    assert texts(page, "//h2[@id='results-heading']") == ["Events within 50 km of Berlin, Germany"]


@pytest.mark.parametrize(
    "params",
    [
        {"near": "Berlin", "radius_km": "150"},
        {"near": "Berlin", "radius_km": "150", "sort": "date"},
        {"near": "Berlin", "radius_km": "150", "sort": "distance", "kind": "other"},
        {"near": "Berlin", "radius_km": "500", "sector": "technology", "attendance": "online"},
        {"q": "repair"},
    ],
)
def test_get_search_page_ranks_like_the_api(web: TestClient, params: dict[str, str]) -> None:
    page = document(web.get("/", params=params))
    api = web.get("/events", params={**params, "limit": "20"})
    assert api.status_code == 200
    assert result_ids(page) == [item["id"] for item in api.json()["items"]]
    assert result_ids(page)


def test_get_search_page_shows_times_in_the_events_time_zone(web: TestClient) -> None:
    page = document(web.get("/", params={"near": "Cottbus", "q": "Repair"}))
    [first, *_] = page.xpath("//ol[@class='result-list']/li")
    assert texts(first, ".//time") == ["Saturday 5 December 2026, 14:00 to 17:00 CET"]
    assert first.xpath(".//time/@datetime") == ["2026-12-05T14:00:00+01:00"]
    assert texts(first, ".//ul[@class='facts']/li[not(@class)]")[1].endswith("· 1.3 km away")


def test_get_search_page_result_says_why_and_links_to_calendars_and_source(
    web: TestClient,
) -> None:
    page = document(web.get("/", params={"near": "Berlin", "radius_km": "150", "q": "Repair"}))
    [first, *_] = page.xpath("//ol[@class='result-list']/li")
    why = texts(first, ".//div[@class='why']//li")
    assert "Energy & Environment: repair cafe" in why
    assert "in person" in why
    links = first.xpath(".//p[@class='actions']/a/@href")
    event_id = result_ids(page)[0]
    assert f"/events/{event_id}.ics" in links
    google = urlsplit(links[1])
    assert google.netloc == "calendar.google.com"
    assert parse_qs(google.query)["ctz"] == ["Europe/Berlin"]
    assert links[2] == "http://blog.fablab-cottbus.de/Veranstaltung/repair-cafe-2/"


def test_get_search_page_offers_the_search_as_a_calendar_subscription(web: TestClient) -> None:
    page = document(
        web.get("/", params={"near": "Berlin", "radius_km": "150", "sector": "technology"})
    )
    [webcal] = page.xpath("//a[@data-feed-link='webcal']/@href")
    [https] = page.xpath("//input[@data-feed-link='https']/@value")
    [google] = page.xpath("//a[@data-feed-link='google']/@href")
    assert webcal.startswith("webcal://testserver/feeds/events.ics?")
    assert https == "http://testserver" + webcal.removeprefix("webcal://testserver")
    query = parse_qs(urlsplit(https).query)
    assert query == {"near": ["Berlin"], "radius_km": ["150"], "sector": ["technology"]}
    assert google == "https://calendar.google.com/calendar/r?cid=" + webcal.replace(
        ":", "%3A"
    ).replace("/", "%2F").replace("?", "%3F").replace("=", "%3D").replace("&", "%26")
    feed = web.get(https.removeprefix("http://testserver"))
    assert feed.status_code == 200
    assert feed.headers["content-type"].startswith("text/calendar")
    assert "BEGIN:VCALENDAR" in feed.text
    for app in ("Apple Calendar", "Outlook", "Thunderbird", "Google Calendar"):
        assert texts(page, f"//ul[@class='how-to']/li[strong='{app}']")


def test_get_search_page_feed_choices_change_the_links(web: TestClient) -> None:
    params = {"near": "Berlin", "cancelled": "hide", "alarm": "60", "followup": "1"}
    page = document(web.get("/", params=params))
    [https] = page.xpath("//input[@data-feed-link='https']/@value")
    query = parse_qs(urlsplit(https).query)
    assert query["cancelled"] == ["hide"]
    assert query["alarm"] == ["60"]
    assert query["followup"] == ["1"]
    assert page.xpath("//input[@id='cancelled-hide']/@checked")
    assert page.xpath("//select[@id='alarm']/option[@value='60']/@selected")
    feed = web.get(https.removeprefix("http://testserver"))
    assert feed.status_code == 200
    assert "BEGIN:VALARM" in feed.text
    assert "SUMMARY:Follow up with the people you met at" in feed.text
    assert "STATUS:CANCELLED" not in feed.text


def test_get_search_page_feed_choices_form_works_without_javascript(web: TestClient) -> None:
    page = document(web.get("/", params={"near": "Berlin", "kind": "meetup"}))
    [form] = page.xpath("//form[@data-feed-options]")
    assert form.get("method") == "get"
    hidden = {(i.get("name"), i.get("value")) for i in form.xpath(".//input[@type='hidden']")}
    assert hidden == {("near", "Berlin"), ("kind", "meetup")}
    assert form.xpath(".//button[@type='submit']")


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"near": "x" * 10_240}, "near", "at most 200 characters"),
        ({"near": "Berlin", "radius_km": "-5"}, "radius_km", "between 1 and 500 km"),
        ({"near": "Berlin", "radius_km": "lots"}, "radius_km", "number of kilometres"),
        ({"near": "Berlin", "radius_km": "nan"}, "radius_km", "between 1 and 500 km"),
        ({"near": "Qwxzzyville"}, "near", "could not find a place called “Qwxzzyville”"),
        ({"start": "2026-12-10", "end": "2026-12-01"}, "end", "cannot be before the first day"),
        ({"start": "tomorrow"}, "start", "Enter a date like 2026-12-01"),
        ({"sort": "distance"}, "sort", "needs a place"),
        ({"q": "word " * 100}, "q", "at most 200 characters"),
    ],
)
def test_get_search_page_bad_input_shows_a_message_next_to_the_field(
    web: TestClient, params: dict[str, str], field: str, message: str
) -> None:
    response = web.get("/", params=params)
    assert response.status_code == 200
    assert "Traceback" not in response.text
    page = document(response)
    assert message in field_error(page, field)
    summary = texts(page, "//div[@class='error-summary']//a")
    assert any(message in item for item in summary)
    assert page.xpath(f"//div[@class='error-summary']//a[@href='#{field}']")
    assert not page.xpath("//ol[@class='result-list']")
    assert texts(page, "//title")[0].startswith("Error: ")


def test_get_search_page_keeps_only_the_first_part_of_a_huge_place(web: TestClient) -> None:
    response = web.get("/", params={"near": "Berlin" * 2000})
    assert len(response.text) < 100_000
    [value] = document(response).xpath("//input[@id='near']/@value")
    assert len(value) == 200


@pytest.mark.parametrize(
    ("params", "field"),
    [({"sector": "astrology"}, "sectors"), ({"kind": "rave"}, "kinds")],
)
def test_get_search_page_unknown_choice_is_named(
    web: TestClient, params: dict[str, str], field: str
) -> None:
    response = web.get("/", params=params)
    assert response.status_code == 200
    [message] = texts(document(response), f"//*[@id='{field}-error']")
    assert f"“{next(iter(params.values()))}” is not one of the choices" in message


def test_get_search_page_misspelt_place_suggests_real_ones(web: TestClient) -> None:
    page = document(web.get("/", params={"near": "Berln", "kind": "conference"}))
    suggestions = page.xpath("//ul[@class='suggestions']//a")
    labels = [link.text_content() for link in suggestions]
    assert "Berlin, Germany" in labels
    href = suggestions[labels.index("Berlin, Germany")].get("href")
    assert parse_qs(urlsplit(href).query) == {"near": ["Berlin, Germany"], "kind": ["conference"]}
    assert web.get(href).status_code == 200


def test_get_search_page_next_page_continues_the_list(web: TestClient) -> None:
    first = document(web.get("/", params={"sort": "date"}))
    [more] = first.xpath("//a[normalize-space()='More events']/@href")
    second = document(web.get(more))
    assert result_ids(second)
    assert not set(result_ids(first)) & set(result_ids(second))


def test_get_search_page_stale_cursor_starts_again(web: TestClient) -> None:
    response = web.get("/", params={"sort": "date", "cursor": "not-a-cursor"})
    assert response.status_code == 200
    page = document(response)
    assert texts(page, "//p[@class='notice']") == [
        "That page of results has moved on; here is the first page again."
    ]
    assert len(result_ids(page)) == 20


def test_get_search_page_shows_markup_in_titles_as_text(web: TestClient) -> None:
    response = web.get("/", params={"near": "Berlin", "radius_km": "20"})
    page = document(response)
    titles = texts(page, "//ol[@class='result-list']//h3")
    assert "<script>alert(1)</script>" in titles
    assert "Founders & <em>friends</em> breakfast" in titles
    assert "<script>alert(1)</script>" not in response.text
    assert not page.xpath("//ol[@class='result-list']//em | //ol[@class='result-list']//script")


def test_get_search_page_never_links_to_a_script_url(web: TestClient) -> None:
    response = web.get("/", params={"near": "Berlin", "radius_km": "20"})
    hrefs = document(response).xpath("//@href")
    assert hrefs
    assert not [href for href in hrefs if not href.startswith(("/", "#", "http", "webcal"))]
    assert "javascript:" not in response.text
    assert "data:text/html" not in response.text


def test_get_search_page_loads_nothing_from_elsewhere(web: TestClient) -> None:
    response = web.get("/")
    page = document(response)
    loaded = page.xpath(
        "//script/@src | //link[@rel='stylesheet' or @rel='icon']/@href | //img/@src"
    )
    assert sorted(loaded) == [
        "/static/icon.svg",
        "/static/map.css",
        "/static/map.js",
        "/static/site.css",
        "/static/site.js",
        "/static/vendor/leaflet/leaflet.css",
        "/static/vendor/leaflet/leaflet.js",
    ]
    policy = response.headers["content-security-policy"]
    assert "default-src 'none'" in policy
    assert "script-src 'self'" in policy
    for path in loaded:
        assert web.get(path).status_code == 200
    assert "http" not in web.get("/static/site.css").text.replace("https://", "")


def test_get_static_files_have_their_types(web: TestClient) -> None:
    assert web.get("/static/site.css").headers["content-type"].startswith("text/css")
    assert "javascript" in web.get("/static/site.js").headers["content-type"]
    assert web.get("/static/icon.svg").headers["content-type"].startswith("image/svg+xml")


def test_get_search_page_without_mail_says_so_and_links_the_digest_page(
    web: TestClient,
) -> None:
    web.app.state.settings = web.app.state.settings.model_copy(update={"smtp_url": None})
    page = document(web.get("/", params={"near": "Berlin"}))
    assert not page.xpath("//form[@action='/subscribe#digest']")
    assert "MEETSCOUT_SMTP_URL" in texts(page, "//section[@id='digest']")[0]
    [digest] = page.xpath("//section[@id='digest']//a/@href")
    assert web.get(digest).status_code == 200


def test_get_search_page_with_nothing_found_offers_wider_and_online(web: TestClient) -> None:
    page = document(web.get("/", params={"near": "Toronto", "radius_km": "5"}))
    assert result_ids(page) == []
    links = {
        link.text_content(): link.get("href") for link in page.xpath("//div[@class='empty']//a")
    }
    assert parse_qs(urlsplit(links["the same search within 100 km"]).query) == {
        "near": ["Toronto"],
        "radius_km": ["100"],
    }
    online = parse_qs(urlsplit(links["online events"]).query)
    assert online == {"near": ["Toronto"], "radius_km": ["5"], "attendance": ["online"]}
    assert result_ids(document(web.get(links["online events"])))


def test_get_search_page_shows_a_monthly_event_once_with_its_rhythm(web: TestClient) -> None:
    page = document(web.get("/", params={"near": "Cottbus", "q": "Repair"}))
    items = page.xpath("//ol[@class='result-list']/li")
    assert len(items) == 1
    [repeats] = texts(items[0], ".//li[@class='repeats']")
    assert repeats.startswith("Repeats monthly, on a Saturday, 2 pm (")
    assert texts(items[0], ".//time") == ["Saturday 5 December 2026, 14:00 to 17:00 CET"]
    assert texts(page, "//p[@class='count']")[0].startswith("1 event")
