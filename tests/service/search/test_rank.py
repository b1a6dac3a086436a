"""The meet-someone-new score and its reasons."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from service.model import Attendance, Event, Kind, Status, Venue
from service.search.rank import Scorer, end_seconds, reasons, soonness
from service.settings import ScoreWeights, Settings
from tests.factories import NOW, make_event

WEIGHT_NAMES = ("proximity", "sector", "soon", "kind", "in_person", "free")


def nurses_night(**changes: object) -> Event:
    """A free in-person healthcare meetup in Toronto, three days after NOW."""
    night: dict[str, object] = {
        "title": "Nurses' networking night",
        "start": NOW + timedelta(days=3),
        "kind": Kind.MEETUP,
        "sectors": ["healthcare"],
        "sector_evidence": {"healthcare": ["Nurses"]},
        "attendance": Attendance.IN_PERSON,
        "is_free": True,
        "timezone": "America/Toronto",
        "venue": Venue(name="The Hall", city="Toronto"),
    }
    return make_event(**(night | changes))


def score(event: Event, distance_km: float | None = 3.2, **scorer: object) -> float:
    weights = scorer.pop("weights", ScoreWeights())
    built = Scorer(weights, now=NOW, near=True, sectors=("healthcare",), **scorer)  # type: ignore[arg-type]
    return built.score_event(event, distance_km)


def test_score_is_between_zero_and_one_and_deterministic() -> None:
    event = nurses_night()

    assert 0 < score(event) <= 1
    assert score(event) == score(nurses_night())


@pytest.mark.parametrize(
    ("better", "worse"),
    [
        ({}, {"start": NOW + timedelta(days=40)}),
        ({}, {"kind": Kind.WORKSHOP}),
        ({"kind": Kind.BOOK_SIGNING}, {"kind": Kind.OTHER}),
        ({"kind": Kind.CAREER_FAIR}, {"kind": Kind.CONFERENCE}),
        ({}, {"attendance": Attendance.ONLINE}),
        ({}, {"attendance": Attendance.MIXED}),
        ({}, {"is_free": False}),
        ({"is_free": None}, {"is_free": False}),
        ({}, {"sectors": ["technology", "healthcare"]}),
        ({"sectors": ["technology", "healthcare"]}, {"sectors": ["technology"]}),
        ({}, {"status": Status.CANCELLED}),
    ],
)
def test_score_prefers_what_helps_meeting_someone_new(
    better: dict[str, object], worse: dict[str, object]
) -> None:
    assert score(nurses_night(**better)) > score(nurses_night(**worse))


def test_score_prefers_closer() -> None:
    event = nurses_night()

    assert score(event, 1.0) > score(event, 10.0) > score(event, 40.0)


def test_score_of_cancelled_event_is_zero() -> None:
    assert score(nurses_night(status=Status.CANCELLED)) == 0


def test_score_weights_change_the_order() -> None:
    near_paid = nurses_night(is_free=False)
    far_free = nurses_night()
    money = ScoreWeights(proximity=0.1, free=10)

    assert score(near_paid, 1.0) > score(far_free, 30.0)
    assert score(near_paid, 1.0, weights=money) < score(far_free, 30.0, weights=money)


def test_score_without_place_or_sector_ignores_those_parts() -> None:
    event = nurses_night()
    plain = Scorer(ScoreWeights(), now=NOW, near=False)

    assert plain.score_event(event, None) == plain.score_event(nurses_night(sectors=[]), None)


def test_score_weights_need_one_above_zero() -> None:
    with pytest.raises(ValidationError):
        ScoreWeights(proximity=0, sector=0, soon=0, kind=0, in_person=0, free=0)


def test_score_weights_come_from_settings_json(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MEETSCOUT_SCORE_WEIGHTS", '{"proximity": 5, "free": 0}')

    weights = Settings().score_weights

    assert (weights.proximity, weights.free, weights.kind) == (5, 0, ScoreWeights().kind)


def test_reasons_say_why_in_a_few_words() -> None:
    why = reasons(nurses_night(), distance_km=3.24, now=NOW, near=True, sectors=("healthcare",))

    assert why == [
        "3.2 km away",
        "Healthcare: Nurses",
        "meetup: a room full of people to talk to",
        "in person, free",
        "this week",
    ]


@pytest.mark.parametrize(
    ("changes", "distance_km", "expected"),
    [
        ({"attendance": Attendance.ONLINE}, None, "online: join from anywhere"),
        ({}, 0.42, "420 m away"),
        ({"details": {"located_by": "gazetteer"}}, 0.0, "in Toronto (exact venue unknown)"),
        ({"details": {"located_by": "gazetteer"}}, 12.3, "in Toronto, about 12 km away"),
        ({"is_free": False, "price": 15.0, "currency": "CAD"}, 1.0, "in person, 15 CAD"),
        ({"attendance": Attendance.MIXED, "is_free": None}, 1.0, "in person or online"),
        ({"start": NOW + timedelta(hours=20)}, 1.0, "tomorrow"),
        ({"start": NOW + timedelta(days=20)}, 1.0, "in 20 days"),
        ({"start": NOW - timedelta(hours=1)}, 1.0, "happening now"),
        (
            {"start": NOW - timedelta(days=30), "end": NOW + timedelta(days=30)},
            1.0,
            "runs until Sunday 27 December 2026",
        ),
        ({"status": Status.CANCELLED}, 1.0, "cancelled"),
    ],
)
def test_reasons_cover_each_part(
    changes: dict[str, object], distance_km: float | None, expected: str
) -> None:
    why = reasons(nurses_night(**changes), distance_km=distance_km, now=NOW, near=True)

    assert expected in why


def wine_wednesday(**changes: object) -> Event:
    """The meetup listed once across months, as Asheville's chamber lists "Wine Wednesday":
    started in the summer, on until after Christmas; otherwise the nurses' night."""
    return nurses_night(
        **({"start": NOW - timedelta(days=120), "end": NOW + timedelta(days=30)} | changes)
    )


def test_a_long_run_that_started_ranks_below_the_same_event_tonight() -> None:
    tonight = nurses_night(start=NOW + timedelta(hours=6))

    assert score(tonight) > score(wine_wednesday())


def test_a_long_run_that_started_counts_as_a_week_ahead() -> None:
    """Whether it began months or hours ago: when it is next on is unknown."""
    a_week_ahead = score(nurses_night(start=NOW + timedelta(days=7)))

    assert score(wine_wednesday()) == a_week_ahead
    assert score(wine_wednesday(start=NOW - timedelta(hours=1))) == a_week_ahead
    assert score(wine_wednesday()) > score(nurses_night(start=NOW + timedelta(days=8)))


def test_a_long_run_ending_within_the_week_counts_its_end() -> None:
    closing = wine_wednesday(end=NOW + timedelta(days=2))

    assert score(closing) == score(nurses_night(start=NOW + timedelta(days=2)))


def test_a_long_run_before_its_start_counts_its_start() -> None:
    opening = wine_wednesday(start=NOW + timedelta(days=2), end=NOW + timedelta(days=90))

    assert score(opening) == score(nurses_night(start=NOW + timedelta(days=2)))


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (NOW - timedelta(hours=1), NOW + timedelta(hours=1)),
        (NOW - timedelta(days=3), NOW + timedelta(days=4)),  # a week: still happening now
        (NOW, NOW + timedelta(hours=2)),
    ],
)
def test_an_event_on_now_keeps_full_soonness(start: object, end: object) -> None:
    on_now = nurses_night(start=start, end=end)
    just_starting = nurses_night(start=NOW, end=NOW + timedelta(hours=2))

    assert score(on_now) == score(just_starting) > score(nurses_night())


@pytest.mark.parametrize("days_ago", [0.01, 1, 7, 30, 300])
@pytest.mark.parametrize("runs_days", [0.1, 6.9, 7.1, 30, 400])
def test_soonness_of_a_started_event_is_never_above_one_on_now(
    days_ago: float, runs_days: float
) -> None:
    """What best first relies on: no event scores more soonness than one starting at the
    same moment that is on now (see Scorer.reach_km)."""
    start = NOW - timedelta(days=days_ago)
    event = nurses_night(start=start, end=start + timedelta(days=runs_days))
    if event.effective_end <= NOW:
        return
    on_now = nurses_night(start=start, end=start + timedelta(hours=1))

    assert score(event) <= score(on_now)
    assert 0 <= soonness(start.timestamp(), event.end.timestamp(), NOW.timestamp(), 14) <= 1


@pytest.mark.parametrize(
    "end",
    [
        "2026-12-17 00:00:00.000000",  # SQLite's text
        "2026-12-17 00:00:00",
        datetime(2026, 12, 17, tzinfo=UTC).replace(tzinfo=None),  # PostgreSQL's naive UTC
        datetime(2026, 12, 16, 19, tzinfo=ZoneInfo("America/New_York")),  # an event's own
    ],
)
def test_an_end_reads_the_same_however_it_is_given(end: str | datetime) -> None:
    assert end_seconds(end) == datetime(2026, 12, 17, tzinfo=UTC).timestamp()


@pytest.mark.parametrize("seed", range(4))
def test_what_beats_a_page_s_worst_meets_its_needs(seed: int) -> None:
    """What best first relies on to let the index turn rows away once its page is full: an
    event starting at a moment or later that scores above a worst entry has its proximity,
    kind, attendance and price parts (weighted) add up to at least what :meth:`Scorer.needs`
    says, the other parts at their best."""
    rng = random.Random(seed)
    weights = ScoreWeights()
    if seed:
        weights = ScoreWeights(
            **{name: rng.choice((0.5, 1.0, 2.0, 3.0)) for name in WEIGHT_NAMES},
            proximity_half_km=rng.choice((2.0, 10.0)),
            soon_half_days=rng.choice((3.0, 14.0)),
        )
    scorer = Scorer(weights, now=NOW, near=True, sectors=("healthcare",))
    beaten = 0
    for _ in range(300):
        moment = NOW + timedelta(days=rng.uniform(-2, 60))
        worst = round(rng.uniform(0.2, 0.95), 4)
        needs = scorer.needs(moment.timestamp(), worst)
        for _ in range(40):
            start = moment + timedelta(hours=rng.uniform(0, 24 * 30))
            event = nurses_night(
                start=start,
                end=start + timedelta(hours=2),
                kind=rng.choice(list(Kind)),
                attendance=rng.choice(list(Attendance)),
                is_free=rng.choice((True, False, None)),
                sectors=rng.choice((["healthcare"], ["technology", "healthcare"])),
            )
            distance = rng.uniform(0, 30)
            if scorer.score_event(event, distance) <= worst:
                continue
            beaten += 1
            parts = needs.proximity * 0.5 ** (distance / needs.half_km)
            parts += needs.kinds[event.kind.value] + needs.attendance[event.attendance.value]
            parts += needs.prices[event.is_free]
            assert parts >= needs.need
    assert beaten > 100
