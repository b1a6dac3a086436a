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
    shared_urls,
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


def test_url_key_keeps_what_names_the_event_and_drops_tracking() -> None:
    one = url_key("https://example.org/event.php?id=1&utm_source=news&fbclid=abc")
    assert one == "example.org/event.php?id=1"
    assert url_key("https://example.org/event.php?id=2") != one
    assert url_key("http://www.example.org/e?b=2&a=1&gclid=x&mc_eid=y&ref=home") == (
        "example.org/e?a=1&b=2"
    )
    assert url_key("https://example.org/") is None  # a front page names a site
    assert url_key("https://example.org/?utm_campaign=fall") is None


def test_two_pages_of_one_script_are_two_events() -> None:
    a = make("a", title="Open studio", venue=Venue(), url="https://hub.example.org/event.php?id=1")
    b = make(
        "b", title="Resume clinic", venue=Venue(), url="https://hub.example.org/event.php?id=2"
    )
    assert not same_event(a, b)
    assert same_event(a, make("b", title="Other words", venue=Venue(), url=a.url))


HUB_CALENDAR = "https://thekove.example.org/calendar/"


def test_a_url_the_other_source_gives_to_many_events_is_not_a_twin() -> None:
    """The hub's feed links its calendar page from every event: a person searching
    for "Saturdays at The Kove" must still find it next to the hub's open studio."""
    saturday = NOW + timedelta(days=1, hours=-2)
    hub = [
        make("hub", "studio", title="Open studio", start=saturday, url=HUB_CALENDAR),
        make(
            "hub", "teens", title="Teen night", start=saturday + timedelta(days=6), url=HUB_CALENDAR
        ),
    ]
    kove = make(
        "city", "kove", title="Saturdays at The Kove", start=saturday + timedelta(minutes=30),
        url=HUB_CALENDAR,
    )  # fmt: skip
    index = DuplicateIndex(Fingerprint.of(event) for event in hub)
    assert index.find(kove) is None
    # Given to one event only, the same link still finds the twin.
    assert DuplicateIndex([Fingerprint.of(hub[0])]).find(kove) is not None


def test_a_url_my_own_source_gives_to_many_events_is_not_a_twin() -> None:
    saturday = NOW + timedelta(days=1)
    stored = make("hub", "studio", title="Open studio", start=saturday, url=HUB_CALENDAR)
    mine = [
        make("city", "kove", title="Saturdays at The Kove", start=saturday, url=HUB_CALENDAR),
        make("city", "yoga", title="Yoga", start=saturday + timedelta(days=2), url=HUB_CALENDAR),
    ]
    index = DuplicateIndex([Fingerprint.of(stored)])
    assert index.find(mine[0]) is not None
    assert index.find(mine[0], shared=shared_urls(mine)) is None


def test_two_branches_of_one_library_are_two_events() -> None:
    def storytime(source: str, branch: str) -> Event:
        return make(
            source,
            branch,
            title="Family Storytime",
            venue=Venue(name=f"Monroe County Public Library - {branch} Branch", city="Bloomington"),
            url="https://mcpl.example.org/calendar",
        )

    assert not same_event(storytime("a", "Southwest"), storytime("b", "Ellettsville"))
    assert same_event(storytime("a", "Southwest"), storytime("b", "Southwest"))
    fuller = make(
        "b",
        title="Family Storytime",
        venue=Venue(name="Southwest Branch", city="Bloomington"),
    )
    assert same_event(storytime("a", "Southwest"), fuller)  # one name holds the other


UNERD = (
    "https://www.engineering.utoronto.ca/event/unerd-2026-undergraduate-engineering-research-day/"
)


def test_one_event_two_sources_place_in_their_own_words_is_one() -> None:
    """U of T Engineering's feed and the university's list UnERD 2026 at "Myhal Centre" and
    at "Engineering" (bundled recording, Toronto): the page both give spells its title."""

    def unerd(source: str, venue: str) -> Event:
        return make(
            source,
            source,
            title="UnERD 2026 \N{EN DASH} Undergraduate Engineering Research Day",
            venue=Venue(name=venue, city="Toronto"),
            url=UNERD,
        )

    assert same_event(
        unerd("uoft-engineering", "Myhal Centre"), unerd("university-of-toronto", "Engineering")
    )
    other_day = make(
        "university-of-toronto",
        title="Engineering Open House",
        venue=Venue(name="Engineering", city="Toronto"),
        url=UNERD,
    )
    assert not same_event(unerd("uoft-engineering", "Myhal Centre"), other_day)
