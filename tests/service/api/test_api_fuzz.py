"""Schemathesis over the app's own OpenAPI schema, in process (ASGI).

Every operation gets generated requests, valid and invalid: none may answer
5xx, and every answer must match what the schema promises (status codes,
content types, JSON bodies, headers). Bounded and derandomised, so a run
takes seconds and fails the same way twice.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import positive_data_acceptance
from schemathesis.generation.modes import GenerationMode

from service.app import create_app
from service.settings import Settings
from service.store import EventStore, make_engine, migrate
from tests.factories import NOW
from tests.support.saved import real_events
from tests.support.smtp import SmtpSink

EXAMPLES_PER_OPERATION = 25


@pytest.fixture(scope="module")
def mailbox() -> Iterator[SmtpSink]:
    with SmtpSink() as sink:
        yield sink


@pytest.fixture(scope="module")
def fuzzed_app(tmp_path_factory: pytest.TempPathFactory, mailbox: SmtpSink) -> Iterator[FastAPI]:
    """One seeded app for every operation, its mail going to a local sink.

    (Without mail a valid sign-up is a 503: the server cannot do what is asked.)
    """
    folder = tmp_path_factory.mktemp("fuzz")
    app_settings = Settings(
        database_url=f"sqlite:///{folder / 'meetscout.db'}",
        sources=folder / "sources.toml",
        base_url="http://testserver",
        smtp_url=mailbox.url,
    )
    engine = make_engine(app_settings.database_url)
    migrate(engine)
    EventStore(engine).upsert_many(real_events(), now=NOW)
    engine.dispose()
    yield create_app(app_settings, clock=lambda: NOW)


def operations(app: FastAPI) -> list[Any]:
    loaded = schemathesis.openapi.from_asgi("/openapi.json", app)
    return [result.ok() for result in loaded.get_all_operations()]


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_api_conforms_to_its_schema(fuzzed_app: FastAPI, mode: GenerationMode) -> None:
    """Every operation, one bounded Hypothesis run each; all failures reported together.

    (schemathesis' pytest loader reads a pytest attribute that pytest 9
    removed, so the operations are walked here.)
    """
    failures: dict[str, str] = {}
    found = operations(fuzzed_app)
    assert len(found) >= 6
    for operation in found:

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def fuzz(case: schemathesis.Case) -> None:
            # A schema-valid place name, sector slug or e-mail address may still be
            # unknown or wrong (a 422 naming it); the schema cannot list them all.
            case.call_and_validate(excluded_checks=[positive_data_acceptance])

        try:
            fuzz()
        except Unsatisfiable:
            # Negative data needs something to make invalid: a parameter or a body.
            if mode is GenerationMode.POSITIVE:
                raise
        except (Exception, BaseExceptionGroup) as exc:
            failures[operation.label] = f"{type(exc).__name__}: {exc}"[:3000]
    assert not failures, "\n\n".join(f"{label}:\n{text}" for label, text in failures.items())
