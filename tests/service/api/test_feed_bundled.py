"""The feed of the bundled data (the default ``sources.toml``), crawled twice.

Each crawl runs in its own process, as in ``tests/crawlers/test_runner.py``
(Scrapy's reactor runs once per process), with the clock at the recording's
moment, as ``make run`` replays it. Between the two crawls nothing in the
sources changes, so neither may the feed: same UIDs, same SEQUENCEs, same
bytes, and a 304 for the first crawl's ETag.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from icalendar import Calendar

from service.app import create_app
from service.settings import BUNDLE, Settings
from tests.support.crawling import crawl
from tests.support.ical import check_feed
from tests.support.recording import crawled_recording, recording_moment

FEED = "/feeds/events.ics"
RECORDED_AT = recording_moment()
"""When the bundled local calendars were recorded (the Makefile's ``RECORDING_AT``)."""
OPTIONS = ({}, {"followup": "1", "alarm": "60"}, {"cancelled": "mark"}, {"kind": "conference"})


@dataclass(frozen=True)
class Crawled:
    """The same feeds, read after each of two crawls."""

    first: dict[str, bytes]
    first_etags: dict[str, str]
    second: dict[str, bytes]
    client: TestClient


def uid_sequences(calendar: Calendar) -> dict[str, int]:
    return {str(v["UID"]): int(v["SEQUENCE"]) for v in calendar.walk("VEVENT")}


def feeds(client: TestClient) -> tuple[dict[str, bytes], dict[str, str]]:
    bodies, etags = {}, {}
    for params in OPTIONS:
        key = repr(sorted(params.items()))
        response = client.get(FEED, params=params, headers={"Accept-Encoding": "identity"})
        assert response.status_code == 200
        bodies[key], etags[key] = response.content, response.headers["etag"]
    return bodies, etags


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Iterator[Crawled]:
    folder = tmp_path_factory.mktemp("bundled") / "crawled"
    reports = crawled_recording(folder, tmp_path_factory, worker_id)
    settings = Settings(
        database_url=f"sqlite:///{folder / 'meetscout.db'}",
        sources=BUNDLE / "sources.toml",
        base_url="http://testserver",
        http_cache_dir=folder / "httpcache",
        replay_at=RECORDED_AT,
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MEETSCOUT_HTTP_CACHE_DIR", str(folder / "httpcache"))
        outcomes = {name: report["outcome"] for name, report in reports.items()}
        assert set(outcomes.values()) == {"ok"}
        assert {"confs-tech", "finos-community", "toronto-public-library"} <= set(outcomes)
        with TestClient(create_app(settings)) as client:
            first, first_etags = feeds(client)
            crawl(settings, RECORDED_AT)
            second, _ = feeds(client)
            yield Crawled(first, first_etags, second, client)


def test_get_bundled_feed_parses_with_three_parsers(crawled: Crawled) -> None:
    for key, body in crawled.first.items():
        calendar = check_feed(body)

        assert len(calendar.walk("VEVENT")) > 0, key


def test_get_bundled_feed_has_every_kind(crawled: Crawled) -> None:
    calendar = Calendar.from_ical(crawled.first[repr([])])
    categories = {str(vevent["CATEGORIES"].cats[0]) for vevent in calendar.walk("VEVENT")}

    assert {"conference", "meetup", "book_signing", "career_fair", "workshop"} <= categories
    assert len(calendar.walk("VEVENT")) > 500


def test_get_bundled_feed_uids_and_sequences_same_after_second_crawl(crawled: Crawled) -> None:
    for key, body in crawled.first.items():
        before = uid_sequences(Calendar.from_ical(body))
        after = uid_sequences(Calendar.from_ical(crawled.second[key]))

        assert after == before, key


def test_get_bundled_feed_same_bytes_after_second_crawl(crawled: Crawled) -> None:
    assert crawled.second == crawled.first


def test_get_bundled_feed_304_after_second_crawl(crawled: Crawled) -> None:
    for params in OPTIONS:
        etag = crawled.first_etags[repr(sorted(params.items()))]

        response = crawled.client.get(FEED, params=params, headers={"If-None-Match": etag})

        assert response.status_code == 304, params


def test_get_bundled_feed_uids_from_event_ids(crawled: Crawled) -> None:
    calendar = Calendar.from_ical(crawled.first[repr([])])
    for vevent in calendar.walk("VEVENT"):
        event_id = str(vevent["UID"]).removesuffix("@meetscout")
        response = crawled.client.get(f"/events/{event_id}")

        assert response.status_code == 200
        assert response.json()["id"] == event_id
