"""Geocoding: where a venue is, with its town and time zone, and how that was found out.

Radius search needs coordinates, and an all-day event needs its venue's
time zone to start at the right midnight. In order of trust:

1. coordinates the source gave, with the town of the nearest place and
   the time zone whose borders hold them (``locate_offline``), where they
   are believable for the source (``point_stands``);
2. the offline gazetteer, from the venue's city, region and country, else
   from its address (``locate_offline``, through ``service.places.addresses``);
3. OpenStreetMap's Nominatim (``locate_online``), within its usage policy
   (one request a second, an identifying user agent) and with a persistent
   cache, so each address is asked once.
"""

from __future__ import annotations

import html
import logging
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from service.model import Venue
from service.places.addresses import place_of_venue, town_in_address
from service.places.distance import exact_km
from service.places.gazetteer import Gazetteer, Place
from service.places.timezones import zone_at

log = logging.getLogger(__name__)

TOWN_KM = 15.0
"""A venue with coordinates belongs to the biggest place this close (a city, not its district)."""
ZONE_KM = 200.0
"""Coordinates this close to a known place are on land with a known time zone."""
AREA_KM = 100.0
"""How far from its source's own place an event's coordinates stand unquestioned: a county's,
a university's or a library system's events lie within it; farther, a town this close to them
tells their region."""
AGREES_KM = 25.0
"""Coordinates farther out and in another region stand when the event's address names a town
this close to them (a chamber's trip to another state's capital, at its address there)."""
NOMINATIM_DELAY_SECONDS = 1.0
"""Nominatim's usage policy: at most one request per second."""
NOMINATIM_TIMEOUT_SECONDS = 10


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


def locate_offline(venue: Venue, gazetteer: Gazetteer) -> Found | None:
    """Where a venue is without the network: its own coordinates, else its town."""
    if venue.lat is not None and venue.lon is not None:
        return _around(venue.lat, venue.lon, gazetteer)
    place = place_of_venue(venue, gazetteer)
    return Found.of(place) if place is not None else None


def point_stands(
    lat: float,
    lon: float,
    *,
    home: Venue | None,
    address: str | None,
    gazetteer: Gazetteer,
) -> bool:
    """Whether coordinates an event gives may place it, its source's own place being ``home``.

    Calendar platforms geocode a venue's name on their own, and some get it
    wrong: Monroe County's (Indiana) "Showers Building" in Illinois, a New
    Jersey university's "Cole Hall" near Toronto. Coordinates stand where the
    source has no place, within :data:`AREA_KM` of it, in its region (or its
    country, where it names no region) by the nearest town, or where the
    event's address names a town within :data:`AGREES_KM` of them.
    """
    if home is None or home.lat is None or home.lon is None:
        return True
    if exact_km(lat, lon, home.lat, home.lon) <= AREA_KM:
        return True
    if home.region or home.country:
        town = gazetteer.nearest(lat, lon, max_km=AREA_KM)
        if town is not None and gazetteer.lies_in(town, home.region, home.country):
            return True
    named = town_in_address(address, None, gazetteer) if address else None
    return named is not None and exact_km(lat, lon, named.lat, named.lon) <= AGREES_KM


def town_elsewhere(
    address: str | None, *, home: Venue | None, gazetteer: Gazetteer
) -> Place | None:
    """The town an event's address names with its region or country ("New Orleans, LA"),
    where it lies farther than :data:`AREA_KM` from its source's place ``home``: the event
    is there, not at the place its source lends its events (a Bloomington club's trip)."""
    if not address or home is None or home.lat is None or home.lon is None:
        return None
    # Read as the crawl's normalize stage will clean it: "LA 70130 &nbsp;" ends in "LA".
    town = town_in_address(html.unescape(address), None, gazetteer, with_area=True)
    if town is None or exact_km(town.lat, town.lon, home.lat, home.lon) <= AREA_KM:
        return None
    return town


def locate_online(venue: Venue, geocoder: NominatimGeocoder, gazetteer: Gazetteer) -> Found | None:
    """Where Nominatim says a venue is, with the time zone of the nearest place.

    Blocks for the rate limit and the network: run it off any event loop.
    """
    found = geocoder.locate(query_for(venue))
    if found is None:
        return None
    zone = gazetteer.nearest(found.lat, found.lon, max_km=ZONE_KM)
    return Found(
        lat=found.lat,
        lon=found.lon,
        city=found.city,
        region=found.region,
        country=found.country,
        timezone=zone_at(found.lat, found.lon) if zone else None,
        by="nominatim",
    )


def query_for(venue: Venue) -> str:
    """What to ask Nominatim for a venue; empty when the venue says nothing to ask."""
    parts = [venue.address, venue.city, venue.region, venue.country]
    text = ", ".join(dict.fromkeys(part for part in parts if part))
    return text or (venue.name or "")


def _around(lat: float, lon: float, gazetteer: Gazetteer) -> Found:
    town = gazetteer.nearest(lat, lon, max_km=TOWN_KM, biggest=True)
    zone = town or gazetteer.nearest(lat, lon, max_km=ZONE_KM)
    return Found(
        lat=lat,
        lon=lon,
        city=town.name if town else None,
        region=town.region_name if town else None,
        country=zone.country if zone else None,
        timezone=zone_at(lat, lon) if zone else None,
        by="source",
    )


def _from_nominatim(answer: Any) -> Found | None:
    """A geopy answer as a place; None when there is none or its coordinates are nonsense."""
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
