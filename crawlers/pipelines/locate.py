"""Locate: coordinates and a time zone for every event a person could walk into.

Radius search needs coordinates, and an all-day event needs its venue's
time zone to start at the right midnight. In order of trust:

1. coordinates the source gave (JSON-LD ``GeoCoordinates``, iCalendar
   ``GEO``), with the town and time zone of the nearest place;
2. the offline gazetteer, from the venue's city, region and country
   ("Portland" + "OR" + "U.S.A."), else from the trailing parts of its
   address ("Hall B, 1 Main St, Portland, OR 97201");
3. only when ``MEETSCOUT_GEOCODER=nominatim``: OpenStreetMap's Nominatim,
   within its usage policy (one request a second, an identifying user
   agent) and with a persistent cache, so each address is asked once.

What the source left empty (city, region, country, time zone) is filled
from the place; what it said is kept. Online-only events are not located.
Events that cannot be located keep no coordinates and are counted.
"""

from __future__ import annotations

import logging
import re
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Self

from scrapy.crawler import Crawler

from crawlers.pipelines.base import ReportingPipeline
from service.model import Attendance, Event, all_day_start
from service.places.gazetteer import Gazetteer, Place, get_gazetteer, normalize_name

log = logging.getLogger(__name__)

TOWN_KM = 15.0
"""A venue with coordinates belongs to the biggest place this close (a city, not its district)."""
ZONE_KM = 200.0
"""The nearest place this close gives coordinates without a town their time zone."""
MAX_ADDRESS_TRIES = 3
"""Address parts tried as a town, from the end; earlier parts are rooms, streets and venues."""
NOMINATIM_DELAY_SECONDS = 1.0
"""Nominatim's usage policy: at most one request per second."""
NOMINATIM_TIMEOUT_SECONDS = 10

GENERIC_WORDS = frozenset(
    {
        "bar",
        "campus",
        "center",
        "central",
        "centre",
        "college",
        "downtown",
        "east",
        "hall",
        "hub",
        "library",
        "market",
        "midtown",
        "north",
        "online",
        "plaza",
        "south",
        "terrace",
        "union",
        "university",
        "uptown",
        "valley",
        "virtual",
        "west",
    }
)
"""Venue words that are also the name of some town somewhere; never a town on their own."""

_PART_SEPARATORS = re.compile(r"[,;\n|@]| - ")
_HAS_DIGIT = re.compile(r"\S*\d\S*")
_JOINABLE = re.compile(r"(?<=\w)[ -](?=\w)")
_LINK = re.compile(r"(?i)https?://|www\.|\.(?:com|org|net|us|io)\b")


@dataclass(frozen=True, slots=True)
class Found:
    """Where an event is, and how it was found out."""

    lat: float
    lon: float
    city: str | None
    region: str | None
    country: str | None
    timezone: str | None
    by: str

    @classmethod
    def of(cls, place: Place, by: str = "gazetteer") -> Found:
        return cls(
            lat=place.lat,
            lon=place.lon,
            city=place.name,
            region=place.region_name,
            country=place.country,
            timezone=place.timezone,
            by=by,
        )


class GeocodeCache:
    """Nominatim answers by query, in a small SQLite file (misses too, so they are not re-asked)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, check_same_thread=False)
        with self._lock, self._db:
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS geocode (query TEXT PRIMARY KEY,"
                " found INTEGER NOT NULL, lat REAL, lon REAL, city TEXT, region TEXT,"
                " country TEXT, fetched TEXT NOT NULL)"
            )

    def get(self, query: str) -> tuple[bool, Found | None]:
        """(known, answer): ``known`` is False when the query was never asked."""
        with self._lock:
            row = self._db.execute(
                "SELECT found, lat, lon, city, region, country FROM geocode WHERE query = ?",
                (query,),
            ).fetchone()
        if row is None:
            return False, None
        if not row[0]:
            return True, None
        return True, Found(row[1], row[2], row[3], row[4], row[5], None, "nominatim")

    def put(self, query: str, found: Found | None, *, now: datetime) -> None:
        values = (
            (found.lat, found.lon, found.city, found.region, found.country)
            if found
            else (None,) * 5
        )
        with self._lock, self._db:
            self._db.execute(
                "INSERT OR REPLACE INTO geocode VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (query, found is not None, *values, now.isoformat()),
            )

    def close(self) -> None:
        with self._lock:
            self._db.close()


class NominatimGeocoder:
    """Nominatim behind a persistent cache and a rate limiter.

    ``geocoder`` is anything with geopy's ``geocode(query, **options)``;
    tests pass a fake, so that no test touches the network.
    """

    def __init__(
        self,
        *,
        cache: GeocodeCache,
        user_agent: str,
        geocoder: Any = None,
        min_delay_seconds: float = NOMINATIM_DELAY_SECONDS,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        from geopy.extra.rate_limiter import RateLimiter
        from geopy.geocoders import Nominatim

        if geocoder is None:
            geocoder = Nominatim(user_agent=user_agent, timeout=NOMINATIM_TIMEOUT_SECONDS)
        self.cache = cache
        self.geocode = RateLimiter(
            geocoder.geocode,
            min_delay_seconds=min_delay_seconds,
            max_retries=1,
            error_wait_seconds=max(min_delay_seconds, 2.0) if min_delay_seconds else 0.0,
            swallow_exceptions=False,
        )
        self.clock = clock

    def locate(self, query: str) -> Found | None:
        key = " ".join(query.split()).casefold()
        known, found = self.cache.get(key)
        if known:
            return found
        try:
            answer = self.geocode(query, addressdetails=True, language="en", exactly_one=True)
        except Exception as exc:  # any network or service failure: ask again next crawl
            log.warning("nominatim: %r: %s", query, exc)
            return None
        found = _from_nominatim(answer)
        self.cache.put(key, found, now=self.clock())
        return found

    def close(self) -> None:
        self.cache.close()


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
            found = self.locate_offline(item)
        except Exception as exc:  # bad data must never stop a crawl
            log.warning("locate: %s: %s", item.id, exc)
            found = None
        if found is None and self.geocoder is not None and _query_for(item):
            return self.offload(lambda: self._finish(item, self._ask_nominatim(item)))
        return self._finish(item, found)

    def locate_offline(self, item: Event) -> Found | None:
        venue = item.venue
        if venue.lat is not None and venue.lon is not None:
            return self._around(venue.lat, venue.lon)
        place = None
        if venue.city:
            for city in _spellings(venue.city):
                place = self.gazetteer.resolve_parts(city, venue.region, venue.country)
                if place is not None:
                    break
        if place is None and venue.address:
            place = self._from_address(venue.address, venue.country)
        return Found.of(place) if place is not None else None

    def _around(self, lat: float, lon: float) -> Found:
        town = self.gazetteer.nearest(lat, lon, max_km=TOWN_KM, biggest=True)
        zone = town or self.gazetteer.nearest(lat, lon, max_km=ZONE_KM)
        return Found(
            lat=lat,
            lon=lon,
            city=town.name if town else None,
            region=town.region_name if town else None,
            country=zone.country if zone else None,
            timezone=zone.timezone if zone else None,
            by="source",
        )

    def _from_address(self, address: str, country: str | None) -> Place | None:
        """The town in free address text: the last parts that are not a region or a country."""
        if _LINK.search(address):
            return None
        parts = [_HAS_DIGIT.sub(" ", part) for part in _PART_SEPARATORS.split(address[:500])]
        parts = [" ".join(part.split()) for part in parts]
        parts = [part for part in parts if part]
        tries = 0
        for index in range(len(parts) - 1, -1, -1):
            if index > 0 and self.gazetteer.describes_area(parts[index]):
                continue
            areas = parts[index + 1 :]
            hinted = bool(areas or country)
            words = parts[index].split()
            # The whole part, then its last words: "FabLab Cottbus" is in Cottbus.
            for size in (len(words), *(n for n in (2, 1) if n < len(words))):
                name = " ".join(words[-size:])
                if normalize_name(name) in GENERIC_WORDS:
                    continue
                place = self.gazetteer.resolve_parts(", ".join([name, *areas]), None, country)
                # Alternate names are noisy ("Hall" is listed for Schwäbisch Hall,
                # "Google" for Topeka): without a region or country to confirm
                # it, a word from free text must be the place's own name.
                if place is not None and (
                    (hinted and size == len(words))
                    or normalize_name(place.name) == normalize_name(name)
                ):
                    return place
            tries += 1
            if tries >= MAX_ADDRESS_TRIES:
                break
        return None

    def _ask_nominatim(self, item: Event) -> Found | None:
        assert self.geocoder is not None
        found = self.geocoder.locate(_query_for(item))
        if found is None:
            return None
        zone = self.gazetteer.nearest(found.lat, found.lon, max_km=ZONE_KM)
        return Found(
            lat=found.lat,
            lon=found.lon,
            city=found.city,
            region=found.region,
            country=found.country,
            timezone=zone.timezone if zone else None,
            by="nominatim",
        )

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


def _set_zone(item: Event, timezone: str) -> None:
    """Give the event its zone; an all-day event moves to local midnight of the same dates.

    Without a zone an all-day event starts at UTC midnight of its date.
    """
    item.timezone = timezone
    if not item.all_day:
        return
    item.start = all_day_start(item.start.astimezone(UTC).date(), timezone)
    if item.end is not None:
        item.end = all_day_start(item.end.astimezone(UTC).date(), timezone)


def _spellings(city: str) -> list[str]:
    """The city as written, then as it may be spelt in the gazetteer.

    "Clear Water" for Clearwater (spacing varies), "Rapperswil-Jona" for
    Rapperswil (a merged town listed under its older name).
    """
    found = [city]
    joined = _JOINABLE.sub("", city)
    if joined != city:
        found.append(joined)
    first = city.split("-")[0].strip()
    if "-" in city and len(first) > 2:
        found.append(first)
    return found


def _query_for(item: Event) -> str:
    venue = item.venue
    parts = [venue.address, venue.city, venue.region, venue.country]
    text = ", ".join(dict.fromkeys(part for part in parts if part))
    return text or (venue.name or "")


def _from_nominatim(answer: Any) -> Found | None:
    if answer is None:
        return None
    try:
        lat, lon = float(answer.latitude), float(answer.longitude)
    except (AttributeError, TypeError, ValueError):
        return None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    raw = getattr(answer, "raw", None)
    address = raw.get("address", {}) if isinstance(raw, dict) else {}
    address = address if isinstance(address, dict) else {}

    def text(*keys: str) -> str | None:
        for key in keys:
            value = address.get(key)
            if isinstance(value, str) and value.strip():
                return value.strip()
        return None

    return Found(
        lat=lat,
        lon=lon,
        city=text("city", "town", "village", "municipality", "suburb"),
        region=text("state", "province", "region"),
        country=text("country"),
        timezone=None,
        by="nominatim",
    )


def _in_thread(work: Callable[[], Event]) -> Any:
    """Run a blocking lookup off the reactor thread; Scrapy waits for the Deferred."""
    from twisted.internet.threads import deferToThread

    return deferToThread(work)
