"""The host's page, "I'm going" on the event page, and the private list at ``/g/{token}``."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from service.app import create_app
from service.settings import Settings
from service.store import EventStore, HostStore, SubscriptionStore
from tests.factories import NOW, make_subscription
from tests.support.pages import document, texts, unlabelled_controls

EVENT = "cancelled-workshop"
ONLINE = "online-career-fair"


def form_fields(page, action: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    [form] = page.xpath(f"//form[@action='{action}']")
    return {str(i.get("name")): str(i.get("value") or "") for i in form.xpath(".//input")}


def mark(web: TestClient, event_id: str) -> str:
    """Mark ``event_id`` from its page as a browser would; the list's token."""
    fields = form_fields(document(web.get(f"/e/{event_id}")), "/g/mark")
    response = web.post("/g/mark", data=fields, follow_redirects=False)
    assert response.status_code == 303, response.text
    assert response.headers["location"] == f"/e/{event_id}?note=marked"
    return str(web.cookies.get("meetscout_going"))


def test_event_page_links_the_hosts_page_before_you_go(web: TestClient) -> None:
    page = document(web.get(f"/e/{EVENT}"))
    [organiser] = page.xpath("//dl/div[dt='Organiser']/dd/a/@href")
    assert organiser == "/h/berlin-founders-club"
    before = page.xpath("//section[contains(@class, 'prepare')]//li[1]//a/@href")
    assert "/h/berlin-founders-club" in before


def test_host_page_says_who_what_and_offers_feed_and_follow(web: TestClient) -> None:
    response = web.get("/h/berlin-founders-club")
    assert response.status_code == 200
    page = document(response)
    assert texts(page, "//h1") == ["Berlin Founders Club"]
    details = dict(zip(texts(page, "//dl/div/dt"), texts(page, "//dl/div/dd"), strict=True))
    assert details["What they run"] == "Workshop (1)"
    assert details["Sectors"] == "Sales & Business"
    assert page.xpath("//a[@href='webcal://testserver/hosts/berlin-founders-club.ics']")
    assert form_fields(page, "/h/berlin-founders-club/follow").keys() == {"key", "check"}
    assert unlabelled_controls(page) == []


def test_host_page_unknown_is_404(web: TestClient) -> None:
    assert web.get("/h/nobody-at-all").status_code == 404
    assert web.get("/h/Not%20A%20Slug").status_code == 404


def test_mark_going_gives_a_private_link_and_no_one_else_sees_it(
    web: TestClient, web_settings: Settings, page_store: EventStore
) -> None:
    token = mark(web, EVENT)
    assert len(token) >= 40
    response = web.get(f"/e/{EVENT}?note=marked")
    assert response.headers["cache-control"] == "private, no-store"
    page = document(response)
    section = texts(page, "//section[contains(@class, 'going')]")[0]
    assert "You're going" in section
    assert page.xpath(f"//section[contains(@class, 'going')]//a[@href='/g/{token}']")

    with TestClient(create_app(web_settings, clock=lambda: NOW)) as stranger:
        other = stranger.get(f"/e/{EVENT}")
        assert token not in other.text
        assert "You're going" not in other.text
        assert "cache-control" not in other.headers
        assert stranger.get("/h/berlin-founders-club").text.count(token) == 0


def test_mark_going_sets_a_strict_http_only_cookie(web: TestClient) -> None:
    fields = form_fields(document(web.get(f"/e/{EVENT}")), "/g/mark")
    response = web.post("/g/mark", data=fields, follow_redirects=False)
    cookie = response.headers["set-cookie"]
    assert re.search(r"HttpOnly", cookie, re.I)
    assert re.search(r"SameSite=strict", cookie, re.I)


def test_forms_from_another_site_or_without_the_check_are_refused(web: TestClient) -> None:
    evil = {"Origin": "https://evil.example"}
    assert web.post("/g/mark", data={"event_id": EVENT}, headers=evil).status_code == 403
    token = mark(web, EVENT)
    forged = {"event_id": EVENT, "check": "0" * 32}
    assert web.post("/g/unmark", data=forged).status_code == 403
    assert web.post("/g/mark", data={"event_id": ONLINE}).status_code == 403
    assert web.post(f"/g/{token}/delete", data={"check": ""}).status_code == 403
    assert web.get(f"/g/{token}").status_code == 200


def test_going_list_page_unmark_and_delete_one_click_each(web: TestClient) -> None:
    token = mark(web, EVENT)
    mark(web, ONLINE)
    response = web.get(f"/g/{token}")
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["referrer-policy"] == "same-origin"
    page = document(response)
    assert page.xpath("//meta[@name='robots' and @content='noindex, nofollow']")
    assert texts(page, "//ol[@class='event-list']/li/a") == [
        "Remote careers fair",
        "Pitch deck workshop",
    ]
    assert page.xpath(f"//a[@href='webcal://testserver/going/{token}.ics']")
    assert unlabelled_controls(page) == []

    [unmark] = page.xpath("//form[@action='/g/unmark'][.//input[@value='online-career-fair']]")
    fields = {str(i.get("name")): str(i.get("value")) for i in unmark.xpath(".//input")}
    after = web.post("/g/unmark", data=fields)
    assert texts(document(after), "//ol[@class='event-list']/li/a") == ["Pitch deck workshop"]

    deleted = web.post(f"/g/{token}/delete", data=form_fields(page, f"/g/{token}/delete"))
    assert deleted.status_code == 200
    assert "deleted" in deleted.text
    assert web.get(f"/g/{token}").status_code == 404
    assert web.get(f"/going/{token}.ics").status_code == 404


def test_follow_a_host_with_the_digest_key(web: TestClient, page_store: EventStore) -> None:
    subscription = SubscriptionStore(page_store.engine).create(
        subscription=make_subscription(), confirm_code="c"
    )
    page = document(web.get("/h/berlin-founders-club"))
    fields = {**form_fields(page, "/h/berlin-founders-club/follow"), "key": subscription.token}
    response = web.post("/h/berlin-founders-club/follow", data=fields, follow_redirects=False)
    assert response.headers["location"] == "/h/berlin-founders-club?note=followed#follow"
    followed = HostStore(page_store.engine).followed(subscription_id=subscription.id)
    assert [host.slug for host in followed] == ["berlin-founders-club"]

    wrong = {**fields, "key": "w" * 43}
    refused = web.post("/h/berlin-founders-club/follow", data=wrong)
    assert "opens no digest subscription" in refused.text


def test_a_digest_link_opens_the_subscriptions_list_and_follows_in_one_click(
    web: TestClient, page_store: EventStore
) -> None:
    subscription = SubscriptionStore(page_store.engine).create(
        subscription=make_subscription(), confirm_code="c"
    )
    assert web.get(f"/g/{subscription.token}").status_code == 200
    page = document(web.get("/h/berlin-founders-club"))
    fields = form_fields(page, "/h/berlin-founders-club/follow")
    assert "key" not in fields
    web.post("/h/berlin-founders-club/follow", data=fields)
    followed = HostStore(page_store.engine).followed(subscription_id=subscription.id)
    assert [host.slug for host in followed] == ["berlin-founders-club"]
    again = document(web.get("/h/berlin-founders-club"))
    assert texts(again, "//section[@id='follow']//button") == ["Stop following"]
