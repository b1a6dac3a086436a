"""``confs_tech``: the open confs.tech conference dataset (one JSON file per year and topic).

The source URL is the dataset's ``conferences`` folder (``.../conferences``);
the spider reads ``<url>/<year>/<topic>.json`` for the years and topics it is
given, by default the crawl's year and the next, and every known topic.

Every field of a record is kept: dates, place and ``online`` in the event's
own fields (countries as the dataset writes them, "U.S.A.", for the locate
stage to resolve), the rest in ``details`` under snake_case keys and, in
words, in the description. The file's topic is a category and
``details["topics"]``; a conference listed in several topic files is merged
by the store pipeline.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from datetime import date, timedelta
from typing import Any

import scrapy
from scrapy.http import Response
from twisted.python.failure import Failure

from crawlers.spiders.base import SourceSpider
from service.model import Attendance, Event, Kind, Venue, all_day_start, make_event_id

TOPICS = (
    "accessibility",
    "android",
    "api",
    "cfml",
    "clojure",
    "cpp",
    "css",
    "data",
    "devops",
    "dotnet",
    "elixir",
    "elm",
    "general",
    "golang",
    "graphql",
    "groovy",
    "haskell",
    "identity",
    "ios",
    "iot",
    "java",
    "javascript",
    "kotlin",
    "leadership",
    "networking",
    "opensource",
    "performance",
    "php",
    "product",
    "python",
    "ruby",
    "rust",
    "scala",
    "security",
    "sre",
    "tech-comm",
    "testing",
    "typescript",
    "ux",
)
REQUIRED = ("name", "url", "startDate", "endDate")
# Dataset fields kept as given in ``Event.details``: (details key, dataset field).
TEXT_DETAILS = (
    ("cfp_url", "cfpUrl"),
    ("coc_url", "cocUrl"),
    ("twitter", "twitter"),
    ("mastodon", "mastodon"),
    ("bluesky", "bluesky"),
    ("github", "github"),
)
SOCIAL_LABELS = (
    ("twitter", "Twitter"),
    ("mastodon", "Mastodon"),
    ("bluesky", "Bluesky"),
    ("github", "GitHub"),
)


class ConfsTechSpider(SourceSpider):
    name = "confs_tech"
    source_type = "confs_tech"

    def years(self) -> tuple[int, ...]:
        return self.source.years or (self.now.year, self.now.year + 1)

    def topics(self) -> tuple[str, ...]:
        return self.source.topics or tuple(TOPICS)

    async def start(self) -> AsyncIterator[Any]:
        base = self.source.url.rstrip("/")
        for year in self.years():
            for topic in self.topics():
                yield scrapy.Request(
                    f"{base}/{year}/{topic}.json",
                    callback=self.parse,
                    errback=self.on_missing,
                    cb_kwargs={"topic": topic},
                )

    def on_missing(self, failure: Failure) -> None:
        """Not every topic has a file every year: a missing file is counted, not an error."""
        response = getattr(failure.value, "response", None)
        missing_file = failure.type.__name__ in ("FileNotFoundError", "IOError", "OSError")
        if (response is not None and response.status == 404) or missing_file:
            self.report.missing += 1
            return
        self.on_error(failure)

    def parse(self, response: Response, **kwargs: Any) -> Iterator[Event]:
        self.record_response(response)
        topic = kwargs.get("topic", "")
        try:
            records = json.loads(response.body)
        except (ValueError, UnicodeDecodeError) as exc:
            self.report.fail("bad_json", f"{response.url}: not JSON: {exc}"[:300])
            return
        if not isinstance(records, list):
            self.report.fail("bad_json", f"{response.url}: expected a JSON array")
            return
        self.report.fetched += 1
        for record in records:
            self.report.found += 1
            if not isinstance(record, dict) or any(
                not isinstance(record.get(key), str) or not record.get(key) for key in REQUIRED
            ):
                self.report.drop("missing_required_field")
                continue
            try:
                yield self.parse_record(record, topic=topic, file_url=response.url)
            except ValueError as exc:
                self.report.drop("bad_date")
                self.logger.info("%s: skipped %r: %s", self.source.name, record.get("name"), exc)

    def parse_record(self, record: dict[str, Any], *, topic: str, file_url: str) -> Event:
        first = date.fromisoformat(record["startDate"])
        last = date.fromisoformat(record["endDate"])
        if last < first:
            raise ValueError(f"endDate {last} before startDate {first}")
        url = record["url"].strip()
        zone = self.source.timezone
        return Event(
            id=make_event_id(self.source.name, url.rstrip("/").lower(), first.isoformat()),
            title=record["name"].strip(),
            start=all_day_start(first, zone),
            end=all_day_start(last + timedelta(days=1), zone),
            timezone=zone,
            all_day=True,
            kind=self.source.kind or Kind.CONFERENCE,
            sectors=list(self.source.sectors),
            categories=[topic] if topic else [],
            attendance=self._parse_attendance(record),
            venue=self._parse_venue(record),
            url=url,
            description=self._parse_description(record),
            details=self._parse_details(record, topic),
            source=self.source.name,
            source_url=file_url,
        )

    @staticmethod
    def _parse_attendance(record: dict[str, Any]) -> Attendance:
        online = record.get("online") is True
        has_place = bool(record.get("city"))
        if online and has_place:
            return Attendance.MIXED
        return Attendance.ONLINE if online else Attendance.IN_PERSON

    def _parse_venue(self, record: dict[str, Any]) -> Venue:
        venue = self.default_venue()
        city = record.get("city")
        if isinstance(city, str) and city.strip():
            name, _, region = city.partition(",")
            venue.city = name.strip()
            venue.region = region.strip() or venue.region
        country = record.get("country")
        if isinstance(country, str) and country.strip():
            venue.country = country.strip()
        return venue

    @staticmethod
    def _parse_details(record: dict[str, Any], topic: str) -> dict[str, str]:
        """Every dataset fact without a field of its own, under a snake_case key."""
        details = {key: text for key, field in TEXT_DETAILS if (text := _text(record.get(field)))}
        locales = _text(record.get("locales"))
        if locales:
            details["locales"] = ",".join(
                code.strip().upper() for code in locales.split(",") if code.strip()
            )
        cfp_end = _day(record.get("cfpEndDate"))
        if cfp_end:
            details["cfp_end_date"] = cfp_end
        accessible = record.get("offersSignLanguageOrCC")
        if isinstance(accessible, bool):
            details["sign_language_or_captions"] = "true" if accessible else "false"
        if topic:
            details["topics"] = topic
        return details

    @staticmethod
    def _parse_description(record: dict[str, Any]) -> str | None:
        """The same facts in words, for people reading the event."""
        lines = []
        cfp_url = _text(record.get("cfpUrl"))
        if cfp_url:
            cfp_end = _day(record.get("cfpEndDate"))
            until = f" until {cfp_end}" if cfp_end else ""
            lines.append(f"Call for papers{until}: {cfp_url}")
        coc_url = _text(record.get("cocUrl"))
        if coc_url:
            lines.append(f"Code of conduct: {coc_url}")
        locales = _text(record.get("locales"))
        if locales:
            lines.append(f"Languages: {locales}")
        if record.get("offersSignLanguageOrCC") is True:
            lines.append("Offers sign language or closed captions.")
        for key, label in SOCIAL_LABELS:
            handle = _text(record.get(key))
            if handle:
                lines.append(f"{label}: {handle}")
        return "\n".join(lines) or None


def _text(value: object) -> str | None:
    """A non-empty string field, stripped; anything else is absent."""
    return value.strip() or None if isinstance(value, str) else None


def _day(value: object) -> str | None:
    """A valid ``YYYY-MM-DD`` date field, or None."""
    text = _text(value)
    try:
        return date.fromisoformat(text).isoformat() if text else None
    except ValueError:
        return None
