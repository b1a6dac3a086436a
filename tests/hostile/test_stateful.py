"""Schemathesis in stateful mode: sequences of calls that follow the OpenAPI links.

A subscription is created, read, changed, confirmed (with the code from the
email, or a wrong one), unsubscribed and deleted, in generated orders and
with generated bodies; a page of events leads to its events and its next
page. No answer may be a 5xx or break what the schema promises, and the
stateful checks hold (a deleted subscription is gone, a created one is
there). Bounded and derandomised.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import positive_data_acceptance

from service.app import create_app
from service.settings import Settings
from service.store import EventStore, make_engine, migrate
from service.store.subscriptions import digest_deliveries, subscriptions
from tests.factories import NOW
from tests.support.saved import real_events
from tests.support.smtp import SmtpSink

CONFIRM_LINK = re.compile(r"/subscriptions/([A-Za-z0-9_-]+)/confirm\?code=([A-Za-z0-9_-]+)")


@pytest.fixture(scope="module")
def mailbox() -> Iterator[SmtpSink]:
    with SmtpSink() as sink:
        yield sink


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory, mailbox: SmtpSink) -> FastAPI:
    folder = tmp_path_factory.mktemp("stateful")
    app_settings = Settings(
        database_url=f"sqlite:///{folder / 'meetscout.db'}",
        sources=folder / "sources.toml",
        base_url="http://testserver",
        smtp_url=mailbox.url,
        # Every generated sign-up comes from one client; the limit has its own tests.
        subscribe_burst=10_000,
        subscribe_per_hour=100_000,
    )
    engine = make_engine(app_settings.database_url)
    migrate(engine)
    EventStore(engine).upsert_many(real_events(), now=NOW)
    engine.dispose()
    return create_app(app_settings, clock=lambda: NOW)


def confirm_codes(mailbox: SmtpSink) -> dict[str, str]:
    """token -> code, read from the confirmation emails the server sent."""
    codes: dict[str, str] = {}
    for received in list(mailbox.handler.received):
        text = received.message.get_body(("plain",))
        if text is None:
            continue
        for token, code in CONFIRM_LINK.findall(text.get_content()):
            codes[token] = code
    return codes


SCENARIOS = {
    "subscriptions": (
        r"^/subscriptions",
        240,
        {
            "GET /subscriptions/{token}",
            "PATCH /subscriptions/{token}",
            "DELETE /subscriptions/{token}",
            "POST /subscriptions/{token}/confirm",
            "POST /subscriptions/{token}/unsubscribe",
        },
    ),
    "events": (r"^/events", 30, {"GET /events/{event_id}", "GET /events/{event_id}.ics"}),
}
"""Linked operations (by path), scenarios to run, and the calls they must reach by a link.

The operations without links are fuzzed one by one in tests/service/api.
"""


@pytest.mark.parametrize(("paths", "scenarios", "followed"), SCENARIOS.values(), ids=SCENARIOS)
def test_linked_calls_keep_every_promise(
    app: FastAPI, mailbox: SmtpSink, paths: str, scenarios: int, followed: set[str]
) -> None:
    # Following hosts is fuzzed on its own: its POST would start as many scenarios as sign-ups.
    schema = (
        schemathesis.openapi.from_asgi("/openapi.json", app)
        .include(path_regex=paths)
        .exclude(path_regex="/hosts")
    )
    base = schema.as_state_machine()
    calls: list[tuple[str, int]] = []
    confirmations: list[schemathesis.Case] = []

    engine = app.state.store.engine

    class Machine(base):  # type: ignore[misc, valid-type]
        def setup(self) -> None:
            # Each scenario starts with no subscriptions, so that it replays the same way.
            with engine.begin() as connection:
                connection.execute(digest_deliveries.delete())
                connection.execute(subscriptions.delete())
            with mailbox.handler.lock:
                mailbox.handler.received.clear()

        def before_call(self, case: schemathesis.Case) -> None:
            # Half the confirmations carry the code from the email, as a person's would.
            if case.operation.label == "POST /subscriptions/{token}/confirm":
                confirmations.append(case)
                code = confirm_codes(mailbox).get(str((case.path_parameters or {}).get("token")))
                if code is not None and len(confirmations) % 2:
                    case.query = {**(case.query or {}), "code": code}

        def after_call(self, response: Any, case: schemathesis.Case) -> None:
            super().after_call(response, case)
            calls.append((case.operation.label, response.status_code))

        def validate_response(self, response: Any, case: schemathesis.Case, **kwargs: Any) -> None:
            # A schema-valid place name or address may still be unknown: a 422 naming it.
            case.validate_response(response, excluded_checks=[positive_data_acceptance])

    Machine.run(
        settings=settings(
            max_examples=scenarios,
            stateful_step_count=6,
            deadline=None,
            derandomize=True,
            database=None,
            # A failure is reported as found: replaying a scenario against a server is slow.
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
    )
    reached = {label for label, status in calls if status < 400}
    assert followed <= reached
    assert all(status < 500 for _, status in calls)
