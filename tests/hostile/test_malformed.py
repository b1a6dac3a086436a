"""Oversized and malformed query strings, cursors, paths and form posts.

Every one is refused or answered, never a 5xx: the API with a 4xx whose
JSON names the field, the web page with its message beside the field.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from service.settings import Settings
from service.store import EventStore
from tests.factories import NOW
from tests.support.saved import real_events


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    folder = tmp_path_factory.mktemp("malformed")
    settings = Settings(
        database_url=f"sqlite:///{folder / 'meetscout.db'}",
        sources=folder / "sources.toml",
        base_url="http://testserver",
    )
    from service.store import make_engine, migrate

    engine = make_engine(settings.database_url)
    migrate(engine)
    EventStore(engine).upsert_many(real_events(), now=NOW)
    engine.dispose()
    with TestClient(create_app(settings, clock=lambda: NOW)) as test_client:
        yield test_client


def forged(payload: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")


QUERIES = {
    "q too long": ("/events?q=" + "x" * 10_000, "q"),
    "near too long": ("/events?near=" + "Toronto" * 2_000, "near"),
    "near empty": ("/events?near=", "near"),
    "near unknown": ("/events?near=Qwxzzyville", "near"),
    "lat not a number": ("/events?lat=north&lon=1", "lat"),
    "lat NaN": ("/events?lat=nan&lon=1", "lat"),
    "lat infinite": ("/events?lat=inf&lon=1", "lat"),
    "lon alone": ("/events?lon=1", "lat"),
    "radius zero": ("/events?near=Toronto&radius_km=0", "radius_km"),
    "radius huge": ("/events?near=Toronto&radius_km=1e308", "radius_km"),
    "radius NaN": ("/events?near=Toronto&radius_km=nan", "radius_km"),
    "limit negative": ("/events?limit=-1", "limit"),
    "limit huge": ("/events?limit=99999999999999999999", "limit"),
    "start nonsense": ("/events?start=yesterday", "start"),
    "start year 0": ("/events?start=0000-01-01", "start"),
    "start past 9999": ("/events?start=10000-01-01", "start"),
    "end a bare number": ("/events?end=560487", "end"),
    "start in exponent form": ("/events?start=1e5", "start"),
    "end before start": ("/events?start=2026-12-01&end=2026-11-01", "end"),
    "kind unknown": ("/events?kind=party", "kind"),
    "sector unknown": ("/events?sector=../../etc/passwd", "sector"),
    "sector many": ("/events?" + "&".join(["sector=nope"] * 500), "sector"),
    "sort unknown": ("/events?sort=random()", "sort"),
    "sort by distance without place": ("/events?sort=distance", "sort"),
    "free not boolean": ("/events?free=maybe", "free"),
    "attendance unknown": ("/events?attendance=telepathy", "attendance"),
    "cursor garbage": ("/events?cursor=%%%%", "cursor"),
    "cursor too long": ("/events?cursor=" + "A" * 5_000, "cursor"),
    "cursor not base64 JSON": ("/events?cursor=bm90IGpzb24", "cursor"),
    "cursor forged": ("/events?cursor=" + forged({"v": 1, "s": "score", "k": [1e308]}), "cursor"),
    "cursor of another sort": (
        "/events?sort=date&cursor=" + forged({"v": 1, "s": "score", "t": "x", "k": []}),
        "cursor",
    ),
    "cursor nested": ("/events?cursor=" + forged([[[[[[[[[[[]]]]]]]]]]]), "cursor"),
    "feed: q too long": ("/feeds/events.ics?q=" + "x" * 10_000, "q"),
    "feed: cursor-like junk in near": ("/feeds/events.ics?near=%0d%0aX-EVIL:1", "near"),
    "digest: timezone unknown": ("/digest?near=Berlin&timezone=Mars/Olympus", "timezone"),
    "digest: format unknown": ("/digest?format=exe", "format"),
    "hosts: near unknown": ("/hosts?near=Qwxzzyville", "near"),
    "places: q too long": ("/places?q=" + "x" * 10_000, "q"),
}


@pytest.mark.parametrize(("path", "field"), QUERIES.values(), ids=QUERIES)
def test_bad_query_is_a_4xx_naming_the_field(client: TestClient, path: str, field: str) -> None:
    answer = client.get(path)
    assert 400 <= answer.status_code < 500, (answer.status_code, answer.text[:300])
    detail = answer.json()["detail"]
    assert isinstance(detail, list), detail
    assert any(field in [str(part) for part in error["loc"]] for error in detail), detail


def test_a_search_from_centuries_back_pages_to_its_end(client: TestClient) -> None:
    path = "/events?start=0105-03-22T09:24:21Z&radius_km=360&limit=150"
    seen = 0
    for _ in range(20):
        answer = client.get(path)
        assert answer.status_code == 200, answer.text[:300]
        page = answer.json()
        seen += len(page["items"])
        if not page["next_cursor"]:
            break
        path = f"/events?start=0105-03-22T09:24:21Z&limit=150&cursor={page['next_cursor']}"
    assert seen == page["total"]


ODD_WORDS = {
    "NUL in q": "/events?q=a%00b",
    "invalid UTF-8 in q": "/events?q=%ff%fe%fd",
    "right-to-left override in q": "/events?q=%E2%80%AEgnp",
    "feed: invalid UTF-8 in q": "/feeds/events.ics?q=%ff%fe",
    "atom: NUL in q": "/feeds/events.atom?q=a%00b",
    "unbalanced quote in q": "/events?q=%22python",
    "full-text operators in q": "/events?q=NEAR(a%20b)%20OR%20NOT%20-c*",
    "column filter in q": "/events?q=title:x%20%7Bdescription%7D:%20y",
    "tsquery syntax in q": "/events?q=a%20%26%20!b%20%3C-%3E%20c:*",
    "only a star in q": "/events?q=*",
    "feed: full-text operators in q": "/feeds/events.ics?q=%22a%22%20AND%20(b",
}


@pytest.mark.parametrize("path", ODD_WORDS.values(), ids=ODD_WORDS)
def test_odd_words_are_searched_for(client: TestClient, path: str) -> None:
    """Words are words: searched for (and found nowhere), not a failure."""
    answer = client.get(path)
    assert answer.status_code == 200, answer.text[:300]


PATHS = {
    "event id too long": "/events/" + "a" * 5_000,
    "event id with dots": "/events/..%2f..%2fetc%2fpasswd",
    "event file id with NUL": "/events/a%00b.ics",
    "subscription token short": "/subscriptions/abc",
    "subscription token odd": "/subscriptions/" + "!" * 40,
}


@pytest.mark.parametrize("path", PATHS.values(), ids=PATHS)
def test_bad_path_is_a_4xx(client: TestClient, path: str) -> None:
    answer = client.get(path)
    assert answer.status_code in (404, 422), (answer.status_code, answer.text[:300])


PAGES = {
    "q too long": ("/?q=" + "x" * 10_000, "q"),
    "near unknown": ("/?near=Qwxzzyville", "near"),
    "radius nonsense": ("/?near=Berlin&radius_km=lots", "radius_km"),
    "start nonsense": ("/?near=Berlin&start=soon", "start"),
    "cursor garbage": ("/?near=Berlin&cursor=%%%%", None),
    "NUL in near": ("/?near=Ber%00lin", None),
    "many sectors": ("/?near=Berlin&" + "&".join(["sector=nope"] * 500), "sectors"),
}


@pytest.mark.parametrize(("path", "field"), PAGES.values(), ids=PAGES)
def test_search_page_answers_bad_input_beside_the_field(
    client: TestClient, path: str, field: str | None
) -> None:
    """The page answers 200 with the form again and its message beside the field."""
    answer = client.get(path)
    assert answer.status_code == 200, answer.text[:300]
    if field is not None:
        assert f'aria-describedby="{field}-error"' in answer.text or f'id="{field}-error"' in (
            answer.text
        ), field


def test_search_page_shows_a_scripted_query_as_text(client: TestClient) -> None:
    answer = client.get("/", params={"q": "<script>alert(1)</script>", "near": '"><svg onload=x>'})
    assert answer.status_code == 200
    assert "<script>alert(1)" not in answer.text
    assert "<svg onload" not in answer.text


FORMS = {
    "too large": (
        b"email=a%40b.org&near=" + b"x" * 20_000,
        "application/x-www-form-urlencoded",
        413,
    ),
    "not a form": (b'{"email": "a@b.org"}', "application/json", 415),
    "bytes that are not UTF-8": (
        b"email=\xff\xfe&near=\xff",
        "application/x-www-form-urlencoded",
        200,
    ),
    "a thousand fields": (b"&".join([b"x=1"] * 1_000), "application/x-www-form-urlencoded", 413),
    "header injection": (
        b"email=a%40b.org%0d%0aBcc%3a+c%40d.org&near=Berlin",
        "application/x-www-form-urlencoded",
        200,
    ),
}


@pytest.mark.parametrize(("body", "media_type", "status"), FORMS.values(), ids=FORMS)
def test_bad_form_posts_are_refused_plainly(
    client: TestClient, body: bytes, media_type: str, status: int
) -> None:
    answer = client.post("/subscribe", content=body, headers={"Content-Type": media_type})
    assert answer.status_code == status, answer.text[:300]
    assert "<html" in answer.text.lower()


PEOPLE_FORMS = ["/g/mark", "/g/unmark", "/h/some-host/follow"]


@pytest.mark.parametrize("path", PEOPLE_FORMS)
@pytest.mark.parametrize(
    "body",
    [b"&".join([b"x=1"] * 1_000), b"event_id=" + b"x" * 20_000, b"\xff\xfe=\x00"],
    ids=["a thousand fields", "too large", "not UTF-8"],
)
def test_bad_posts_to_visitor_forms_are_refused(client: TestClient, path: str, body: bytes) -> None:
    answer = client.post(
        path, content=body, headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert 400 <= answer.status_code < 500, (answer.status_code, answer.text[:300])


BODIES = {
    "not JSON": (b"email=a", 422, "body"),
    "deeply nested": (b"[" * 100_000 + b"]" * 100_000, 400, None),
    "huge string": (
        json.dumps({"email": "a" * 1_000_000 + "@b.org", "near": "Berlin"}),
        422,
        "email",
    ),
    "CRLF in email": (
        json.dumps({"email": "a@b.org\r\nBcc: c@d.org", "near": "Berlin"}),
        422,
        None,
    ),
    "unknown field": (
        json.dumps({"email": "a@b.org", "near": "Berlin", "admin": True}),
        422,
        "admin",
    ),
    "radius NaN": (b'{"email": "a@b.org", "near": "Berlin", "radius_km": NaN}', 422, "radius_km"),
    "sectors many": (
        json.dumps({"email": "a@b.org", "near": "Berlin", "sectors": ["technology"] * 10_000}),
        422,
        "sectors",
    ),
}


@pytest.mark.parametrize(("body", "status", "field"), BODIES.values(), ids=BODIES)
def test_bad_subscription_bodies_are_a_4xx_naming_the_field(
    client: TestClient, body: bytes | str, status: int, field: str | None
) -> None:
    answer = client.post(
        "/subscriptions", content=body, headers={"Content-Type": "application/json"}
    )
    assert answer.status_code == status, answer.text[:300]
    if field is not None:
        locations = [error["loc"] for error in answer.json()["detail"]]
        assert any(field in [str(part) for part in loc] for loc in locations), locations
