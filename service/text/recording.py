"""What every face says when it shows a recording instead of live data.

With ``MEETSCOUT_REPLAY_AT`` set (``make run`` sets it for the bundled
snapshot), the web page, the ``/events`` answer, the command line and the
calendar feed's description all say plainly that the events are a
recording and as of when, in these words.
"""

from __future__ import annotations

from datetime import UTC, datetime

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def recorded_when(moment: datetime) -> str:
    """ "22 August 2026, 02:23 UTC": the moment a recording was made, the same in every locale."""
    utc = moment.astimezone(UTC)
    return f"{utc.day} {MONTHS[utc.month - 1]} {utc.year}, {utc:%H:%M} UTC"


def recording_title(moment: datetime) -> str:
    """A short label: "Recording of 22 August 2026, 02:23 UTC"."""
    return f"Recording of {recorded_when(moment)}"


def recording_notice(moment: datetime) -> str:
    """One or two plain sentences for a banner, a JSON field, a terminal or a feed description."""
    return (
        f"This is a recording, not live data: the events as their publishers listed them "
        f"on {recorded_when(moment)}, shown as if it were that moment now. "
        f"Dates that read as upcoming have passed."
    )
