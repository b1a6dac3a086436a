"""Cross-source de-duplication: same event, two sources, one record."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest

from service.classify.dedupe import (
    DuplicateIndex,
    Fingerprint,
    merge_duplicate,
    same_event,
    url_key,
)
from service.model import Attendance, Event, Venue
from tests.factories import NOW, make_event


def make(source: str, n: str = "1", **changes: object) -> Event:
    """PyData Toronto's meetup #42 as ``source`` lists it, three days after NOW."""
    meetup: dict[str, object] = {
        "title": "PyData Toronto: Meetup #42",
        "start": NOW + timedelta(days=3),
        "venue": Venue(city="Toronto", country="CA"),
    }
    return make_event(n, source=source, **(meetup | changes))


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({}, True),
        ({"title": "PyData Toronto Meetup #42 (in person)"}, True),
        ({"start": NOW + timedelta(days=3, hours=1)}, True),
        ({"start": NOW + timedelta(days=3, hours=3)}, False),
        ({"title": "Toronto Book Club"}, False),
        ({"venue": Venue(city="Montreal")}, False),
        ({"venue": Venue(city="toronto")}, True),
        (
            {"venue": Venue(), "title": "Something else", "url": "https://www.meetup.com/x/1/"},
            False,
        ),
    ],
)
def test_same_event_rules(changes: dict[str, object], expected: bool) -> None:
    assert same_event(make("a"), make("b", **changes)) is expected


def test_same_event_shared_url_is_enough() -> None:
    a = make("a", url="https://www.meetup.com/pydata/events/1/", venue=Venue())
    b = make("b", url="http://meetup.com/pydata/events/1", title="Monthly talks")
    assert same_event(a, b)


def test_same_event_both_online_without_city() -> None:
    a = make("a", venue=Venue(), attendance=Attendance.ONLINE)
    b = make("b", venue=Venue(), attendance=Attendance.ONLINE)
    assert same_event(a, b)


def test_url_key_normalises() -> None:
    assert url_key("https://WWW.Example.org/a/?utm=1#x") == "example.org/a"
    assert url_key(None) is None
    assert url_key("not a url") is None


def test_merge_keeps_primary_schedule_and_richer_details() -> None:
    primary = make("a", description="Talks.", venue=Venue(city="Toronto"))
    other = make(
        "b",
        title="Different title",
        start=NOW + timedelta(days=3, hours=1),
        description="Two talks on pandas and Arrow, then drinks nearby.",
        organizer="PyData Toronto",
        venue=Venue(name="Shopify", city="Toronto", lat=43.64, lon=-79.39),
    )
    merged = merge_duplicate(primary, other)
    assert merged.id == primary.id
    assert merged.title == primary.title
    assert merged.start == primary.start
    assert merged.description == other.description
    assert merged.organizer == "PyData Toronto"
    assert merged.venue.lat == 43.64
    assert merged.sources == ["a", "b"]


def test_index_finds_twin_across_midnight() -> None:
    late = make("a", start=NOW.replace(hour=23, minute=30))
    index = DuplicateIndex([Fingerprint.of(late)])
    early = make("b", start=NOW.replace(hour=23, minute=30) + timedelta(hours=1))
    twin = index.find(early)
    assert twin is not None
    assert twin.id == late.id
    assert index.find(make("b", title="Unrelated", start=NOW)) is None


def _random_fields(rng: random.Random, n: int) -> dict[str, object]:
    words = ["PyData", "Toronto", "Meetup", "the", "Café", "Night", "#42", "Book", "Club"]
    return {
        "id": f"s{rng.randint(0, 3)}:{n}",
        "source": f"s{rng.randint(0, 3)}",
        "title": " ".join(rng.choice(words) for _ in range(rng.randint(0, 5))),
        "start": NOW + timedelta(minutes=30 * rng.randint(-200, 200)),
        "timezone": rng.choice([None, "America/Toronto", "Asia/Tokyo", "Pacific/Kiritimati"]),
        "all_day": rng.random() < 0.2,
        "url": rng.choice([None, "", "https://www.meetup.com/x/1/", "http://meetup.com/x/1"]),
        "city": rng.choice([None, "Toronto", "toronto", "Zürich", "Montréal"]),
        "online": rng.random() < 0.2,
    }


def test_cached_fingerprint_is_from_fields() -> None:
    """The cache must hand back exactly what computing the fingerprint would."""
    rng = random.Random(7)
    for n in range(500):
        fields = _random_fields(rng, n)
        assert Fingerprint.cached(**fields) == Fingerprint.from_fields(**fields)  # type: ignore[arg-type]
        assert Fingerprint.cached(**fields) == Fingerprint.from_fields(**fields)  # type: ignore[arg-type]


def test_cached_fingerprint_follows_changed_fields() -> None:
    """A stored event whose city a merge filled in must not keep its old fingerprint."""
    fields: dict[str, object] = dict(_random_fields(random.Random(1), 0), city=None)
    before = Fingerprint.cached(**fields)  # type: ignore[arg-type]
    after = Fingerprint.cached(**{**fields, "city": "Toronto"})  # type: ignore[arg-type]
    assert before.city is None
    assert after.city == "toronto"


def test_index_over_cached_fingerprints_finds_the_same_twins() -> None:
    """Matching against cached fingerprints gives the twins the direct computation gives."""
    rng = random.Random(11)
    stored = [_random_fields(rng, n) for n in range(400)]
    direct = DuplicateIndex(Fingerprint.from_fields(**f) for f in stored)  # type: ignore[arg-type]
    for f in stored:
        Fingerprint.cached(**f)  # type: ignore[arg-type]
    cached = DuplicateIndex(Fingerprint.cached(**f) for f in stored)  # type: ignore[arg-type]
    for n in range(400):
        f = _random_fields(rng, 1000 + n)
        event = make(
            str(f["source"]),
            str(n),
            title=f["title"],
            start=f["start"],
            timezone=f["timezone"],
            all_day=f["all_day"],
            url=f["url"] or None,
            venue=Venue(city=f["city"]),  # type: ignore[arg-type]
            attendance=Attendance.ONLINE if f["online"] else Attendance.IN_PERSON,
        )
        assert cached.find(event) == direct.find(event)
