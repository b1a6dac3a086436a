"""``deadlines``: conference lists in the YAML of ai-deadlines and its many forks.

aideadlin.es started a format that dozens of "deadlines" sites share (for
security, HCI, robotics, and LiGHT's global-health conferences): one YAML
list of records with ``title``, ``year``, ``id``, ``full_name``, ``link``,
``place`` (free text), ``date`` (free text), ``start`` and ``end``
(``YYYY-MM-DD``), ``sub`` (subjects) and ``type`` (``conference``,
``summit``, ``workshop``). The source URL is one such file.

A record's ``timezone`` is its deadlines' (often ``UTC-12``, "anywhere on
Earth"), not the venue's: the days are all-day dates at the venue, placed
and zoned by the locate stage from ``place``. Records without ``start`` are
counted and skipped.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import date, timedelta
from typing import Any

import scrapy
import yaml
from scrapy.http import Response

from crawlers.spiders.base import SourceSpider
from service.model import Attendance, Event, Kind, Venue, all_day_start, make_event_id

KINDS = {"conference": Kind.CONFERENCE, "summit": Kind.CONFERENCE, "workshop": Kind.WORKSHOP}
# The format's subject codes (ai-deadlines and its forks) and LiGHT's health subjects.
COMPUTING = ("ai", "ml", "cv", "nlp", "dm", "sp", "hci", "ro", "sec", "priv", "cg", "kr", "ap")
SUBJECT_SECTORS: dict[str, tuple[str, ...]] = {
    **{code: ("technology",) for code in (*COMPUTING, "se")},
    "global health": ("healthcare",),
    "health ai": ("healthcare", "technology"),
}
UNKNOWN_PLACES = frozenset({"", "tba", "tbd", "online", "virtual"})


class DeadlinesSpider(SourceSpider):
    name = "deadlines"
    source_type = "deadlines"

    async def start(self) -> AsyncIterator[Any]:
        yield scrapy.Request(self.source.url, callback=self.parse, errback=self.on_error)

    def parse(self, response: Response, **kwargs: Any) -> Iterator[Event]:
        self.record_response(response)
        try:
            records = yaml.safe_load(response.body)
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            self.logger.warning("%s: not YAML: %s", self.source.name, str(exc).splitlines()[0])
            self.report.fail("bad_yaml", f"{response.url}: not YAML"[:300])
            return
        if not isinstance(records, list):
            self.report.fail("bad_yaml", f"{response.url}: expected a YAML list of records")
            return
        self.report.fetched += 1
        for record in records:
            self.report.found += 1
            if not isinstance(record, dict) or not _text(record.get("title")):
                self.report.drop("missing_required_field")
                continue
            try:
                first = _date(record.get("start"))
                last = _date(record.get("end")) or first
            except ValueError:
                self.report.drop("bad_date")
                continue
            if first is None or last is None:
                self.report.drop("no_dates")
                continue
            if last < first:
                self.report.drop("bad_date")
                continue
            yield self.parse_record(record, first, last, file_url=response.url)

    def parse_record(
        self, record: dict[str, Any], first: date, last: date, *, file_url: str
    ) -> Event:
        title = _text(record.get("title")) or ""
        kind = KINDS.get(str(record.get("type", "")).lower())
        year = record.get("year")
        key = _text(record.get("id")) or f"{title} {year}"
        subjects = _subjects(record.get("sub"))
        place = _text(record.get("place")) or ""
        zone = self.source.timezone
        return Event(
            id=make_event_id(self.source.name, key.lower()),
            title=_text(record.get("full_name")) or (f"{title} {year}" if year else title),
            start=all_day_start(first, zone),
            end=all_day_start(last + timedelta(days=1), zone),
            timezone=zone,
            all_day=True,
            kind=kind or self.source.kind or Kind.CONFERENCE,
            sectors=list(dict.fromkeys([*self.source.sectors, *_sectors(subjects)])),
            categories=subjects,
            attendance=_attendance(place),
            venue=self._parse_venue(place),
            url=_text(record.get("link")),
            description=_description(record, title, subjects),
            source=self.source.name,
            source_url=file_url,
        )

    def _parse_venue(self, place: str) -> Venue:
        venue = self.default_venue()
        if place.lower() not in UNKNOWN_PLACES:
            venue.address = place
        return venue


def _attendance(place: str) -> Attendance:
    words = place.lower()
    if "online" not in words and "virtual" not in words:
        return Attendance.IN_PERSON
    return Attendance.ONLINE if words.strip() in UNKNOWN_PLACES else Attendance.MIXED


def _subjects(value: object) -> list[str]:
    values = value if isinstance(value, list) else [value]
    return [text for item in values if (text := _text(item))]


def _sectors(subjects: list[str]) -> list[str]:
    return [sector for subject in subjects for sector in SUBJECT_SECTORS.get(subject.lower(), ())]


def _description(record: dict[str, Any], title: str, subjects: list[str]) -> str | None:
    """What the record says beyond the event's own fields, in words."""
    lines = []
    full_name = _text(record.get("full_name"))
    if full_name and full_name != title:
        lines.append(f"{title}: {full_name}")
    when = _text(record.get("date"))
    if when:
        lines.append(f"Dates: {when}")
    if subjects:
        lines.append(f"Subjects: {', '.join(subjects)}")
    zone = _text(record.get("timezone"))
    for key, label in (("abstract_deadline", "Abstract deadline"), ("deadline", "Deadline")):
        deadline = _text(record.get(key))
        if deadline:
            lines.append(f"{label}: {deadline}" + (f" ({zone})" if zone else ""))
    note = _text(record.get("note"))
    if note:
        lines.append(note)
    return "\n".join(lines) or None


def _text(value: object) -> str | None:
    """A non-empty text field (numbers as written), stripped; anything else is absent."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return value.strip() or None if isinstance(value, str) else None


def _date(value: object) -> date | None:
    """``start``/``end``: quoted text, or a date when a file leaves it unquoted."""
    if isinstance(value, date):
        return value
    text = _text(value)
    return date.fromisoformat(text) if text else None
