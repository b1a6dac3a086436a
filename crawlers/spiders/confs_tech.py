"""``confs_tech``: the open confs.tech conference dataset (one JSON file per year and topic).

The source URL is the dataset's ``conferences`` folder (``.../conferences``);
the spider reads ``<url>/<year>/<topic>.json`` for the years and topics it is
given, by default the crawl's year and the next, and every known topic.
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
            title=record["name"],
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
    def _parse_description(record: dict[str, Any]) -> str | None:
        lines = []
        if record.get("cfpUrl"):
            until = f" until {record['cfpEndDate']}" if record.get("cfpEndDate") else ""
            lines.append(f"Call for papers{until}: {record['cfpUrl']}")
        if record.get("cocUrl"):
            lines.append(f"Code of conduct: {record['cocUrl']}")
        if record.get("locales"):
            lines.append(f"Languages: {record['locales']}")
        if record.get("offersSignLanguageOrCC"):
            lines.append("Offers sign language or closed captions.")
        for key, label in (
            ("twitter", "Twitter"),
            ("mastodon", "Mastodon"),
            ("bluesky", "Bluesky"),
        ):
            if record.get(key):
                lines.append(f"{label}: {record[key]}")
        return "\n".join(lines) or None
