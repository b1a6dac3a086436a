"""``/subscriptions`` as HTTP transcripts, with a real SMTP server catching the mail."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import lxml.html
import pytest
from fastapi.testclient import TestClient
from lxml import etree
from pydantic import SecretStr

from service.app import create_app
from service.settings import Settings
from service.store import EventStore, SubscriptionStore
from tests.factories import MONDAY, NOW, SCRIPT_TITLE, script_event, subscription_request
from tests.support.saved import bundled_events
from tests.support.smtp import SmtpSink
from tests.support.templates import Templates

ADDRESS = "ada.lovelace@example.org"
ATOM = "{http://www.w3.org/2005/Atom}"


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def sink() -> Iterator[SmtpSink]:
    with SmtpSink() as server:
        yield server


@pytest.fixture
def located(store: EventStore, templates: Templates) -> EventStore:
    templates.seed(store, "bundled", lambda: [*bundled_events(), script_event()])
    return store


@pytest.fixture
def mail_settings(settings: Settings, sink: SmtpSink) -> Settings:
    return settings.model_copy(
        update={
            "smtp_url": SecretStr(sink.url),
            "mail_from": "meetscout <digest@meetscout.test>",
            "subscribe_burst": 4,
            "subscribe_per_hour": 1.0,
        }
    )


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


@pytest.fixture
def api(mail_settings: Settings, located: EventStore, clock: Clock) -> Iterator[TestClient]:
    with TestClient(create_app(mail_settings, clock=clock)) as client:
        yield client


def body(**changes: Any) -> dict[str, Any]:
    """Ada Lovelace asks for technology within 400 km of Leipzig, on weekday daytimes."""
    return subscription_request(**({"email": ADDRESS} | changes))


def subscribe(api: TestClient, **changes: Any) -> str:
    response = api.post("/subscriptions", json=body(**changes))
    assert response.status_code == 201, response.text
    return str(response.json()["token"])


def confirm_url(sink: SmtpSink, address: str = ADDRESS) -> str:
    message = sink.handler.to(address)[-1].message
    plain = message.get_body(("plain",))
    assert plain is not None
    found = re.search(
        r"http://testserver(/subscriptions/\S+/confirm\?code=\S+)", plain.get_content()
    )
    assert found is not None
    return found.group(1)


def test_create_subscription_answers_201_with_a_token_and_sends_a_confirmation(
    api: TestClient, sink: SmtpSink
) -> None:
    response = api.post("/subscriptions", json=body())
    assert response.status_code == 201
    data = response.json()
    token = data["token"]
    assert len(token) >= 40
    assert response.headers["location"] == f"http://testserver/subscriptions/{token}"
    assert data["subscription"]["status"] == "pending"
    assert data["subscription"]["near"] == "Leipzig, Germany"
    assert data["subscription"]["timezone"] == "Europe/Berlin"
    assert data["subscription"]["links"]["feed"].endswith(f"/subscriptions/{token}/digest.atom")
    [received] = sink.handler.to(ADDRESS)
    message = received.message
    assert message["Subject"] == "Confirm your meetscout weekly digest for Leipzig, Germany"
    assert message.get_content_type() == "multipart/alternative"
    assert f"/subscriptions/{token}/confirm?code=" in confirm_url(sink)


def test_create_subscription_never_shows_the_address(api: TestClient) -> None:
    created = api.post("/subscriptions", json=body())
    token = created.json()["token"]
    shown = api.get(f"/subscriptions/{token}")
    for response in (created, shown):
        assert ADDRESS not in response.text
        assert "lovelace" not in response.text
    assert shown.json()["email"] == "a•••@e•••.org"


def test_create_subscription_from_coordinates_takes_the_nearest_citys_zone(
    api: TestClient,
) -> None:
    response = api.post("/subscriptions", json=body(near=None, lat=43.65, lon=-79.38))
    assert response.status_code == 201
    assert response.json()["subscription"]["timezone"] == "America/Toronto"
    assert response.json()["subscription"]["near"] is None


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"email": "not-an-address"}, "email"),
        ({"email": "ada@example.org\r\nBcc: victim@example.org"}, None),
        ({"email": "ada@example.org\nBcc: victim@example.org"}, None),
        ({"near": "Leipzig\r\nBcc: victim@example.org"}, None),
        ({"sectors": ["technology\n"]}, None),
        ({"timezone": "Europe/Berlin\r\n"}, None),
        ({"radius_km": 0}, "radius_km"),
        ({"radius_km": 501}, "radius_km"),
        ({"sectors": ["astrology"]}, "sectors"),
        ({"free_times": ["midnight"]}, "free_times"),
        ({"timezone": "Mars/Olympus_Mons"}, "timezone"),
        ({"near": None}, None),
        ({"near": None, "lat": 52.5}, None),
        ({"lat": 52.5, "lon": 13.4}, None),
        ({"near": "Xqzvbnm Qwrtp"}, "near"),
        ({"unexpected": True}, "unexpected"),
        ({"near": None, "lat": True, "lon": True}, "lat"),
        ({"near": None, "lat": "52.5", "lon": 13.4}, "lat"),
        ({"radius_km": True}, "radius_km"),
    ],
)
def test_create_subscription_rejects_bad_input_with_422(
    api: TestClient, sink: SmtpSink, changes: dict[str, Any], field: str | None
) -> None:
    response = api.post("/subscriptions", json=body(**changes))
    assert response.status_code == 422, response.text
    if field is not None:
        assert any(field in error["loc"] for error in response.json()["detail"])
    assert sink.handler.received == []


def test_create_subscription_is_rate_limited_per_client(api: TestClient) -> None:
    statuses = [
        api.post("/subscriptions", json=body(email=f"p{n}@example.org")).status_code
        for n in range(5)
    ]
    assert statuses == [201, 201, 201, 201, 429]
    limited = api.post("/subscriptions", json=body(email="late@example.org"))
    assert limited.status_code == 429
    assert int(limited.headers["retry-after"]) > 0


def test_create_subscription_rate_limit_holds_across_workers(
    api: TestClient, mail_settings: Settings, clock: Clock
) -> None:
    """A second worker (another app over the same store) shares the first one's limit."""
    with TestClient(create_app(mail_settings, clock=clock)) as other_worker:
        statuses = [
            (api if n % 2 else other_worker)
            .post("/subscriptions", json=body(email=f"p{n}@example.org"))
            .status_code
            for n in range(5)
        ]
    assert statuses == [201, 201, 201, 201, 429]


def test_create_subscription_caps_unconfirmed_ones_per_address(api: TestClient) -> None:
    statuses = [api.post("/subscriptions", json=body()).status_code for _ in range(4)]
    assert statuses == [201, 201, 201, 429]


def test_create_subscription_without_mail_configured_is_503(
    settings: Settings, located: EventStore
) -> None:
    with TestClient(create_app(settings, clock=lambda: NOW)) as client:
        response = client.post("/subscriptions", json=body())
    assert response.status_code == 503


def test_create_subscription_keeps_nothing_when_the_confirmation_fails(
    api: TestClient, sink: SmtpSink, located: EventStore
) -> None:
    sink.handler.refuse.add(ADDRESS)
    response = api.post("/subscriptions", json=body())
    assert response.status_code == 503
    assert SubscriptionStore(located.engine).pending_count(email=ADDRESS, since=NOW) == 0


def test_confirm_subscription_page_then_post(api: TestClient, sink: SmtpSink) -> None:
    token = subscribe(api)
    url = confirm_url(sink)
    page = api.get(url)
    assert page.status_code == 200
    form = lxml.html.fromstring(page.text).xpath("//form")[0]
    assert form.get("method") == "post"
    assert form.get("action") == f"http://testserver{url}"
    # Following the link alone (as a mail scanner does) confirms nothing.
    assert api.get(f"/subscriptions/{token}").json()["status"] == "pending"
    assert api.post(url).status_code == 200
    shown = api.get(f"/subscriptions/{token}").json()
    assert shown["status"] == "active"
    assert shown["confirmed"] is not None


def test_confirm_subscription_with_a_wrong_code_is_400(api: TestClient) -> None:
    token = subscribe(api)
    response = api.post(f"/subscriptions/{token}/confirm?code=guessed")
    assert response.status_code == 400
    assert api.get(f"/subscriptions/{token}").json()["status"] == "pending"


def test_confirm_subscription_after_a_week_is_400(
    api: TestClient, sink: SmtpSink, clock: Clock
) -> None:
    subscribe(api)
    clock.now = NOW + timedelta(days=8)
    assert api.post(confirm_url(sink)).status_code == 400


@pytest.mark.parametrize("token", ["short", "x" * 43 + "!", "a" * 65])
def test_get_subscription_with_a_malformed_token_is_422(api: TestClient, token: str) -> None:
    assert api.get(f"/subscriptions/{token}").status_code == 422


def test_get_unknown_subscription_is_404(api: TestClient) -> None:
    assert api.get("/subscriptions/" + "a" * 43).status_code == 404


def test_patch_subscription_changes_only_what_is_given(api: TestClient) -> None:
    token = subscribe(api)
    response = api.patch(
        f"/subscriptions/{token}", json={"radius_km": 50, "free_times": ["weekends"]}
    )
    assert response.status_code == 200
    data = response.json()
    assert (data["radius_km"], data["free_times"]) == (50, ["weekends"])
    assert data["sectors"] == ["technology"]
    moved = api.patch(f"/subscriptions/{token}", json={"near": "Toronto"}).json()
    assert (moved["near"], moved["timezone"]) == ("Toronto, Ontario, Canada", "America/Toronto")


@pytest.mark.parametrize(
    "changes",
    [
        {"email": "other@example.org"},
        {"radius_km": 9999},
        {"sectors": ["astrology"]},
        {"near": "Berlin\r\nX-Evil: 1"},
    ],
)
def test_patch_subscription_rejects_bad_input_with_422(
    api: TestClient, changes: dict[str, Any]
) -> None:
    token = subscribe(api)
    assert api.patch(f"/subscriptions/{token}", json=changes).status_code == 422


def test_delete_subscription_forgets_it(api: TestClient) -> None:
    token = subscribe(api)
    assert api.delete(f"/subscriptions/{token}").status_code == 204
    assert api.get(f"/subscriptions/{token}").status_code == 404
    assert api.delete(f"/subscriptions/{token}").status_code == 404


def test_unsubscribe_page_then_one_click_post(api: TestClient) -> None:
    token = subscribe(api)
    page = api.get(f"/subscriptions/{token}/unsubscribe")
    assert page.status_code == 200
    assert lxml.html.fromstring(page.text).xpath("//form[@method='post']")
    assert api.get(f"/subscriptions/{token}").json()["status"] == "pending"
    response = api.post(
        f"/subscriptions/{token}/unsubscribe",
        content=b"List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 200
    assert api.get(f"/subscriptions/{token}").json()["status"] == "unsubscribed"
    assert api.get(f"/subscriptions/{token}/digest.atom").status_code == 410


def test_unsubscribe_unknown_token_is_404(api: TestClient) -> None:
    assert api.post("/subscriptions/" + "b" * 43 + "/unsubscribe").status_code == 404


def test_subscription_digest_atom_escapes_titles(api: TestClient, clock: Clock) -> None:
    token = subscribe(api)
    clock.now = MONDAY
    response = api.get(f"/subscriptions/{token}/digest.atom")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/atom+xml; charset=utf-8"
    assert b"<script>" not in response.content
    feed = etree.fromstring(response.content, etree.XMLParser(resolve_entities=False))
    entry = feed.find(f"{ATOM}entry")
    assert entry is not None
    content = entry.findtext(f"{ATOM}content") or ""
    document = lxml.html.fromstring(content)
    assert document.xpath("//script") == []
    assert SCRIPT_TITLE in document.text_content()
    again = etree.fromstring(api.get(f"/subscriptions/{token}/digest.atom").content)
    assert again.findtext(f"{ATOM}entry/{ATOM}id") == entry.findtext(f"{ATOM}id")


@pytest.mark.parametrize(
    ("format", "media_type"),
    [
        ("html", "text/html; charset=utf-8"),
        ("text", "text/plain; charset=utf-8"),
        ("md", "text/markdown; charset=utf-8"),
        ("json", "application/json"),
    ],
)
def test_subscription_digest_page_in_each_format(
    api: TestClient, clock: Clock, format: str, media_type: str
) -> None:
    token = subscribe(api)
    clock.now = MONDAY
    response = api.get(f"/subscriptions/{token}/digest", params={"format": format})
    assert response.status_code == 200
    assert response.headers["content-type"] == media_type
    assert ADDRESS not in response.text
