"""VTIMEZONE components, computed from the IANA database for the years a feed spans.

A feed that writes local times with a TZID must define that TZID, or clients
guess (Outlook) or fall back to UTC. Every client reads one observance per
offset change with no RDATE or RRULE, so that is the form written here.

Pure: the standard library and icalendar only.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from icalendar import Timezone, TimezoneDaylight, TimezoneStandard
from icalendar.prop import vText

_Observance = tuple[datetime, timedelta, timedelta, str, bool]
_State = tuple[timedelta, str, bool]


@lru_cache(maxsize=512)
def vtimezone_bytes(tzid: str, first_year: int, last_year: int) -> bytes:
    """The serialised VTIMEZONE for ``tzid``: the same years always give the same bytes."""
    return vtimezone(tzid, first_year, last_year).to_ical()


def vtimezone(tzid: str, first_year: int, last_year: int) -> Timezone:
    """A VTIMEZONE with one observance per offset change from ``first_year`` on.

    icalendar's ``Timezone.from_tzinfo`` writes a spring-forward onset in the
    new offset's local time (03:00, not 02:00), one hour late by RFC 5545
    3.6.5, so the changes are searched for here in UTC instead. One
    observance per change, with no RDATE or RRULE, is the form every client
    reads.
    """
    timezone = Timezone()
    timezone.add("tzid", tzid)
    for onset, offset_from, offset_to, name, is_dst in _observances(tzid, first_year, last_year):
        observance = TimezoneDaylight() if is_dst else TimezoneStandard()
        observance.add("dtstart", onset)
        observance.add("tzoffsetfrom", offset_from)
        observance.add("tzoffsetto", offset_to)
        observance.add("tzname", vText(name))
        timezone.add_component(observance)
    return timezone


@lru_cache(maxsize=256)
def _observances(tzid: str, first_year: int, last_year: int) -> tuple[_Observance, ...]:
    """Local onset, offsets and name of each change from ``first_year`` to ``last_year``."""
    zone = ZoneInfo(tzid)
    moment = datetime(first_year, 1, 1, tzinfo=zone).astimezone(UTC)
    stop = datetime(last_year + 1, 1, 1, tzinfo=zone).astimezone(UTC)
    state = _state(moment, zone)
    onset = moment.astimezone(zone).replace(tzinfo=None)
    found: list[_Observance] = [(onset, state[0], state[0], state[1], state[2])]
    while moment < stop:
        following = moment + timedelta(days=1)
        if _state(following, zone) == state:
            moment = following
            continue
        moment = _first_change(moment, following, zone, state)
        new = _state(moment, zone)
        onset = (moment + state[0]).replace(tzinfo=None)
        found.append((onset, state[0], new[0], new[1], new[2]))
        state = new
    return tuple(found)


def _state(moment: datetime, zone: ZoneInfo) -> _State:
    local = moment.astimezone(zone)
    offset = local.utcoffset() or timedelta(0)
    return offset, local.tzname() or _offset_name(offset), bool(local.dst())


def _first_change(before: datetime, after: datetime, zone: ZoneInfo, state: _State) -> datetime:
    """The first second after ``before`` whose offset differs from ``state``."""
    low, high = 0, int((after - before).total_seconds())
    while high - low > 1:
        middle = (low + high) // 2
        if _state(before + timedelta(seconds=middle), zone) == state:
            low = middle
        else:
            high = middle
    return before + timedelta(seconds=high)


def _offset_name(offset: timedelta) -> str:
    minutes = int(offset.total_seconds()) // 60
    sign = "+" if minutes >= 0 else "-"
    return f"{sign}{abs(minutes) // 60:02d}{abs(minutes) % 60:02d}"
