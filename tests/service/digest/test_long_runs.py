"""A meetup listed once across months in the digest: not this week's top pick over tonight's."""

from __future__ import annotations

from service.digest.compile import compile_digest
from service.search import Point, SearchRequest
from service.store import EventStore
from tests.factories import NOW, toronto_event


def test_digest_picks_tonights_meetup_over_a_long_run_that_started_months_ago(
    store: EventStore,
) -> None:
    """Listed from the summer to after Christmas (Asheville's "Wine Wednesday"), the same
    meetup stays among the alternates, saying until when it runs."""
    long_run = toronto_event("wine-wednesday", days=-120, hours=24 * 150)
    tonight = toronto_event("tonight", days=11 / 24)
    store.upsert_many([long_run, tonight], now=NOW)

    digest = compile_digest(
        store,
        SearchRequest(near=Point(43.66, -79.39, "Toronto"), radius_km=25),
        now=NOW,
        timezone="America/Toronto",
        place="Toronto",
    )

    assert digest.top_pick is not None and digest.top_pick.event.id == tonight.id
    assert [item.event.id for item in digest.alternates] == [long_run.id]
    assert "runs until Sunday 27 December 2026" in digest.alternates[0].why
