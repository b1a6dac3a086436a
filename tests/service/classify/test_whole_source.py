"""A source's field and usual kind, lent to its events that say none."""

from __future__ import annotations

from service.classify.kinds import UNDECIDED
from service.classify.whole_source import SOURCE_FIELD, Lent, lend
from service.model import Event, Kind
from tests.factories import make_event


def listing(key: object, *sectors: str, title: str | None = None, **fields: object) -> Event:
    return make_event(
        key,
        title=title or f"Listing {key}",
        sectors=list(sectors),
        sector_evidence={slug: ["word"] for slug in sectors},
        **fields,
    )


def undecided(key: object, **fields: object) -> Event:
    return make_event(key, title=f"Session {key}", kind=Kind.OTHER, kind_reason=UNDECIDED, **fields)


def test_a_field_most_listings_share_is_lent_to_those_with_room_for_it() -> None:
    legal = [listing(n, "legal") for n in range(4)]
    silent = listing("annual meeting")
    full = listing("full", "finance", "education", "technology")
    beside = listing("beside", "finance")

    lent = lend([*legal, silent, full, beside])

    assert lent == Lent(sector="legal", sector_to=2)
    assert silent.sectors == ["legal"]
    assert silent.sector_evidence == {"legal": [SOURCE_FIELD]}
    assert beside.sectors == ["finance", "legal"]
    assert beside.sector_evidence == {"finance": ["word"], "legal": [SOURCE_FIELD]}
    assert full.sectors == ["finance", "education", "technology"]
    assert all(event.sector_evidence == {"legal": ["word"]} for event in legal)


def test_a_mixed_calendar_lends_nothing() -> None:
    events = [
        *(listing(f"law {n}", "legal") for n in range(4)),
        *(listing(f"care {n}", "healthcare") for n in range(3)),
        *(listing(f"tech {n}", "technology") for n in range(3)),
        listing("silent"),
    ]

    assert lend(events) == Lent()
    assert events[-1].sectors == []


def test_a_field_needs_a_share_of_the_listings_and_more_than_two() -> None:
    few = [listing(1, "legal"), listing(2, "legal"), listing("silent")]
    thin = [*(listing(n, "legal") for n in range(3)), *(listing(f"s{n}") for n in range(8))]

    assert lend(few) == Lent()
    assert lend(thin) == Lent()


def test_a_repeated_listing_counts_once() -> None:
    """Fifty Tuesdays of one class do not outweigh four different legal listings."""
    classes = [
        listing(f"yoga {n}", "sports-and-fitness", title="Tuesday Yoga", days=7 * n)
        for n in range(50)
    ]
    legal = [listing(n, "legal") for n in range(4)]

    lent = lend([*classes, *legal])

    assert lent.sector == "legal"
    assert all("legal" in event.sectors for event in classes)


def test_a_usual_kind_is_lent_only_where_nothing_said_the_kind() -> None:
    meetups = [make_event(n, kind=Kind.MEETUP, kind_reason='title says "meetup"') for n in range(3)]
    talk = undecided("talk")
    board = make_event("board", kind=Kind.OTHER, kind_reason='title says "board meeting"')

    lent = lend([*meetups, talk, board])

    assert lent == Lent(kind=Kind.MEETUP, kind_to=1)
    assert talk.kind is Kind.MEETUP
    assert talk.kind_reason == "this source's usual kind: meetup"
    assert board.kind is Kind.OTHER


def test_no_usual_kind_among_many_undecided_listings() -> None:
    events = [
        *(make_event(n, kind=Kind.WORKSHOP, kind_reason="title says") for n in range(3)),
        *(undecided(f"u{n}") for n in range(8)),
    ]

    assert lend(events) == Lent()
    assert events[-1].kind is Kind.OTHER
