"""The names people read for the model's fixed values: kinds, attendance, status, free times.

One definition each, so the web page, the calendar feeds, the digest and
the CLI call a thing by the same word. Labels are written as they stand on
their own (a badge, a table cell); inside a sentence a caller lowers them.
Sector names are not here: they belong to the taxonomy in
``service.classify``, and renderers get them from their caller as data.
"""

from __future__ import annotations

from collections.abc import Mapping

from service.model import Attendance, FreeTime, Kind, Status

KIND_LABELS: Mapping[Kind, str] = {
    Kind.CONFERENCE: "Conference",
    Kind.BOOK_SIGNING: "Book signing",
    Kind.MEETUP: "Meetup",
    Kind.CAREER_FAIR: "Career fair",
    Kind.WORKSHOP: "Workshop",
    Kind.OTHER: "Event",
}
"""What an event is: a kind the classifier could not name is still an event."""

KIND_CHOICE_LABELS: Mapping[Kind, str] = {**KIND_LABELS, Kind.OTHER: "Other"}
"""The kinds as choices of a filter, where "Event" would read as "every event"."""

ATTENDANCE_LABELS: Mapping[Attendance, str] = {
    Attendance.IN_PERSON: "In person",
    Attendance.ONLINE: "Online",
    Attendance.MIXED: "In person or online",
}

STATUS_LABELS: Mapping[Status, str] = {
    Status.CANCELLED: "Cancelled",
    Status.POSTPONED: "Postponed",
}
"""Only a status a person must notice has a label; a scheduled event needs none."""

STATUS_NOTES: Mapping[Status, str] = {
    Status.CANCELLED: "This event was cancelled.",
    Status.POSTPONED: "This event was postponed; check the event page for a new date.",
}
"""The same, as a sentence at the top of a description."""

FREE_TIME_LABELS: Mapping[FreeTime, str] = {
    FreeTime.WEEKDAY_DAYTIME: "weekday daytime (Monday to Friday, 8:00 to 17:00)",
    FreeTime.WEEKDAY_EVENINGS: "weekday evenings (Monday to Friday, 17:00 to 23:00)",
    FreeTime.WEEKENDS: "weekends (Saturday and Sunday)",
}
"""Lower case, as they follow "You are free:" in the digest (the sign-up form capitalises them)."""

CHANGE_LABELS: Mapping[str, str] = {
    "new": "New",
    "rescheduled": "Rescheduled",
    "postponed": STATUS_LABELS[Status.POSTPONED],
    "cancelled": STATUS_LABELS[Status.CANCELLED],
    "updated": "Details changed",
}
"""What happened to an event since the last digest (``service.model.ChangeKind``)."""

KIND_PLURALS: Mapping[Kind, str] = {
    Kind.CONFERENCE: "conferences",
    Kind.BOOK_SIGNING: "book signings",
    Kind.MEETUP: "meetups",
    Kind.CAREER_FAIR: "career fairs",
    Kind.WORKSHOP: "workshops",
    Kind.OTHER: "other events",
}
"""Kinds as a search names them: "Book signings near Toronto"."""

ATTENDANCE_WORDS: Mapping[str, str] = {
    "in_person": "in person",
    "online": "online",
    "mixed": "in person and online",
}
"""Attendance as a search for it reads: a hybrid event can be attended both ways."""
