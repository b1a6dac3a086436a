"""Feeds over HTTP: validators, 304s, Cache-Control, gzip, HEAD, and 503 when the store fails.

Both iCalendar resources follow the same rules: ``/feeds/events.ics`` and
``/events/{id}.ics``.
"""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from datetime import timedelta
from email.utils import format_datetime, parsedate_to_datetime

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from service.app import create_app
from service.settings import Settings
from service.store import EventStore
from tests.factories import NOW
from tests.support.databases import ONLY_SQLITE
from tests.support.ical import fetch_feed

IDENTITY = {"Accept-Encoding": "identity"}
GZIP = {"Accept-Encoding": "gzip"}


@pytest.fixture
def event_id(client: TestClient) -> str:
    return client.get("/events", params={"limit": 1}).json()["items"][0]["id"]


@pytest.fixture(params=["feed", "event"])
def ics_url(request: pytest.FixtureRequest, client: TestClient) -> str:
    """Each test runs against the search feed and against one event's file."""
    if request.param == "feed":
        return "/feeds/events.ics"
    event_id = client.get("/events", params={"limit": 1}).json()["items"][0]["id"]
    return f"/events/{event_id}.ics"


def test_get_ics_headers(client: TestClient, ics_url: str) -> None:
    response, _ = fetch_feed(client, ics_url)

    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    assert response.headers["cache-control"] == "public, max-age=21600"
    assert response.headers["vary"] == "Accept-Encoding"
    assert response.headers["content-length"] == str(len(response.content))
    etag = response.headers["etag"]
    assert etag.startswith('"') and etag.endswith('"') and not etag.startswith("W/")
    parsedate_to_datetime(response.headers["last-modified"])


def test_get_ics_same_bytes_and_etag_on_every_poll(client: TestClient, ics_url: str) -> None:
    first, _ = fetch_feed(client, ics_url)
    second, _ = fetch_feed(client, ics_url)

    assert second.content == first.content
    assert second.headers["etag"] == first.headers["etag"]


def test_get_ics_if_none_match_current_is_304(client: TestClient, ics_url: str) -> None:
    etag = client.get(ics_url, headers=IDENTITY).headers["etag"]

    response = client.get(ics_url, headers={**IDENTITY, "If-None-Match": etag})

    assert response.status_code == 304
    assert response.content == b""
    assert response.headers["etag"] == etag
    assert response.headers["cache-control"] == "public, max-age=21600"
    assert "last-modified" in response.headers


@pytest.mark.parametrize(
    "header",
    ["W/{etag}", '"other", {etag}', "*"],
    ids=["weak", "list", "star"],
)
def test_get_ics_if_none_match_forms_are_304(client: TestClient, ics_url: str, header: str) -> None:
    etag = client.get(ics_url, headers=IDENTITY).headers["etag"]

    response = client.get(ics_url, headers={**IDENTITY, "If-None-Match": header.format(etag=etag)})

    assert response.status_code == 304


def test_get_ics_if_none_match_other_is_200(client: TestClient, ics_url: str) -> None:
    response = client.get(ics_url, headers={**IDENTITY, "If-None-Match": '"not-this-one"'})

    assert response.status_code == 200
    assert response.content.startswith(b"BEGIN:VCALENDAR")


def test_get_ics_if_modified_since_last_modified_is_304(client: TestClient, ics_url: str) -> None:
    last_modified = client.get(ics_url, headers=IDENTITY).headers["last-modified"]

    response = client.get(ics_url, headers={**IDENTITY, "If-Modified-Since": last_modified})

    assert response.status_code == 304


def test_get_ics_if_modified_since_earlier_is_200(client: TestClient, ics_url: str) -> None:
    last_modified = client.get(ics_url, headers=IDENTITY).headers["last-modified"]
    earlier = parsedate_to_datetime(last_modified) - timedelta(seconds=1)

    response = client.get(
        ics_url, headers={**IDENTITY, "If-Modified-Since": format_datetime(earlier, usegmt=True)}
    )

    assert response.status_code == 200
    assert response.content.startswith(b"BEGIN:VCALENDAR")


@pytest.mark.parametrize("value", ["yesterday", "", "Mon, 99 Foo 2026 99:99:99 GMT"])
def test_get_ics_if_modified_since_malformed_is_200(
    client: TestClient, ics_url: str, value: str
) -> None:
    response = client.get(ics_url, headers={**IDENTITY, "If-Modified-Since": value})

    assert response.status_code == 200


def test_get_ics_if_none_match_wins_over_if_modified_since(
    client: TestClient, ics_url: str
) -> None:
    last_modified = client.get(ics_url, headers=IDENTITY).headers["last-modified"]

    response = client.get(
        ics_url,
        headers={**IDENTITY, "If-None-Match": '"stale"', "If-Modified-Since": last_modified},
    )

    assert response.status_code == 200


def test_get_ics_gzip_when_asked(client: TestClient, ics_url: str) -> None:
    plain = client.get(ics_url, headers=IDENTITY)

    response = client.get(ics_url, headers=GZIP)

    assert response.status_code == 200
    assert response.headers["content-encoding"] == "gzip"
    assert response.headers["vary"] == "Accept-Encoding"
    assert response.content == plain.content
    assert int(response.headers["content-length"]) < len(plain.content)
    assert response.headers["etag"] != plain.headers["etag"]
    assert response.headers["etag"].strip('"').startswith(plain.headers["etag"].strip('"'))


def test_get_ics_gzip_body_is_the_identity_body_compressed(
    client: TestClient, ics_url: str
) -> None:
    plain = client.get(ics_url, headers=IDENTITY).content
    with client.stream("GET", ics_url, headers=GZIP) as response:
        raw = b"".join(response.iter_raw())

    assert gzip.decompress(raw) == plain


def test_get_ics_gzip_refused_by_quality_zero(client: TestClient, ics_url: str) -> None:
    response = client.get(ics_url, headers={"Accept-Encoding": "gzip;q=0, identity"})

    assert "content-encoding" not in response.headers


@pytest.mark.parametrize("held", ["identity", "gzip"])
def test_get_ics_either_etag_is_304_and_keeps_its_label(
    client: TestClient, ics_url: str, held: str
) -> None:
    headers = GZIP if held == "gzip" else IDENTITY
    etag = client.get(ics_url, headers=headers).headers["etag"]

    response = client.get(ics_url, headers={**GZIP, "If-None-Match": etag})

    assert response.status_code == 304
    assert response.headers["etag"] == etag


@pytest.mark.parametrize("encoding", ["identity", "gzip"])
def test_head_ics_same_headers_no_body(client: TestClient, ics_url: str, encoding: str) -> None:
    headers = {"Accept-Encoding": encoding}
    get = client.get(ics_url, headers=headers)

    head = client.head(ics_url, headers=headers)

    assert head.status_code == 200
    assert head.content == b""
    for name in (
        "content-type",
        "content-length",
        "etag",
        "last-modified",
        "cache-control",
        "vary",
    ):
        assert head.headers[name] == get.headers[name], name
    assert head.headers.get("content-encoding") == get.headers.get("content-encoding")


def test_head_ics_conditional_is_304(client: TestClient, ics_url: str) -> None:
    etag = client.head(ics_url, headers=IDENTITY).headers["etag"]

    assert client.head(ics_url, headers={**IDENTITY, "If-None-Match": etag}).status_code == 304


def test_get_event_ics_is_an_attachment(client: TestClient, event_id: str) -> None:
    response, calendar = fetch_feed(client, f"/events/{event_id}.ics")

    assert response.headers["content-disposition"] == f'attachment; filename="{event_id}.ics"'
    assert [str(vevent["UID"]) for vevent in calendar.walk("VEVENT")] == [f"{event_id}@meetscout"]


def test_get_event_ics_unknown_is_404(client: TestClient) -> None:
    assert client.get("/events/doesnotexist.ics").status_code == 404
    assert client.head("/events/doesnotexist.ics").status_code == 404


def test_get_feed_last_modified_is_newest_change_or_todays_window(client: TestClient) -> None:
    response = client.get("/feeds/events.ics", headers=IDENTITY)

    # Every event was stored at NOW, which is later than the window's midnight.
    assert parsedate_to_datetime(response.headers["last-modified"]) == NOW


# The store fails (on SQLite: the outages broken_client makes are of SQLite files)


def break_store(app: FastAPI, how: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Make every store query fail the way a real outage would."""
    store: EventStore = app.state.store
    if how == "unreadable-file":
        folder = tmp_path_factory.mktemp("not-a-database")
        app.state.store = EventStore(create_engine(f"sqlite:///{folder}"))
    elif how == "missing-table":
        with store.engine.begin() as conn:
            conn.execute(text("DROP TABLE events"))
    elif how == "garbage-file":
        broken = tmp_path_factory.mktemp("garbage") / "meetscout.db"
        broken.write_bytes(b"this is not a SQLite database" * 100)
        app.state.store = EventStore(create_engine(f"sqlite:///{broken}"))
    else:
        raise AssertionError(how)
    store.engine.dispose()


@pytest.fixture(params=["unreadable-file", "missing-table", "garbage-file"])
def broken_client(
    request: pytest.FixtureRequest,
    settings: Settings,
    seeded: EventStore,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[TestClient, str]]:
    app = create_app(settings, clock=lambda: NOW)
    with TestClient(app) as client:
        event_id = client.get("/events", params={"limit": 1}).json()["items"][0]["id"]
        client.get("/feeds/events.ics")
        break_store(app, request.param, tmp_path_factory)
        yield client, event_id


@ONLY_SQLITE
@pytest.mark.parametrize("method", ["GET", "HEAD"])
@pytest.mark.parametrize("path", ["/feeds/events.ics", "/events/{id}.ics"])
def test_get_ics_store_failing_is_503_with_retry_after(
    broken_client: tuple[TestClient, str], method: str, path: str
) -> None:
    client, event_id = broken_client

    response = client.request(method, path.format(id=event_id), headers=IDENTITY)

    assert response.status_code == 503
    assert response.headers["retry-after"] == "30"
    assert response.headers["cache-control"] == "no-store"
    assert "text/calendar" not in response.headers["content-type"]


@ONLY_SQLITE
def test_get_feed_store_failing_is_503_even_when_conditional(
    broken_client: tuple[TestClient, str],
) -> None:
    client, _ = broken_client

    response = client.get("/feeds/events.ics", headers={"If-None-Match": "*"})

    assert response.status_code == 503


@ONLY_SQLITE
def test_get_healthz_store_failing_is_503(broken_client: tuple[TestClient, str]) -> None:
    client, _ = broken_client
    client.get("/healthz")

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.headers["retry-after"] == "30"


@ONLY_SQLITE
@pytest.mark.parametrize("params", [{}, {"near": "New York", "radius_km": 50}])
def test_get_events_store_failing_is_503(
    broken_client: tuple[TestClient, str], params: dict[str, object]
) -> None:
    client, _ = broken_client

    response = client.get("/events", params=params)

    assert response.status_code == 503
    assert response.headers["retry-after"] == "30"
