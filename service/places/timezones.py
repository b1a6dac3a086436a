"""The time zone at a point, from the zones' borders (timezonefinder, offline).

A subscriber who gives coordinates instead of a place name still needs a
week that runs Monday to Sunday in their own time, and an event located by
its coordinates needs the zone its clocks follow. The nearest city's zone is
wrong near a border: the Navajo Nation keeps daylight time inside Arizona,
which does not, and Indiana's western counties follow Chicago while the rest
follows Indianapolis. The zones' polygons answer that; at sea the answer is
the nautical zone (``Etc/GMT+10``), and ``UTC`` where none is known.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from timezonefinder import TimezoneFinder


@lru_cache(maxsize=1)
def _finder() -> TimezoneFinder:
    """The polygons, read once per process (about 0.5 s, 16 MB), and imported then: with
    NumPy, that is 13 MB more for a worker that never places a point."""
    from timezonefinder import TimezoneFinder

    return TimezoneFinder()


def zone_at(lat: float, lon: float) -> str:
    """The IANA zone whose borders hold (lat, lon); ``UTC`` when there is none."""
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return "UTC"
    return _finder().timezone_at(lat=lat, lng=lon) or "UTC"
