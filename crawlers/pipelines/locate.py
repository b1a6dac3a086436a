"""Locate: coordinates and a time zone for every event a person could walk into.

Radius search needs coordinates, and an all-day event needs its venue's
time zone to start at the right midnight. In order of trust:

1. coordinates the source gave (JSON-LD ``GeoCoordinates``, iCalendar
   ``GEO``), with the town and time zone of the nearest place; the spiders
   keep them only where they lie near the source's own place, in its region
   or by the town the address names (``service.places.geocode.point_stands``);
2. the offline gazetteer, from the venue's city, region and country
   ("Portland" + "OR" + "U.S.A."), else from the trailing parts of its
   address ("Hall B, 1 Main St, Portland, OR 97201");
3. only when ``MEETSCOUT_GEOCODER=nominatim``: OpenStreetMap's Nominatim,
   within its usage policy (one request a second, an identifying user
   agent) and with a persistent cache, so each address is asked once.

The lookups live in ``service.places.geocode`` and ``service.places.addresses``;
this stage runs them for each item. What the source left empty (city, region,
country, time zone) is filled from the place; what it said is kept. A time
the source gave without a zone is the place's local time, as in iCalendar.
Online-only events are not located. Events that cannot be located keep no
coordinates and are counted.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Self
from zoneinfo import ZoneInfo

from scrapy.crawler import Crawler

from crawlers.pipelines.base import ReportingPipeline
from service.model import Attendance, Event, all_day_start
from service.places.gazetteer import Gazetteer, get_gazetteer
from service.places.geocode import (
    Found,
    GeocodeCache,
    NominatimGeocoder,
    locate_offline,
    locate_online,
    query_for,
)

log = logging.getLogger(__name__)


class LocatePipeline(ReportingPipeline):
    def __init__(
        self,
        crawler: Crawler,
        *,
        gazetteer: Gazetteer | None = None,
        geocoder: NominatimGeocoder | None = None,
    ) -> None:
        super().__init__(crawler)
        self.gazetteer = gazetteer or get_gazetteer()
        self.geocoder = geocoder
        self.offload: Callable[[Callable[[], Event]], Any] = _in_thread

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        """Nominatim only when asked for: ``MEETSCOUT_GEOCODER`` in the crawl or the environment."""
        from service.settings import get_settings

        settings = crawler.settings
        choice = settings.get("MEETSCOUT_GEOCODER") or get_settings().geocoder
        if choice != "nominatim":
            return cls(crawler)
        path = settings.get("MEETSCOUT_GEOCODER_CACHE") or get_settings().geocoder_cache
        geocoder = NominatimGeocoder(
            cache=GeocodeCache(Path(path)), user_agent=str(settings.get("USER_AGENT"))
        )
        return cls(crawler, geocoder=geocoder)

    def close_spider(self) -> None:
        if self.geocoder is not None:
            self.geocoder.close()

    def process_item(self, item: Event) -> Any:
        if item.attendance is Attendance.ONLINE:
            return item
        try:
            found = locate_offline(item.venue, self.gazetteer)
        except Exception as exc:  # bad data must never stop a crawl
            log.warning("locate: %s: %s", item.id, exc)
            found = None
        if found is None and self.geocoder is not None and query_for(item.venue):
            return self.offload(lambda: self._finish(item, self._ask_nominatim(item)))
        return self._finish(item, found)

    def _ask_nominatim(self, item: Event) -> Found | None:
        assert self.geocoder is not None
        return locate_online(item.venue, self.geocoder, self.gazetteer)

    def _finish(self, item: Event, found: Found | None) -> Event:
        if found is None:
            self.report.unlocated += 1
            return item
        venue = item.venue
        venue.lat, venue.lon = found.lat, found.lon
        venue.city = venue.city or found.city
        venue.region = venue.region or found.region
        venue.country = venue.country or found.country
        if found.by != "source":
            item.details = {**item.details, "located_by": found.by}
        if item.timezone is None and found.timezone:
            _set_zone(item, found.timezone)
        return item


FLOATING = "floating_time"
"""The detail a spider sets on a time that said no zone and that it read as UTC."""


def _set_zone(item: Event, timezone: str) -> None:
    """Give the event its zone; an all-day event moves to local midnight of the same dates,
    a floating time (8:30 with no zone, read as 8:30 UTC) to the same clock time there.

    A time with a zone or an offset is an instant and does not move.
    """
    item.timezone = timezone
    floating = item.details.get(FLOATING)
    if not item.all_day and not floating:
        return
    if item.all_day:
        item.start = all_day_start(item.start.astimezone(UTC).date(), timezone)
        if item.end is not None:
            item.end = all_day_start(item.end.astimezone(UTC).date(), timezone)
        return
    zone = ZoneInfo(timezone)
    item.start = _same_clock(item.start, zone)
    if item.end is not None:
        item.end = _same_clock(item.end, zone)
    item.details = {**item.details, FLOATING: "no zone given; read in the venue's zone"}


def _same_clock(moment: datetime, zone: ZoneInfo) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=zone)


def _in_thread(work: Callable[[], Event]) -> Any:
    """Run a blocking lookup off the reactor thread; Scrapy waits for the Deferred."""
    from twisted.internet.threads import deferToThread

    return deferToThread(work)
