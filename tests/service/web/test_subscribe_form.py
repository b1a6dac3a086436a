"""``POST /subscribe``: the digest sign-up form, without JavaScript, through to the email."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from service.model import FreeTime, Subscription
from service.store import EventStore, SubscriptionStore
from service.store.subscriptions import subscriptions
from tests.support.pages import document, field_error, texts
from tests.support.smtp import SmtpSink

ADDRESS = "grace.hopper@example.org"


def form(**changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "email": ADDRESS,
        "near": "Berlin",
        "radius_km": "150",
        "sector": "technology",
        "kind": ["conference", "meetup"],
        "free_time": ["weekday_evenings", "weekends"],
    }
    values.update(changes)
    return {key: value for key, value in values.items() if value is not None}


def test_get_search_page_signup_form_carries_the_search(web: TestClient) -> None:
    page = document(
        web.get("/", params={"near": "Berlin", "radius_km": "150", "sector": "technology"})
    )
    [signup] = page.xpath("//form[@action='/subscribe#digest']")
    assert signup.get("method") == "post"
    hidden = {(i.get("name"), i.get("value")) for i in signup.xpath(".//input[@type='hidden']")}
    assert hidden == {("radius_km", "150"), ("sector", "technology")}
    assert signup.xpath(".//input[@id='signup-near' and @name='near']/@value") == ["Berlin"]
    assert signup.xpath(".//input[@type='email' and @autocomplete='email']")


def test_post_subscribe_sends_a_confirmation_and_says_check_your_inbox(
    web: TestClient, sink: SmtpSink, page_store: EventStore
) -> None:
    response = web.post("/subscribe", data=form())
    assert response.status_code == 200
    page = document(response)
    assert texts(page, "//h1") == ["Check your inbox to confirm"]
    assert "g•••@e•••.org" in texts(page, "//main")[0]
    assert ADDRESS not in response.text
    [received] = sink.handler.to(ADDRESS)
    assert received.message["Subject"] == "Confirm your meetscout weekly digest for Berlin, Germany"
    subscription = only_subscription(page_store)
    assert subscription.email == ADDRESS
    assert subscription.status == "pending"
    assert subscription.near == "Berlin, Germany"
    assert subscription.radius_km == 150
    assert subscription.sectors == ("technology",)
    assert [kind.value for kind in subscription.kinds] == ["conference", "meetup"]
    assert subscription.free_times == (FreeTime.WEEKDAY_EVENINGS, FreeTime.WEEKENDS)


def only_subscription(store: EventStore) -> Subscription:
    with store.engine.connect() as connection:
        [token] = connection.execute(select(subscriptions.c.token)).scalars().all()
    subscription = SubscriptionStore(store.engine).get(token=token)
    assert subscription is not None
    return subscription


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"email": "not-an-address"}, "signup-email", "Not an email address"),
        ({"email": ""}, "signup-email", "Type your email address"),
        (
            {"email": "grace@example.org\r\nBcc: victim@example.org"},
            "signup-email",
            "no line breaks",
        ),
        ({"near": ""}, "signup-near", "Type the place the weekly email is about"),
        ({"near": "Qwxzzyville"}, "signup-near", "could not find a place called"),
    ],
)
def test_post_subscribe_bad_input_shows_a_message_next_to_the_field(
    web: TestClient, sink: SmtpSink, changes: dict[str, str], field: str, message: str
) -> None:
    response = web.post("/subscribe", data=form(**changes))
    assert response.status_code == 200
    assert "Traceback" not in response.text
    page = document(response)
    assert message in field_error(page, field)
    assert page.xpath("//form[@action='/subscribe#digest']//div[@class='error-summary']")
    assert sink.handler.received == []


def test_post_subscribe_keeps_what_was_typed_after_an_error(web: TestClient) -> None:
    page = document(web.post("/subscribe", data=form(email="grace@")))
    assert page.xpath("//input[@id='signup-email']/@value") == ["grace@"]
    assert page.xpath("//input[@id='free-time-weekends']/@checked")
    assert page.xpath("//ol[@class='result-list']/li")


def test_post_subscribe_from_another_site_is_refused(web: TestClient, sink: SmtpSink) -> None:
    response = web.post("/subscribe", data=form(), headers={"Origin": "https://attacker.example"})
    assert response.status_code == 403
    assert sink.handler.received == []


def test_post_subscribe_same_origin_is_accepted(web: TestClient, sink: SmtpSink) -> None:
    response = web.post("/subscribe", data=form(), headers={"Origin": "http://testserver"})
    assert response.status_code == 200
    assert len(sink.handler.to(ADDRESS)) == 1


def test_post_subscribe_huge_form_is_refused_without_reading_it(web: TestClient) -> None:
    response = web.post("/subscribe", data=form(near="x" * 20_000))
    assert response.status_code == 413
    assert texts(document(response), "//h1") == ["That form was too large"]


def test_post_subscribe_json_is_pointed_to_the_api(web: TestClient) -> None:
    response = web.post("/subscribe", json={"email": ADDRESS, "near": "Berlin"})
    assert response.status_code == 415


def test_post_subscribe_too_often_says_to_wait(web: TestClient, sink: SmtpSink) -> None:
    for number in range(web.app.state.settings.subscribe_burst):
        ok = web.post("/subscribe", data=form(email=f"person{number}@example.org"))
        assert ok.status_code == 200
    response = web.post("/subscribe", data=form(email="one.more@example.org"))
    assert response.status_code == 200
    problem = texts(document(response), "//section[@id='digest']//div[@class='error-summary']")
    assert "Too many subscriptions from this address" in problem[0]


def test_post_subscribe_when_mail_fails_says_to_try_later(web: TestClient, sink: SmtpSink) -> None:
    sink.handler.refuse.add(ADDRESS)
    response = web.post("/subscribe", data=form())
    assert response.status_code == 200
    problem = texts(document(response), "//section[@id='digest']//div[@class='error-summary']")
    assert "could not be sent just now" in problem[0]
