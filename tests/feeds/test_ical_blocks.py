"""Event blocks: a calendar assembled from blocks rendered one by one is the same calendar.

This is what lets the HTTP layer serialise each event once per version and
reuse it; ``stamp="updated"`` is what makes a block independent of "now".
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from feeds.ical import EventBlock, FeedOptions, assemble_calendar, render_block, render_calendar
from service.model import Event, Status
from tests.factories import (
    HOSTILE,
    all_day_conference,
    dst_edge_events,
    march_meetup,
    zoned_events,
)
from tests.support.ical import check_feed, icaljs_missing, parse_with_icaljs

# Render clocks: before every sample event, and a week on.
NOW = datetime(2026, 2, 1, 12, 0, tzinfo=UTC)
LATER = datetime(2026, 2, 9, 8, 15, tzinfo=UTC)

OPTION_SETS: dict[str, dict[str, Any]] = {
    "default": {},
    "alarm-followup": {"alarm_minutes": 45, "followup": True},
    "mark": {"cancelled": "mark"},
    "hide": {"cancelled": "hide"},
    "stamp-updated": {"stamp": "updated", "followup": True},
}


def mixed_events() -> list[Event]:
    return [
        *zoned_events(),
        *dst_edge_events(),
        all_day_conference("all-day", date(2026, 3, 10), 2, "Australia/Adelaide"),
        all_day_conference("utc-day", date(2026, 3, 12), 1, None),
        march_meetup("cancelled", status=Status.CANCELLED),
        march_meetup("postponed", status=Status.POSTPONED),
        march_meetup("no-zone", timezone=None),
        march_meetup("hostile", title=HOSTILE["crlf-injection"], description=HOSTILE["long-words"]),
    ]


@pytest.mark.parametrize("changes", OPTION_SETS.values(), ids=OPTION_SETS.keys())
def test_assemble_calendar_from_blocks_equals_render_calendar(changes: dict[str, Any]) -> None:
    options = FeedOptions(**changes)
    events = sorted(mixed_events(), key=lambda event: (event.start, event.id))

    blocks = [render_block(event, now=NOW, options=options) for event in events]

    assert assemble_calendar(blocks, options=options) == render_calendar(
        events, now=NOW, options=options
    )


def test_assemble_calendar_checked_by_three_parsers() -> None:
    options = FeedOptions(followup=True, alarm_minutes=15, stamp="updated")
    blocks = [render_block(event, now=NOW, options=options) for event in mixed_events()]

    calendar = check_feed(assemble_calendar(blocks, options=options))

    scheduled = [event for event in mixed_events() if event.status == Status.SCHEDULED]
    assert len(calendar.walk("VEVENT")) == len(mixed_events()) + len(scheduled)


def test_render_block_hidden_cancelled_is_empty() -> None:
    block = render_block(
        march_meetup(status=Status.CANCELLED), now=NOW, options=FeedOptions(cancelled="hide")
    )

    assert block == EventBlock()


def test_render_block_records_tzids_and_years() -> None:
    block = render_block(march_meetup(), now=NOW)

    assert block.tzids == frozenset({"America/Toronto"})
    assert block.years == (2026, 2026)


def test_render_block_utc_event_needs_no_vtimezone() -> None:
    block = render_block(march_meetup(timezone=None), now=NOW)

    assert block.tzids == frozenset()


def test_assemble_calendar_vtimezone_covers_every_block() -> None:
    early = march_meetup("early", start=datetime(2024, 6, 1, 18, tzinfo=UTC), end=None)
    late = march_meetup("late", start=datetime(2028, 6, 1, 18, tzinfo=UTC), end=None)
    blocks = [render_block(event, now=NOW) for event in (early, late)]

    calendar = check_feed(assemble_calendar(blocks, options=FeedOptions()))

    (timezone,) = calendar.walk("VTIMEZONE")
    onsets = [component.decoded("DTSTART") for component in timezone.subcomponents]
    assert min(onsets).year == 2024
    assert max(onsets).year == 2028


def test_assemble_calendar_no_blocks_is_an_empty_calendar() -> None:
    data = assemble_calendar([], options=FeedOptions(name="Nothing yet"))

    calendar = check_feed(data)
    assert calendar.walk("VEVENT") == []
    assert data.endswith(b"END:VCALENDAR\r\n")


def test_render_block_stamp_updated_uses_last_change() -> None:
    event = march_meetup(updated=datetime(2026, 1, 20, 16, 0, tzinfo=UTC))

    data = render_block(event, now=LATER, options=FeedOptions(stamp="updated")).data

    assert b"DTSTAMP:20260120T160000Z\r\n" in data


def test_render_block_stamp_updated_falls_back_to_first_seen_then_now() -> None:
    seen = march_meetup(updated=None, first_seen=datetime(2026, 1, 5, 9, 0, tzinfo=UTC))
    unknown = march_meetup(updated=None, first_seen=None)
    options = FeedOptions(stamp="updated")

    assert b"DTSTAMP:20260105T090000Z" in render_block(seen, now=LATER, options=options).data
    assert b"DTSTAMP:20260209T081500Z" in render_block(unknown, now=LATER, options=options).data


def test_render_block_stamp_updated_same_bytes_at_any_time() -> None:
    options = FeedOptions(stamp="updated", followup=True, alarm_minutes=10)
    event = march_meetup()

    first = render_block(event, now=NOW, options=options)
    later = render_block(event, now=NOW + timedelta(days=40), options=options)

    assert later == first


def test_render_block_stamp_now_default_is_now() -> None:
    data = render_block(march_meetup(), now=LATER).data

    assert b"DTSTAMP:20260209T081500Z\r\n" in data


def test_create_feed_options_invalid_stamp_raises() -> None:
    with pytest.raises(ValueError, match="stamp"):
        FeedOptions(stamp="yesterday")  # type: ignore[arg-type]


def test_feed_options_block_key_ignores_calendar_name_and_refresh() -> None:
    one = FeedOptions(name="One", description="first", refresh=timedelta(hours=1))
    other = FeedOptions(name="Other", description="second", refresh=timedelta(hours=9))

    assert one.block_key() == other.block_key()


@pytest.mark.parametrize(
    "changes",
    [
        {"cancelled": "mark"},
        {"alarm_minutes": 5},
        {"followup": True},
        {"base_url": "https://meetscout.example"},
        {"uid_domain": "example.org"},
        {"stamp": "updated"},
    ],
)
def test_feed_options_block_key_follows_what_a_block_shows(changes: dict[str, Any]) -> None:
    assert FeedOptions(**changes).block_key() != FeedOptions().block_key()


def test_icaljs_is_installed() -> None:
    """The third parser runs wherever node and ical.js are; a skip here says it did not."""
    reason = icaljs_missing()
    if reason is not None:
        pytest.skip(reason)

    rows = parse_with_icaljs(render_calendar([march_meetup()], now=NOW))

    assert rows is not None
    assert [row["uid"] for row in rows] == [f"{march_meetup().id}@meetscout"]
