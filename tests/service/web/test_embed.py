"""``/embed``: a search framed by other sites, and the snippet the search page offers for it."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from fastapi.testclient import TestClient
from lxml import html

from tests.support.pages import document, texts


def test_embed_lists_the_search_soonest_best_first(web: TestClient) -> None:
    response = web.get("/embed", params={"near": "Berlin", "radius_km": "150", "items": "5"})
    page = document(response)

    assert response.status_code == 200
    assert texts(page, "//h1") == ["Events within 150 km of Berlin"]
    links = page.xpath("//ol[@class='embed-list']/li/a")
    assert len(links) == 5
    listed = web.get("/events", params={"near": "Berlin", "radius_km": "150", "limit": 5}).json()
    assert [link.get("href").rsplit("/", 1)[1] for link in links] == [
        item["id"] for item in listed["items"]
    ]
    for link in links:
        assert link.get("target") == "_blank" and link.get("rel") == "noopener"
    more = page.xpath("//p[@class='embed-more']/a/@href")[0]
    assert parse_qs(urlsplit(more).query)["near"] == ["Berlin"]


def test_embed_may_be_framed_by_any_site_and_loads_nothing_from_elsewhere(
    web: TestClient,
) -> None:
    response = web.get("/embed")
    policy = response.headers["content-security-policy"]

    assert "frame-ancestors *" in policy
    assert "x-frame-options" not in response.headers
    assert "default-src 'none'" in policy and "script-src 'self'" in policy
    page = document(response)
    assert page.xpath("//script/@src") == ["/static/embed-frame.js"]
    assert page.xpath("//link[@rel='stylesheet']/@href") == ["/static/embed.css"]


def test_other_pages_still_refuse_to_be_framed(web: TestClient) -> None:
    response = web.get("/")
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert response.headers["x-frame-options"] == "DENY"


def test_embed_with_a_mistake_says_so_inside_the_frame(web: TestClient) -> None:
    response = web.get("/embed", params={"near": "Berlin", "radius_km": "-5"})
    page = document(response)
    assert response.status_code == 200
    assert texts(page, "//ul[@class='embed-problems']/li")
    assert not page.xpath("//ol[@class='embed-list']")


def test_search_page_offers_the_reading_lists_and_the_embed_snippet(web: TestClient) -> None:
    page = document(web.get("/", params={"near": "Berlin", "q": '"><script>x</script>'}))

    hrefs = page.xpath("//section[@id='anywhere']//a/@href")
    paths = {urlsplit(href).path for href in hrefs}
    assert {"/feeds/events.atom", "/feeds/events.json", "/feeds/events.csv", "/embed"} <= paths
    news = [href for href in hrefs if "new=1" in href]
    assert len(news) == 2
    snippet = page.xpath("//textarea[@id='embed-snippet']")[0].text
    framed = html.fragment_fromstring(snippet, create_parent="div")
    iframe = framed.xpath("//iframe")[0]
    embed = urlsplit(iframe.get("src"))
    assert embed.path == "/embed"
    assert parse_qs(embed.query)["q"] == ['"><script>x</script>']
    assert iframe.get("data-meetscout-embed") == ""
    assert framed.xpath("//script/@src") == ["http://testserver/static/embed.js"]
    assert len(framed.xpath("//script")) == 1


def test_embed_scripts_are_served_by_meetscout(web: TestClient) -> None:
    for path in ("/static/embed.js", "/static/embed-frame.js", "/static/embed.css"):
        assert web.get(path).status_code == 200
