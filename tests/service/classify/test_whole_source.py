"""A source's field, lent to its events that name none."""

from __future__ import annotations

from service.classify.whole_source import SOURCE_FIELD, lend
from service.model import Event
from tests.factories import make_event


def listing(key: object, *sectors: str, title: str | None = None, **fields: object) -> Event:
    return make_event(
        key,
        title=title or f"Listing {key}",
        sectors=list(sectors),
        sector_evidence={slug: ["word"] for slug in sectors},
        **fields,
    )


def test_a_field_most_listings_share_is_lent_to_those_naming_none() -> None:
    legal = [listing(n, "legal") for n in range(4)]
    silent = listing("annual meeting")
    beside = listing("beside", "finance")
    other = listing("other", "finance")

    lent = lend([*legal, silent, beside, other])

    assert lent == {"legal": 1}
    assert silent.sectors == ["legal"]
    assert silent.sector_evidence == {"legal": [SOURCE_FIELD]}
    assert beside.sectors == ["finance"]
    assert all(event.sector_evidence == {"legal": ["word"]} for event in legal)


def test_a_field_nearly_all_listings_share_is_lent_beside_other_fields() -> None:
    legal = [listing(n, "legal") for n in range(8)]
    beside = listing("beside", "finance")
    full = listing("full", "finance", "education", "technology")

    lent = lend([*legal, beside, full])

    assert lent == {"legal": 1}
    assert beside.sectors == ["finance", "legal"]
    assert beside.sector_evidence == {"finance": ["word"], "legal": [SOURCE_FIELD]}
    assert full.sectors == ["finance", "education", "technology"]


def test_a_mixed_calendar_lends_nothing() -> None:
    events = [
        *(listing(f"law {n}", "legal") for n in range(4)),
        *(listing(f"care {n}", "healthcare") for n in range(3)),
        *(listing(f"tech {n}", "technology") for n in range(3)),
        listing("silent"),
    ]

    assert lend(events) == {}
    assert events[-1].sectors == []


def test_a_field_needs_a_share_of_the_listings_and_more_than_two() -> None:
    few = [listing(1, "legal"), listing(2, "legal"), listing("silent")]
    thin = [*(listing(n, "legal") for n in range(3)), *(listing(f"s{n}") for n in range(8))]

    assert lend(few) == {}
    assert lend(thin) == {}
    assert few[-1].sectors == thin[-1].sectors == []


def test_a_repeated_listing_counts_once() -> None:
    """Fifty Tuesdays of one class do not outweigh three different legal listings."""
    classes = [
        listing(f"yoga {n}", "sports-and-fitness", title="Tuesday Yoga", days=7 * n)
        for n in range(50)
    ]
    legal = [listing(n, "legal") for n in range(3)]
    silent = [listing("silent"), listing("quiet")]

    lent = lend([*classes, *legal, *silent])

    assert lent == {"legal": 2}
    assert [event.sectors for event in silent] == [["legal"], ["legal"]]
    assert all(event.sectors == ["sports-and-fitness"] for event in classes)


def test_a_host_name_that_names_a_field_lends_it_to_every_event_with_room() -> None:
    """A high school's calendar: its baseball workouts are a school's events."""
    sports = listing("workouts", "sports-and-fitness", title="Baseball Workouts")
    silent = listing("break", title="Winter Break")
    full = listing("full", "finance", "legal", "technology")

    lent = lend([sports, silent, full], names=["Events", "Asheville High School"])

    assert lent == {"education": 2}
    assert sports.sectors == ["sports-and-fitness", "education"]
    assert sports.sector_evidence["education"] == ["Asheville High School"]
    assert silent.sectors == ["education"]
    assert full.sectors == ["finance", "legal", "technology"]


def test_a_name_naming_no_field_lends_nothing() -> None:
    events = [listing("a"), listing("b", "legal")]

    assert lend(events, names=["Programs and Events Calendar", "   "]) == {}
    assert events[0].sectors == []


def test_the_name_and_what_the_listings_share_both_lend() -> None:
    legal = [listing(n, "legal") for n in range(4)]
    silent = listing("silent")

    lent = lend([*legal, silent], names=["Durham Chamber of Commerce"])

    assert lent == {"sales-and-business": 5, "legal": 1}
    assert silent.sectors == ["sales-and-business", "legal"]
    assert all(event.sectors == ["legal", "sales-and-business"] for event in legal)


def test_a_name_naming_two_fields_says_neither() -> None:
    silent = listing("silent")

    assert lend([silent], names=["Triangle Arts and Science Society"]) == {}
    assert silent.sectors == []


def test_a_name_that_says_what_body_runs_the_calendar_lends_that_field() -> None:
    """A town's or a city's calendar is a government's, whatever its meetings are called;
    a name with the host words of two fields (a city's public library) says neither."""
    zoo = listing("zoo", title="Toronto Zoo — Meeting #23")
    dogs = listing("dogs", "legal", title="Dangerous Dog Review Tribunal — Meeting #36")

    lent = lend([zoo, dogs], names=["City of Toronto Meetings"])

    assert lent == {"public-sector-and-nonprofit": 2}
    assert zoo.sectors == ["public-sector-and-nonprofit"]
    assert zoo.sector_evidence == {"public-sector-and-nonprofit": ["City of Toronto Meetings"]}
    assert dogs.sectors == ["legal", "public-sector-and-nonprofit"]
    library = listing("story time", title="Story Time")
    assert lend([library], names=["City of Asheville Public Library"]) == {}
    assert library.sectors == []


def test_the_kind_of_body_a_name_says_outranks_the_other_words_in_it() -> None:
    """An art museum at a university, a land trust, a museum of natural sciences: the body
    that runs the calendar says its field, though the name's other words ("University",
    "Land", "Museum") name others."""
    tour = listing("tour", title="Reflections: Virtual Tour")
    hike = listing("hike", "real-estate-and-construction", title="Hike the Trust: Mine Preserve")
    night = listing("night", title="Programs After Dark")

    assert lend([tour], names=["Nasher Museum of Art at Duke University"]) == {"design-and-arts": 1}
    assert lend([hike], names=["Sycamore Land Trust"]) == {"energy-and-environment": 1}
    assert lend([night], names=["North Carolina Museum of Natural Sciences"]) == {
        "science-and-research": 1
    }
    assert tour.sector_evidence == {"design-and-arts": ["Nasher Museum of Art at Duke University"]}
    assert hike.sectors == ["real-estate-and-construction", "energy-and-environment"]
