"""``tribe_api``: The Events Calendar's REST API (WordPress, ``/wp-json/tribe/events/v1/events``).

The plugin's iCal export (``?ical=1``) gives one page of its list view, 30
events at most; its REST API pages through every event of a window, with
each venue's address and coordinates, the organiser, categories and cost.
The source URL is the API's ``events`` endpoint; the spider asks for the
crawl's window (``start_date``, ``end_date``) and follows ``next_rest_url``
on the same host, at most ``max_pages`` pages.
"""

from __future__ import annotations

import html
import json
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import scrapy
from scrapy.http import Response

from crawlers.spiders.base import SourceSpider
from service.model import Attendance, Event, Kind, Venue, all_day_start, make_event_id

PER_PAGE = 50
ONLINE_VENUES = frozenset({"virtual", "online", "zoom", "webinar", "online event"})


class TribeApiSpider(SourceSpider):
    name = "tribe_api"
    source_type = "tribe_api"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.pages = 0

    async def start(self) -> AsyncIterator[Any]:
        yield scrapy.Request(self.first_url(), callback=self.parse, errback=self.on_error)

    def first_url(self) -> str:
        """The endpoint asked for the crawl's window, unless the source's URL sets it."""
        parts = urlsplit(self.source.url)
        query = dict(parse_qsl(parts.query))
        query.setdefault("start_date", f"{self.window_start:%Y-%m-%d}")
        query.setdefault("end_date", f"{self.window_end:%Y-%m-%d}")
        query.setdefault("per_page", str(PER_PAGE))
        return urlunsplit(parts._replace(query=urlencode(query)))

    def parse(self, response: Response, **kwargs: Any) -> Iterator[Event | scrapy.Request]:
        self.record_response(response)
        try:
            data = json.loads(response.body)
        except (ValueError, UnicodeDecodeError):
            self.report.fail("bad_json", f"{response.url}: not JSON")
            return
        if not isinstance(data, dict) or not isinstance(data.get("events"), list):
            self.report.fail("bad_json", f"{response.url}: no list of events")
            return
        self.report.fetched += 1
        self.pages += 1
        for record in data["events"]:
            self.report.found += 1
            if not isinstance(record, dict) or not _text(record.get("title")):
                self.report.drop("missing_required_field")
                continue
            try:
                yield self.parse_record(record, page_url=response.url)
            except (ValueError, KeyError):
                self.report.drop("bad_date")
        yield from self.next_page(response, data.get("next_rest_url"))

    def next_page(self, response: Response, url: object) -> Iterator[scrapy.Request]:
        if not isinstance(url, str) or not url:
            return
        if urlsplit(url).netloc != urlsplit(response.url).netloc:
            self.logger.warning("%s: next page on another host, not followed", self.source.name)
            return
        if self.pages >= self.source.max_pages:
            self.report.partial_reason = (
                f"stopped at max_pages ({self.source.max_pages}): the calendar goes on"
            )
            return
        yield scrapy.Request(url, callback=self.parse, errback=self.on_error)

    def parse_record(self, record: dict[str, Any], *, page_url: str) -> Event:
        zone = _zone(record.get("timezone")) or self.source.timezone
        all_day = record.get("all_day") is True
        start, end = _times(record, zone, all_day)
        venue, attendance = self._parse_venue(record.get("venue"))
        price, currency, is_free = _cost(record)
        organizer, organizer_url = _organizer(record.get("organizer"))
        return Event(
            id=make_event_id(self.source.name, str(record.get("id") or record["url"])),
            title=_text(record.get("title")) or "",
            start=start,
            end=end,
            timezone=zone,
            all_day=all_day,
            kind=self.source.kind or Kind.OTHER,
            sectors=list(self.source.sectors),
            attendance=attendance,
            venue=venue,
            url=_text(record.get("url")),
            organizer=organizer or self.source.host,
            organizer_url=organizer_url if organizer else self.source.host_url,
            description=record.get("description") or None,
            price=price,
            currency=currency,
            is_free=is_free,
            categories=_names(record.get("categories")),
            source=self.source.name,
            source_url=page_url,
        )

    def _parse_venue(self, value: object) -> tuple[Venue, Attendance]:
        venue = self.default_venue()
        if not isinstance(value, dict):  # the API gives [] for an event without a venue
            return venue, Attendance.IN_PERSON
        name = _text(value.get("venue"))
        address = _text(value.get("address"))
        if name and name.lower() in ONLINE_VENUES and not address:
            return Venue(), Attendance.ONLINE
        venue.name = name or venue.name
        venue.address = address or venue.address
        venue.city = _text(value.get("city")) or venue.city
        venue.region = (
            _text(value.get("stateprovince"))
            or _text(value.get("state"))
            or _text(value.get("province"))
            or venue.region
        )
        venue.country = _text(value.get("country")) or venue.country
        lat, lon = _number(value.get("geo_lat")), _number(value.get("geo_lng"))
        if lat is not None and lon is not None and -90 <= lat <= 90 and -180 <= lon <= 180:
            own = (address, _text(value.get("city")), _text(value.get("stateprovince")))
            self.place_at(venue, lat, lon, where=", ".join(part for part in own if part))
        return venue, Attendance.IN_PERSON


def _times(
    record: dict[str, Any], zone: str | None, all_day: bool
) -> tuple[datetime, datetime | None]:
    """Start and end: UTC instants when the API gives them, else local times in ``zone``."""
    if all_day:
        first = _day(record["start_date"])
        last = _day(record.get("end_date") or record["start_date"])
        return all_day_start(first, zone), all_day_start(max(first, last) + timedelta(days=1), zone)
    start = _instant(record, "start_date", zone)
    end = _instant(record, "end_date", zone) if record.get("end_date") else None
    if end is not None and end < start:
        end = None
    return start, end


def _instant(record: dict[str, Any], key: str, zone: str | None) -> datetime:
    utc = record.get(f"utc_{key}")
    if isinstance(utc, str) and utc.strip():
        moment = datetime.strptime(utc.strip(), "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
        return moment.astimezone(ZoneInfo(zone)) if zone else moment
    return datetime.strptime(str(record[key]).strip(), "%Y-%m-%d %H:%M:%S").replace(
        tzinfo=ZoneInfo(zone) if zone else UTC
    )


def _day(value: object) -> date:
    return date.fromisoformat(str(value).strip()[:10])


def _zone(value: object) -> str | None:
    """An IANA zone the record names; a UTC offset or a made-up name is no zone."""
    if not isinstance(value, str) or "/" not in value:
        return None
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return value


def _cost(record: dict[str, Any]) -> tuple[float | None, str | None, bool | None]:
    cost = _text(record.get("cost")) or ""
    if cost.lower() == "free":
        return 0.0, None, True
    details = record.get("cost_details")
    values = details.get("values") if isinstance(details, dict) else None
    amounts = [n for n in map(_number, values or []) if n is not None]
    if not amounts:
        return None, None, None
    code = _text(details.get("currency_code")) if isinstance(details, dict) else None
    lowest = min(amounts)
    return lowest, code or None, lowest == 0


def _organizer(value: object) -> tuple[str | None, str | None]:
    """The first organiser's name and website (the API gives a list, or [] for none)."""
    for item in value if isinstance(value, list) else [value]:
        if isinstance(item, dict) and _text(item.get("organizer")):
            website = _text(item.get("website"))
            url = website if website and website.startswith(("http://", "https://")) else None
            return _text(item.get("organizer")), url
    return None, None


def _names(value: object) -> list[str]:
    if not isinstance(value, list):
        return []
    return [name for item in value if isinstance(item, dict) and (name := _text(item.get("name")))]


def _number(value: object) -> float | None:
    try:
        return float(str(value).replace(",", "")) if value not in (None, "") else None
    except ValueError:
        return None


def _text(value: object) -> str | None:
    """Plain text of a field the API writes with HTML entities (``&#8211;``, ``&amp;``)."""
    if not isinstance(value, str | int):
        return None
    text = " ".join(html.unescape(str(value)).split())
    return text or None
