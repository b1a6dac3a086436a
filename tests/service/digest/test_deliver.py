"""``meetscout digest send`` end to end: subscribe over HTTP, confirm, send through real SMTP.

The bundled confs.tech snapshot has conferences in Berlin and Munich in the
week of Monday 30 November 2026; a subscriber in Leipzig (150 and 361 km
away) with a 400 km radius gets them, with a meetup titled as markup among
them. Every run reads a frozen clock.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from email.message import EmailMessage
from random import Random
from typing import Any

import lxml.html
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete
from typer.testing import CliRunner, Result

from service.app import create_app
from service.cli import digest as digest_cli
from service.cli.main import app as cli
from service.digest.deliver import DeliveryReport, send_digests
from service.digest.mailer import SmtpMailer
from service.digest.weeks import iso_week
from service.model import Digest, Subscription
from service.settings import Settings, get_settings
from service.store import EventStore, SubscriptionStore
from service.store.subscriptions import digest_deliveries
from tests.factories import (
    MONDAY,
    NEXT_MONDAY,
    NOW,
    SCRIPT_TITLE,
    make_subscription,
    script_event,
    subscription_request,
)
from tests.support.saved import bundled_events
from tests.support.smtp import Received, SmtpSink
from tests.support.templates import Templates

ADA = "ada@example.org"
GRACE = "grace@example.org"
LINUS = "linus@example.org"
DIGEST_SUBJECT = "Places to meet someone new near Leipzig, Germany"
WEEK_NEAR_LEIPZIG = (
    "AI Coding Summit Berlin Edition",
    "React Day Berlin",
    "DevOpsCon Munich",
    "IT Security Summit Munich",
)
"""The bundled conferences within 400 km of Leipzig in the week of 30 November 2026."""


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
def env(settings: Settings, sink: SmtpSink, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    """What cron would set, read by the CLI as it always is: from the environment."""
    monkeypatch.setenv("MEETSCOUT_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("MEETSCOUT_SMTP_URL", sink.url)
    monkeypatch.setenv("MEETSCOUT_MAIL_FROM", "meetscout <digest@meetscout.test>")
    monkeypatch.setenv("MEETSCOUT_BASE_URL", "http://testserver")
    get_settings.cache_clear()
    yield get_settings()
    get_settings.cache_clear()


@pytest.fixture
def located(store: EventStore, templates: Templates) -> EventStore:
    templates.seed(store, "bundled", lambda: [*bundled_events(), script_event()])
    return store


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


@pytest.fixture
def api(env: Settings, located: EventStore, clock: Clock) -> Iterator[TestClient]:
    with TestClient(create_app(env, clock=clock)) as client:
        yield client


def subscribe(api: TestClient, sink: SmtpSink, address: str, *, confirm: bool = True) -> str:
    # Technology within 400 km of Leipzig, on weekday daytimes.
    response = api.post("/subscriptions", json=subscription_request(email=address))
    assert response.status_code == 201, response.text
    if confirm:
        plain = sink.handler.to(address)[-1].message.get_body(("plain",))
        assert plain is not None
        link = re.search(r"http://testserver(\S+/confirm\?code=\S+)", plain.get_content())
        assert link is not None
        assert api.post(link.group(1)).status_code == 200
    return str(response.json()["token"])


def send(monkeypatch: pytest.MonkeyPatch, now: datetime) -> Result:
    monkeypatch.setattr(digest_cli, "utcnow", lambda: now)
    return CliRunner().invoke(cli, ["digest", "send"])


def digests(sink: SmtpSink, address: str) -> list[Received]:
    return [
        item
        for item in sink.handler.to(address)
        if str(item.message["Subject"]).startswith(DIGEST_SUBJECT)
    ]


def summary(result: Result) -> dict[str, int]:
    """The summary table's rows as {outcome: count}."""
    rows = re.findall(r"│\s*([a-z ()]+?)\s*│\s*(\d+)\s*│", result.output)
    return {label: int(count) for label, count in rows}


def test_digest_send_delivers_one_multipart_email_with_a_top_pick_and_alternates(
    api: TestClient, sink: SmtpSink, monkeypatch: pytest.MonkeyPatch
) -> None:
    subscribe(api, sink, ADA)
    subscribe(api, sink, LINUS, confirm=False)
    result = send(monkeypatch, MONDAY)
    assert result.exit_code == 0, result.output
    assert summary(result)["sent"] == 1
    [received] = digests(sink, ADA)
    assert digests(sink, LINUS) == []
    message = received.message
    assert message.get_content_type() == "multipart/alternative"
    assert [part.get_content_type() for part in message.iter_parts()] == [
        "text/plain",
        "text/html",
    ]
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert re.match(
        r"<http://testserver/subscriptions/\S+/unsubscribe>, <mailto:", message["List-Unsubscribe"]
    )
    plain = message.get_body(("plain",))
    assert plain is not None
    text = plain.get_content()
    assert "TOP PICK" in text
    assert "ALTERNATES" in text
    top_pick = text.split("TOP PICK", 1)[1].split("ALTERNATES", 1)[0]
    alternates = text.split("ALTERNATES", 1)[1]
    shown = [name for name in WEEK_NEAR_LEIPZIG if name in text]
    assert sorted(shown) == sorted(WEEK_NEAR_LEIPZIG)
    assert sum(name in top_pick for name in WEEK_NEAR_LEIPZIG) == 1
    assert len(re.findall(r"^\d+\. ", alternates, re.M)) == 4
    assert "Who do you know that you think I should meet?" in text
    html = message.get_body(("html",))
    assert html is not None
    document = lxml.html.fromstring(html.get_content())
    assert document.xpath("//script") == []
    assert SCRIPT_TITLE in document.text_content()


def test_digest_send_twice_in_a_week_sends_once(
    api: TestClient, sink: SmtpSink, monkeypatch: pytest.MonkeyPatch
) -> None:
    subscribe(api, sink, ADA)
    assert send(monkeypatch, MONDAY).exit_code == 0
    again = send(monkeypatch, MONDAY + timedelta(days=3))
    assert again.exit_code == 0
    assert summary(again)["sent"] == 0
    assert summary(again)["already sent this week"] == 1
    assert len(digests(sink, ADA)) == 1


def test_digest_send_after_one_click_unsubscribe_sends_nothing_next_week(
    api: TestClient, sink: SmtpSink, monkeypatch: pytest.MonkeyPatch
) -> None:
    subscribe(api, sink, ADA)
    send(monkeypatch, MONDAY)
    [received] = digests(sink, ADA)
    header = received.message["List-Unsubscribe"]
    one_click = re.search(r"<http://testserver(/subscriptions/\S+/unsubscribe)>", header)
    assert one_click is not None
    response = api.post(
        one_click.group(1),
        content=b"List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 200
    result = send(monkeypatch, NEXT_MONDAY)
    assert result.exit_code == 0
    assert summary(result)["sent"] == 0
    assert len(digests(sink, ADA)) == 1


def test_digest_send_retries_a_refused_address_next_run_and_never_sends_twice(
    api: TestClient, sink: SmtpSink, monkeypatch: pytest.MonkeyPatch, located: EventStore
) -> None:
    subscribe(api, sink, ADA)
    grace = subscribe(api, sink, GRACE)
    sink.handler.refuse.add(GRACE)
    first = send(monkeypatch, MONDAY)
    assert first.exit_code == 1
    assert (summary(first)["sent"], summary(first)["failed (retried next run)"]) == (1, 1)
    assert "451" in first.output
    assert len(digests(sink, ADA)) == 1
    assert digests(sink, GRACE) == []

    sink.handler.refuse.clear()
    second = send(monkeypatch, MONDAY + timedelta(hours=1))
    assert second.exit_code == 0, second.output
    assert summary(second)["sent"] == 1
    assert summary(second)["of which retries"] == 1
    assert summary(second)["already sent this week"] == 1
    assert len(digests(sink, ADA)) == 1
    assert len(digests(sink, GRACE)) == 1
    subscriptions = SubscriptionStore(located.engine)
    record = subscriptions.get(token=grace)
    assert record is not None
    delivery = subscriptions.delivery(subscription_id=record.id, week="2026-W49")
    assert delivery is not None
    assert (delivery.status, delivery.attempts) == ("sent", 2)


def test_digest_send_after_a_crash_mid_run_sends_the_rest_once(
    api: TestClient, sink: SmtpSink, monkeypatch: pytest.MonkeyPatch
) -> None:
    subscribe(api, sink, ADA)
    subscribe(api, sink, GRACE)
    real_send = SmtpMailer.send
    handed: list[str] = []

    def dies_at_the_second(self: SmtpMailer, message: Any) -> None:
        handed.append(str(message["To"]))
        if len(handed) == 2:
            raise KeyboardInterrupt  # the process is killed mid-run
        real_send(self, message)

    monkeypatch.setattr(SmtpMailer, "send", dies_at_the_second)
    crashed = send(monkeypatch, MONDAY)
    assert isinstance(crashed.exception, KeyboardInterrupt) or crashed.exit_code != 0
    monkeypatch.setattr(SmtpMailer, "send", real_send)
    sent, cut = handed
    assert {sent, cut} == {ADA, GRACE}
    assert len(digests(sink, sent)) == 1

    soon = send(monkeypatch, MONDAY + timedelta(minutes=5))
    assert summary(soon)["being sent by another run"] == 1
    assert digests(sink, cut) == []

    later = send(monkeypatch, MONDAY + timedelta(minutes=31))
    assert later.exit_code == 0, later.output
    assert summary(later)["sent"] == 1
    assert len(digests(sink, ADA)) == 1
    assert len(digests(sink, GRACE)) == 1


def test_a_digest_accepted_before_a_crash_is_sent_again_under_the_same_message_id(
    api: TestClient, sink: SmtpSink, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The one window no sender can close: the server took the message, the store never heard.

    The rerun sends it again (at least once), under the Message-ID recorded before
    the first hand-over, even though the sender's domain that composes ids changed.
    """
    subscribe(api, sink, GRACE)
    real_send = SmtpMailer.send

    def dies_after_the_server_accepted(self: SmtpMailer, message: Any) -> None:
        real_send(self, message)
        raise KeyboardInterrupt  # killed before the store records the send

    monkeypatch.setattr(SmtpMailer, "send", dies_after_the_server_accepted)
    send(monkeypatch, MONDAY)
    monkeypatch.setattr(SmtpMailer, "send", real_send)
    monkeypatch.setenv("MEETSCOUT_MAIL_FROM", "meetscout <digest@elsewhere.test>")
    get_settings.cache_clear()
    later = send(monkeypatch, MONDAY + timedelta(minutes=31))
    assert later.exit_code == 0, later.output
    assert summary(later)["of which retries"] == 1
    first, again = digests(sink, GRACE)
    assert again.message["Message-ID"] == first.message["Message-ID"]
    assert "@meetscout.test>" in first.message["Message-ID"]
    assert "elsewhere.test" in again.message["From"]


def test_next_weeks_digest_says_what_changed_and_asks_for_follow_ups(
    api: TestClient, sink: SmtpSink, monkeypatch: pytest.MonkeyPatch, located: EventStore
) -> None:
    subscribe(api, sink, ADA)
    send(monkeypatch, MONDAY)
    [first] = digests(sink, ADA)
    first_text = first.message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "FOLLOW UP" not in first_text

    summit = next(e for e in bundled_events() if e.title == "AI Coding Summit Berlin Edition")
    moved = summit.with_changes(
        start=datetime(2026, 12, 9, 0, 0, tzinfo=summit.start.tzinfo),
        end=datetime(2026, 12, 11, 0, 0, tzinfo=summit.start.tzinfo),
    )
    located.upsert_many([moved], now=MONDAY + timedelta(days=1))
    result = send(monkeypatch, NEXT_MONDAY)
    assert result.exit_code == 0, result.output
    second = digests(sink, ADA)[-1].message
    text = second.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "WHAT CHANGED SINCE YOUR LAST DIGEST" in text
    assert re.search(r"- Rescheduled: AI Coding Summit Berlin Edition, was Friday 4 December", text)
    assert "FOLLOW UP ON LAST WEEK" in text
    follow_up = text.split("FOLLOW UP ON LAST WEEK", 1)[1]
    assert "DevOpsCon Munich" in follow_up
    assert "within a day" in follow_up
    assert second["Message-ID"] != digests(sink, ADA)[0].message["Message-ID"]


def test_digest_send_without_smtp_url_exits_2(
    env: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MEETSCOUT_SMTP_URL")
    get_settings.cache_clear()
    result = send(monkeypatch, MONDAY)
    assert result.exit_code == 2
    assert "MEETSCOUT_SMTP_URL" in result.output


def test_digest_preview_prints_one_digest(
    env: Settings, located: EventStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(digest_cli, "utcnow", lambda: MONDAY)
    result = CliRunner().invoke(
        cli,
        ["digest", "preview", "--near", "Berlin", "--radius-km", "50", "--sector", "technology"],
    )
    assert result.exit_code == 0, result.output
    assert "Places to meet someone new near Berlin, Germany" in result.output
    assert "TOP PICK" in result.output
    assert SCRIPT_TITLE in result.output  # plain text shows it as written


def test_digest_preview_unknown_place_exits_2(
    env: Settings, located: EventStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(digest_cli, "utcnow", lambda: MONDAY)
    result = CliRunner().invoke(cli, ["digest", "preview", "--near", "Xqzvbnm Qwrtp"])
    assert result.exit_code == 2
    assert "unknown place" in result.output


def test_digest_unsubscribe_by_address_stops_the_next_run(
    api: TestClient, sink: SmtpSink, monkeypatch: pytest.MonkeyPatch
) -> None:
    subscribe(api, sink, ADA)
    monkeypatch.setattr(digest_cli, "utcnow", lambda: NOW)
    stopped = CliRunner().invoke(cli, ["digest", "unsubscribe", ADA])
    assert stopped.exit_code == 0, stopped.output
    assert "1 subscription(s) stopped." in stopped.output
    result = send(monkeypatch, MONDAY)
    assert summary(result)["sent"] == 0
    assert digests(sink, ADA) == []


class Outbox:
    """A mailer that keeps what it is given."""

    def __init__(self) -> None:
        self.sent: list[EmailMessage] = []

    def send(self, message: EmailMessage) -> None:
        self.sent.append(message)

    def close(self) -> None:
        return


STALE_AFTER = timedelta(minutes=30)
"""How long a claim holds in the runs below, before another run may take it over."""


def addressed(digest: Digest, subscription: Subscription) -> EmailMessage:
    message = EmailMessage()
    message["To"] = subscription.email
    return message


def send_on_monday(
    store: EventStore,
    subscriptions: SubscriptionStore,
    outbox: Outbox,
    *,
    compose: Any = addressed,
    order: Random | None = None,
) -> DeliveryReport:
    """One run of the weekly send, on Monday morning, into ``outbox`` (no mail server)."""
    return send_digests(
        store=store,
        subscriptions=subscriptions,
        mailer=outbox,
        compose=compose,
        now=MONDAY,
        stale_after=STALE_AFTER,
        max_attempts=5,
        order=order,
    )


def test_a_run_that_stalled_past_its_claim_leaves_the_send_to_the_run_that_took_over(
    located: EventStore,
) -> None:
    """A run paused longer than the retry time (a suspended machine) must not send too."""
    subscriptions = SubscriptionStore(located.engine)
    draft = make_subscription(token="s" * 43, email=GRACE)
    subscriptions.create(subscription=draft, confirm_code="code")
    subscriptions.confirm(token=draft.token, code="code", now=NOW, valid_for=timedelta(days=7))
    taken_over: list[str] = []

    def compose_while_another_run_takes_over(digest: Digest, subscription: Subscription) -> Any:
        later = subscriptions.claim(
            subscription_id=subscription.id,
            week=digest.week,
            now=MONDAY + STALE_AFTER,
            stale_after=STALE_AFTER,
            max_attempts=5,
        )
        taken_over.append(later.outcome)
        message = EmailMessage()
        message["Message-ID"] = "<stalled@meetscout.test>"
        return message

    outbox = Outbox()
    report = send_on_monday(
        located, subscriptions, outbox, compose=compose_while_another_run_takes_over
    )
    assert taken_over == ["claimed"]
    assert outbox.sent == []
    assert (report.sent, report.in_progress) == (0, 1)


def confirmed(subscriptions: SubscriptionStore, count: int) -> list[Subscription]:
    made = []
    for number in range(count):
        draft = make_subscription(token=f"{number:043d}", email=f"person{number}@example.org")
        made.append(subscriptions.create(subscription=draft, confirm_code="code"))
        assert subscriptions.confirm(
            token=draft.token, code="code", now=NOW, valid_for=timedelta(days=7)
        )
    return made


def test_a_run_passes_over_what_another_run_sent_or_is_sending_without_claiming_it(
    located: EventStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    subscriptions = SubscriptionStore(located.engine)
    people = confirmed(subscriptions, 6)
    week = iso_week(MONDAY.date())
    for person in people[:3]:  # another run sent two and is sending one
        other = subscriptions.claim(
            subscription_id=person.id,
            week=week,
            now=MONDAY,
            stale_after=STALE_AFTER,
            max_attempts=5,
        ).delivery
        assert other is not None
        if person is not people[2]:
            subscriptions.mark_sent(delivery=other, items=[], message_id=None, now=MONDAY)
    claimed: list[int] = []
    claim = subscriptions.claim

    def counted_claim(**kwargs: Any) -> Any:
        claimed.append(kwargs["subscription_id"])
        return claim(**kwargs)

    monkeypatch.setattr(subscriptions, "claim", counted_claim)
    outbox = Outbox()

    report = send_on_monday(located, subscriptions, outbox)

    assert sorted(claimed) == sorted(person.id for person in people[3:])
    assert sorted(str(message["To"]) for message in outbox.sent) == [
        person.email for person in people[3:]
    ]
    assert (report.sent, report.already_sent, report.in_progress) == (3, 2, 1)


def test_runs_walk_the_subscriptions_in_orders_of_their_own(located: EventStore) -> None:
    """Two runs at once start in different places instead of one trailing the other."""
    subscriptions = SubscriptionStore(located.engine)
    people = confirmed(subscriptions, 12)
    orders = []
    for seed in (1, 2):
        with located.engine.begin() as connection:
            connection.execute(delete(digest_deliveries))
        outbox = Outbox()
        send_on_monday(located, subscriptions, outbox, order=Random(seed))
        orders.append([str(message["To"]) for message in outbox.sent])

    assert sorted(orders[0]) == sorted(orders[1]) == sorted(person.email for person in people)
    assert orders[0] != orders[1]
