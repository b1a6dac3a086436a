"""The operator's curation in the store: corrections that survive recrawls, held and hidden
events that no read of the events can see."""

from __future__ import annotations

from datetime import timedelta

from service.model import Kind
from service.store import CurationStore, EventQuery, EventStore
from tests.factories import NOW, python_meetup

LATER = NOW + timedelta(hours=6)


def test_a_correction_holds_through_recrawls(store: EventStore) -> None:
    curation = CurationStore(store.engine)
    store.upsert_many([python_meetup()], now=NOW)

    corrected = curation.correct(
        event_id=python_meetup().id, kind=Kind.WORKSHOP, sectors=["education"], now=NOW
    )
    assert corrected is not None
    assert (corrected.kind, corrected.sectors) == (Kind.WORKSHOP, ["education"])

    store.upsert_many([python_meetup()], now=LATER)
    again = store.upsert_many([python_meetup()], now=LATER + timedelta(hours=1))

    stored = store.get(event_id=python_meetup().id)
    assert stored is not None
    assert (stored.kind, stored.sectors) == (Kind.WORKSHOP, ["education"])
    assert stored.kind_reason == "set by the operator"
    assert list(stored.sector_evidence) == ["education"]
    # The correction is part of the stored content: a recrawl is no change.
    assert (again.changed, again.unchanged) == (0, 1)


def test_correcting_only_the_kind_keeps_the_crawled_sectors(store: EventStore) -> None:
    curation = CurationStore(store.engine)
    store.upsert_many([python_meetup()], now=NOW)
    curation.correct(event_id=python_meetup().id, kind=Kind.CAREER_FAIR, now=NOW)
    store.upsert_many([python_meetup(sectors=["finance"])], now=LATER)

    stored = store.get(event_id=python_meetup().id)
    assert stored is not None
    assert (stored.kind, stored.sectors) == (Kind.CAREER_FAIR, ["finance"])


def test_a_hidden_event_leaves_every_read_and_stays_out_after_a_recrawl(
    store: EventStore,
) -> None:
    curation = CurationStore(store.engine)
    store.upsert_many([python_meetup(1), python_meetup(2)], now=NOW)

    assert curation.hide(event_id=python_meetup(1).id, now=NOW)
    result = store.upsert_many([python_meetup(1), python_meetup(2)], now=LATER)

    assert result.hidden == 1
    assert [event.id for event in store.search(query=EventQuery())] == [python_meetup(2).id]
    assert store.count(query=EventQuery()) == 1
    assert [c.title for c in curation.hidden()] == ["Python meetup 1"]

    assert curation.unhide(event_id=python_meetup(1).id, now=LATER)
    store.upsert_many([python_meetup(1)], now=LATER)
    assert store.get(event_id=python_meetup(1).id) is not None


def test_a_holding_source_keeps_new_events_out_of_sight_until_approved(
    store: EventStore,
) -> None:
    curation = CurationStore(store.engine)
    store.upsert_many([python_meetup(1)], now=NOW)

    result = store.upsert_many([python_meetup(1), python_meetup(2)], now=LATER, hold=True)

    # Already shown events go on being updated; only new ones wait.
    assert (result.unchanged, result.held) == (1, 1)
    assert [event.id for event in store.search(query=EventQuery())] == [python_meetup(1).id]
    assert store.count(query=EventQuery(q="Python")) == 1
    assert [held.title for held in curation.held()] == ["Python meetup 2"]
    assert curation.held_by_source() == {"test": 1}

    approved = curation.approve(event_id=python_meetup(2).id, now=LATER)

    assert approved is not None
    assert approved.venue == python_meetup(2).venue
    assert approved.start == python_meetup(2).start
    assert curation.held() == []
    # Approved once, its later crawls go straight in.
    again = store.upsert_many([python_meetup(2)], now=LATER, hold=True)
    assert (again.held, again.unchanged) == (0, 1)


def test_a_held_event_can_be_corrected_before_approval_or_hidden(store: EventStore) -> None:
    curation = CurationStore(store.engine)
    store.upsert_many([python_meetup(1), python_meetup(2)], now=NOW, hold=True)

    curation.correct(event_id=python_meetup(1).id, sectors=["healthcare"], now=NOW)
    assert curation.hide(event_id=python_meetup(2).id, now=NOW)
    approved = curation.approve(event_id=python_meetup(1).id, now=NOW)

    assert approved is not None and approved.sectors == ["healthcare"]
    assert curation.held() == []
    assert store.upsert_many([python_meetup(2)], now=LATER, hold=True).hidden == 1


def test_corrections_are_classifier_examples_with_what_the_classifier_read(
    store: EventStore,
) -> None:
    curation = CurationStore(store.engine)
    store.upsert_many([python_meetup(1, description="Talks and pizza"), python_meetup(2)], now=NOW)
    curation.correct(event_id=python_meetup(1).id, kind=Kind.CAREER_FAIR, now=NOW)
    curation.hide(event_id=python_meetup(2).id, now=NOW)

    (example,) = curation.examples()

    assert example.title == "Python meetup 1"
    assert example.description == "Talks and pizza"
    assert (example.kind, example.sectors) == ("career_fair", ("technology",))


def test_unknown_events_are_refused(store: EventStore) -> None:
    curation = CurationStore(store.engine)
    assert curation.correct(event_id="nope", kind=Kind.CAREER_FAIR, now=NOW) is None
    assert not curation.hide(event_id="nope", now=NOW)
    assert curation.approve(event_id="nope", now=NOW) is None
