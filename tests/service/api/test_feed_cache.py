"""Serialising each event once per version, the HTTP validators, and the search in words."""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.engine import make_url
from starlette.requests import Request

import service.api.feed_cache as feed_cache
import service.api.routes.feeds as feed_routes
import service.http.caching as caching
from feeds.ical import FeedOptions
from service.app import create_app
from service.http.caching import LRUCache, Validators, accepts_gzip, not_modified_tag
from service.http.describe import ALL_EVENTS, describe_feed, describe_search
from service.http.filters import EventFilters
from service.model import Attendance, Kind
from service.settings import Settings
from service.store import EventStore, make_engine
from service.store.watch import StoreWatch
from tests.factories import NOW, toronto_event
from tests.support.databases import ONLY_POSTGRESQL, ONLY_SQLITE

FEED = "/feeds/events.ics"


class Renders:
    """Counts the blocks the feed cache renders."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        original = feed_cache.render_block

        def counted(*args: Any, **kwargs: Any) -> Any:
            self.count += 1
            return original(*args, **kwargs)

        monkeypatch.setattr(feed_cache, "render_block", counted)

    def since(self, before: int) -> int:
        return self.count - before


@pytest.fixture
def renders(monkeypatch: pytest.MonkeyPatch) -> Renders:
    return Renders(monkeypatch)


@pytest.fixture
def feed_client(settings: Settings, store: EventStore) -> Iterator[TestClient]:
    with TestClient(create_app(settings, clock=lambda: NOW)) as client:
        yield client


@pytest.fixture
def ten(store: EventStore) -> list[str]:
    events = [toronto_event(f"e{index}", days=1 + index) for index in range(10)]
    store.upsert_many(events, now=NOW)
    return [event.id for event in events]


def test_get_feed_renders_each_event_once(
    feed_client: TestClient, ten: list[str], renders: Renders
) -> None:
    feed_client.get(FEED)
    first = renders.count
    feed_client.get(FEED)
    feed_client.get(FEED, params={"q": "Toronto"})

    assert first == 10
    assert renders.count == 10


def test_get_feed_304_renders_nothing(
    feed_client: TestClient, ten: list[str], renders: Renders
) -> None:
    etag = feed_client.get(FEED).headers["etag"]
    before = renders.count

    assert feed_client.get(FEED, headers={"If-None-Match": etag}).status_code == 304
    assert renders.since(before) == 0


def test_get_feed_renders_only_the_changed_event(
    feed_client: TestClient, store: EventStore, ten: list[str], renders: Renders
) -> None:
    feed_client.get(FEED)
    before = renders.count
    changed = toronto_event("e3", days=4, description="Now with a panel.")
    store.upsert_many([changed], now=NOW + timedelta(hours=1))

    feed_client.get(FEED)

    assert renders.since(before) == 1


def test_get_feed_other_options_render_their_own_blocks(
    feed_client: TestClient, ten: list[str], renders: Renders
) -> None:
    feed_client.get(FEED)
    before = renders.count

    feed_client.get(FEED, params={"alarm": 30})
    feed_client.get(FEED, params={"alarm": 30})

    assert renders.since(before) == 10


def test_get_event_ics_shares_the_cache(
    feed_client: TestClient, ten: list[str], renders: Renders
) -> None:
    feed_client.get(f"/events/{ten[0]}.ics")
    feed_client.get(f"/events/{ten[0]}.ics")

    assert renders.count == 1


def test_get_feed_gzip_compressed_once_per_version(
    feed_client: TestClient, ten: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    sizes: list[int] = []
    original = gzip.compress

    def counted(data: bytes, *args: Any, **kwargs: Any) -> bytes:
        sizes.append(len(data))
        return original(data, *args, **kwargs)

    monkeypatch.setattr(caching.gzip, "compress", counted)

    first = feed_client.get(FEED, headers={"Accept-Encoding": "gzip"})
    second = feed_client.get(FEED, headers={"Accept-Encoding": "gzip"})

    assert first.content == second.content
    assert first.headers["content-encoding"] == "gzip"
    assert len(sizes) == 1


def test_get_feed_each_version_is_built_once_whatever_the_client_takes(
    feed_client: TestClient, store: EventStore, ten: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A calendar app without If-None-Match gets the same version's body from what was
    kept (compressed once), not from its blocks joined again; a new version is built."""
    builds: list[int] = []
    original = feed_cache.FeedCache.build

    def counted(self: feed_cache.FeedCache, *args: Any, **kwargs: Any) -> Any:
        builds.append(1)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(feed_cache.FeedCache, "build", counted)
    identity = {"Accept-Encoding": "identity"}

    first = feed_client.get(FEED, headers=identity)
    again = feed_client.get(FEED, headers=identity)
    zipped = feed_client.get(FEED, headers={"Accept-Encoding": "gzip"})
    head = feed_client.head(FEED, headers=identity)
    assert len(builds) == 1
    store.upsert_many([toronto_event("e3", days=4, title="Moved")], now=NOW + timedelta(hours=1))
    changed = feed_client.get(FEED, headers=identity)

    assert again.content == first.content
    assert again.headers["etag"] == first.headers["etag"]
    assert "content-encoding" not in again.headers
    assert zipped.headers["content-encoding"] == "gzip"
    assert zipped.headers["etag"] == first.headers["etag"][:-1] + '-gzip"'
    assert zipped.content == first.content  # decoded by the client
    assert head.headers["content-length"] == str(len(first.content))
    assert len(builds) == 2
    assert b"Moved" in changed.content and changed.headers["etag"] != first.headers["etag"]


def test_feed_cache_requires_stamp_updated(store: EventStore) -> None:
    with pytest.raises(ValueError, match="stamp"):
        feed_cache.FeedCache().block(toronto_event("x"), FeedOptions(), now=NOW)


def test_event_version_needs_updated() -> None:
    with pytest.raises(ValueError, match="updated"):
        feed_cache.EventVersion.of(toronto_event("never-stored"))


def plan(*versions: feed_cache.EventVersion, **changes: Any) -> feed_cache.FeedPlan:
    return feed_cache.FeedPlan(versions=versions, **changes)


def test_feed_cache_validators_change_with_each_input() -> None:
    cache = feed_cache.FeedCache()
    version = feed_cache.EventVersion("a", 0, NOW)
    options = FeedOptions(stamp="updated")
    base = cache.validators(plan(version), options=options)

    variants = [
        cache.validators(plan(feed_cache.EventVersion("a", 1, NOW)), options=options),
        cache.validators(
            plan(feed_cache.EventVersion("a", 0, NOW + timedelta(seconds=1))), options=options
        ),
        cache.validators(plan(version, feed_cache.EventVersion("b", 0, NOW)), options=options),
        cache.validators(plan(version), options=FeedOptions(stamp="updated", alarm_minutes=5)),
        cache.validators(plan(version), options=FeedOptions(stamp="updated", name="Other")),
        cache.validators(plan(version, context=("sectors", ("finance",))), options=options),
        cache.validators(plan(version, whys=(("2.0 km away",),)), options=options),
    ]

    tags = {base.tag, *(variant.tag for variant in variants)}
    assert len(tags) == len(variants) + 1
    assert cache.validators(plan(version), options=options) == base


def test_feed_cache_validators_last_modified_not_before_window() -> None:
    cache = feed_cache.FeedCache()
    old = feed_cache.EventVersion("a", 0, NOW - timedelta(days=30))
    midnight = datetime(2026, 11, 27, tzinfo=UTC)

    validators = cache.validators(plan(old), options=FeedOptions(), not_before=midnight)

    assert validators.last_modified == midnight


# LRU and request headers


def test_lru_cache_forgets_least_recently_used() -> None:
    cache: LRUCache[str, int] = LRUCache(2)
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.get("a") == 1
    cache.put("c", 3)

    assert cache.get("b") is None
    assert cache.get("a") == 1
    assert cache.get("c") == 3
    assert len(cache) == 2


def test_lru_cache_needs_room() -> None:
    with pytest.raises(ValueError, match="max_entries"):
        LRUCache(0)


def request_with(**headers: str) -> Request:
    raw = [(name.replace("_", "-").encode(), value.encode()) for name, value in headers.items()]
    return Request({"type": "http", "method": "GET", "headers": raw})


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("gzip", True),
        ("gzip, deflate, br", True),
        ("br;q=1.0, gzip;q=0.5", True),
        ("*", True),
        ("gzip;q=0", False),
        ("gzip;q=0.0, identity", False),
        ("identity", False),
        ("", False),
        ("gzip;q=nonsense", False),
    ],
)
def test_accepts_gzip(header: str, expected: bool) -> None:
    assert accepts_gzip(request_with(accept_encoding=header)) is expected


def test_not_modified_tag_without_validators_is_none() -> None:
    assert not_modified_tag(request_with(), Validators("abc", NOW)) is None


def test_not_modified_tag_if_modified_since_naive_date_read_as_utc() -> None:
    request = request_with(if_modified_since="Fri, 27 Nov 2026 12:00:00")

    assert not_modified_tag(request, Validators("abc", NOW)) == "abc"


# The search in words


@dataclass(frozen=True)
class LaterFilters:
    """Filters as they may grow: every field the describer knows about."""

    start: datetime | None = None
    end: datetime | None = None
    kinds: tuple[Kind, ...] = ()
    q: str | None = None
    near: str | None = None
    lat: float | None = None
    lon: float | None = None
    radius_km: float | None = None
    sectors: tuple[str, ...] = ()
    attendance: tuple[Attendance, ...] = ()
    free: bool | None = None


def filters(**changes: Any) -> EventFilters:
    fields: dict[str, Any] = {"start": None, "end": None, "kinds": (), "q": None, **changes}
    return EventFilters(**fields)


@pytest.mark.parametrize(
    ("given", "words"),
    [
        ({}, ALL_EVENTS),
        ({"kinds": (Kind.MEETUP,)}, "Meetups"),
        (
            {
                "kinds": (Kind.MEETUP, Kind.CONFERENCE),
                "q": "python",
                "start": datetime(2026, 12, 1, tzinfo=UTC),
            },
            "Meetups and conferences matching “python” from 1 Dec 2026",
        ),
        (
            {"kinds": (Kind.BOOK_SIGNING, Kind.CAREER_FAIR, Kind.WORKSHOP)},
            "Book signings, career fairs and workshops",
        ),
        (
            {"end": datetime(2027, 3, 31, 23, tzinfo=UTC)},
            "Events until 31 Mar 2027",
        ),
        (
            {
                "start": datetime(2027, 1, 1, tzinfo=UTC),
                "end": datetime(2027, 2, 1, tzinfo=UTC),
            },
            "Events from 1 Jan 2027 to 1 Feb 2027",
        ),
    ],
)
def test_describe_search_today_filters(given: dict[str, Any], words: str) -> None:
    assert describe_search(filters(**given)) == words


@pytest.mark.parametrize(
    ("given", "words"),
    [
        (
            {
                "kinds": (Kind.MEETUP,),
                "sectors": ("healthcare", "technology"),
                "near": "Toronto",
                "radius_km": 25.0,
            },
            "Meetups in healthcare and technology within 25 km of Toronto",
        ),
        ({"near": "Toronto"}, "Events near Toronto"),
        ({"lat": 43.65, "lon": -79.38, "radius_km": 10}, "Events within 10 km of 43.65, -79.38"),
        ({"free": True, "kinds": (Kind.WORKSHOP,)}, "Free workshops"),
        ({"attendance": (Attendance.ONLINE,)}, "Events online"),
        (
            {"attendance": (Attendance.IN_PERSON, Attendance.MIXED)},
            "Events in person or in person and online",
        ),
        ({"radius_km": 25.0}, ALL_EVENTS),
    ],
)
def test_describe_search_filters_added_later(given: dict[str, Any], words: str) -> None:
    assert describe_search(LaterFilters(**given)) == words


def test_describe_search_tolerates_unknown_shapes() -> None:
    @dataclass
    class Odd:
        kinds: Any = "meetup"
        sectors: Any = None
        near: Any = 42
        q: Any = ""

    assert describe_search(Odd()) == "Meetups"


@pytest.mark.parametrize(
    ("minutes", "sentence"),
    [
        (0, "A reminder when each event starts."),
        (1, "A reminder 1 minute before each event."),
        (45, "A reminder 45 minutes before each event."),
        (120, "A reminder 2 hours before each event."),
        (1440, "A reminder 1 day before each event."),
        (10080, "A reminder 7 days before each event."),
    ],
)
def test_describe_feed_alarm(minutes: int, sentence: str) -> None:
    text = describe_feed(
        filters(),
        days_back=7,
        horizon_days=180,
        refresh_hours=6,
        max_events=1000,
        alarm_minutes=minutes,
    )

    assert sentence in text


def test_describe_feed_window_and_refresh() -> None:
    text = describe_feed(filters(), days_back=7, horizon_days=90, refresh_hours=1, max_events=1000)

    assert text == (
        "All events on meetscout: places to meet someone new in your field, from meetscout. "
        "From 7 days ago to 90 days ahead, the soonest 1,000 events; updated every hour."
    )


# Plans kept while the store does not change


class Reads:
    """Counts the versions queries feeds make."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        original = feed_routes.event_versions

        def counted(*args: Any, **kwargs: Any) -> Any:
            self.count += 1
            return original(*args, **kwargs)

        monkeypatch.setattr(feed_routes, "event_versions", counted)


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> Reads:
    return Reads(monkeypatch)


def test_get_feed_unchanged_store_is_not_read_again(
    feed_client: TestClient, ten: list[str], reads: Reads
) -> None:
    etag = feed_client.get(FEED).headers["etag"]

    again = feed_client.get(FEED)
    conditional = feed_client.get(FEED, headers={"If-None-Match": etag})

    assert reads.count == 1
    assert again.headers["etag"] == etag
    assert conditional.status_code == 304


def test_get_feed_any_write_reads_the_store_again(
    feed_client: TestClient, store: EventStore, ten: list[str], reads: Reads
) -> None:
    etag = feed_client.get(FEED).headers["etag"]
    store.upsert_many([toronto_event("new", days=20)], now=NOW)

    response = feed_client.get(FEED, headers={"If-None-Match": etag})

    assert reads.count == 2
    assert response.status_code == 200
    assert response.content.count(b"BEGIN:VEVENT") == 11


def test_get_feed_a_crawl_that_finds_nothing_new_keeps_the_plan(
    feed_client: TestClient, store: EventStore, ten: list[str], reads: Reads
) -> None:
    """Each event seen again and the source's health written: nothing the feed shows moved,
    so its conditional GET stays a 304 without reading the store."""
    etag = feed_client.get(FEED).headers["etag"]
    store.upsert_many(
        [toronto_event(f"e{index}", days=1 + index) for index in range(10)],
        now=NOW + timedelta(hours=1),
    )

    response = feed_client.get(FEED, headers={"If-None-Match": etag})

    assert response.status_code == 304
    assert reads.count == 1


def test_get_feed_each_search_keeps_its_own_plan(
    feed_client: TestClient, ten: list[str], reads: Reads
) -> None:
    for _ in range(2):
        feed_client.get(FEED)
        feed_client.get(FEED, params={"kind": "meetup"})
        feed_client.get(FEED, params={"alarm": 15})

    assert reads.count == 3


def test_store_watch_sees_commits_of_other_connections(store: EventStore) -> None:
    watch = StoreWatch.for_engine(store.engine)
    before = watch.generation()

    same = watch.generation()
    store.upsert_many([toronto_event("write")], now=NOW)
    after = watch.generation()

    assert before is not None
    assert same == before
    assert after != before
    watch.close()


@pytest.mark.parametrize(
    "url",
    [
        "sqlite://",
        "sqlite:///:memory:",
        "postgresql+psycopg://user@localhost/meetscout",
    ],
)
def test_store_watch_cannot_tell_without_a_sqlite_file(url: str) -> None:
    assert StoreWatch.for_url(make_url(url)).generation() is None


def test_store_watch_missing_or_broken_file_cannot_tell(tmp_path: Path) -> None:
    missing = StoreWatch(tmp_path / "nothing-here.db")
    broken_path = tmp_path / "broken.db"
    broken_path.write_bytes(b"not a database at all" * 200)
    broken = StoreWatch(broken_path)

    assert missing.generation() is None
    assert broken.generation() is None
    assert not (tmp_path / "nothing-here.db").exists()


@ONLY_POSTGRESQL
def test_store_watch_on_postgresql_moves_on_commits_not_on_rollbacks(
    store: EventStore, settings: Settings
) -> None:
    """The counter is bumped inside the writing transaction: what another machine commits
    moves it, what it rolls back does not, and a write of any table counts."""
    watch = StoreWatch.for_engine(store.engine)
    other_machine = make_engine(settings.database_url)
    before = watch.generation()
    with other_machine.connect() as conn:
        conn.execute(text("UPDATE events SET title = 'changed'"))
        conn.rollback()
    after_rollback = watch.generation()
    EventStore(other_machine).upsert_many([toronto_event("write")], now=NOW)
    after_upsert = watch.generation()
    with other_machine.begin() as conn:
        conn.execute(text("DELETE FROM corrections"))
    after_delete = watch.generation()

    assert before is not None and after_rollback == before
    assert after_upsert is not None and after_upsert > before
    assert after_delete is not None and after_delete > after_upsert
    watch.close()
    other_machine.dispose()


@ONLY_SQLITE
def test_store_watch_reconnecting_never_repeats_a_generation(store: EventStore) -> None:
    watch = StoreWatch.for_engine(store.engine)
    first = watch.generation()
    watch.close()

    assert watch.generation() != first
    watch.close()
