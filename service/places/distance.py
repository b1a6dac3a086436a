"""Distances on the WGS-84 ellipsoid: the exact one, a fast one with a known error, boxes.

A radius search touches thousands of candidate events, and the exact
geodesic (Karney's algorithm, from geographiclib, which geopy's wraps) costs
tens of microseconds each. The fast distance below, a flat projection at the
pair's mid-latitude with the ellipsoid's radii of curvature, is within a
known bound of the exact one, so only the few candidates whose fast
distance lies within that bound of the radius need the exact geodesic to
decide the cut. Every kept distance is
within metres of the exact one; the cut itself is exact.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from geographiclib.geodesic import Geodesic

SEMI_MAJOR_KM = 6378.137
FLATTENING = 1 / 298.257223563
E2 = FLATTENING * (2 - FLATTENING)
MEAN_RADIUS_KM = 6371.0088
MIN_KM_PER_DEGREE = math.radians(SEMI_MAJOR_KM * (1 - E2))
"""The shortest degree of latitude (at the equator): boxes built on it are never too small."""

MAX_FAST_ERROR = 0.01
"""Above this error bound (huge radii near the poles) every candidate is measured exactly."""

BOX_MARGIN = 1.01


@dataclass(frozen=True, slots=True)
class Box:
    """A latitude/longitude rectangle that never crosses the antimeridian."""

    min_lat: float
    max_lat: float
    min_lon: float
    max_lon: float

    def contains(self, lat: float, lon: float) -> bool:
        return self.min_lat <= lat <= self.max_lat and self.min_lon <= lon <= self.max_lon


def exact_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """The geodesic distance on WGS-84 (Karney's algorithm), the reference for every cut."""
    return float(Geodesic.WGS84.Inverse(lat1, lon1, lat2, lon2, Geodesic.DISTANCE)["s12"]) / 1000


def fast_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Mid-latitude flat distance with the ellipsoid's radii; see :func:`fast_error_bound`."""
    phi1 = math.radians(lat1)
    phi2 = math.radians(lat2)
    dlon = math.radians((lon2 - lon1 + 180.0) % 360.0 - 180.0)
    mid = (phi1 + phi2) / 2
    sin_mid = math.sin(mid)
    w = 1 - E2 * sin_mid * sin_mid
    normal = SEMI_MAJOR_KM / math.sqrt(w)
    meridional = SEMI_MAJOR_KM * (1 - E2) / (w * math.sqrt(w))
    return math.hypot(normal * math.cos(mid) * dlon, meridional * (phi2 - phi1))


def fast_error_bound(distance_km: float, lat: float) -> float:
    """Relative error of :func:`fast_km` for pairs up to ``distance_km`` apart around ``lat``.

    The projection's error grows with the square of the distance and with
    the convergence of meridians. Measured against geographiclib over random
    pairs, the bound is at least three times the worst error seen (at 85°
    and 600 km too); tests/service/test_geo.py re-checks it.
    """
    reach = min(89.9, abs(lat) + distance_km / MIN_KM_PER_DEGREE)
    secant = 1 / math.cos(math.radians(reach))
    return 1e-5 + (distance_km / MEAN_RADIUS_KM) ** 2 * secant * secant / 3


def bounding_boxes(lat: float, lon: float, radius_km: float) -> list[Box]:
    """Boxes that hold every point within ``radius_km`` of (lat, lon), split at ±180°.

    Conservative on purpose: a degree of latitude is taken at its shortest,
    a degree of longitude at the box's poleward edge, plus a margin.
    """
    reach = radius_km * BOX_MARGIN / MIN_KM_PER_DEGREE
    low, high = lat - reach, lat + reach
    if low <= -90 or high >= 90:
        return [Box(max(low, -90.0), min(high, 90.0), -180.0, 180.0)]
    poleward = max(abs(low), abs(high))
    span = reach / math.cos(math.radians(poleward))
    if span >= 180:
        return [Box(low, high, -180.0, 180.0)]
    west, east = lon - span, lon + span
    if west < -180:
        return [Box(low, high, west + 360, 180.0), Box(low, high, -180.0, east)]
    if east > 180:
        return [Box(low, high, west, 180.0), Box(low, high, -180.0, east - 360)]
    return [Box(low, high, west, east)]


def least_km_per_degree(lat: float, lon: float, radius_km: float) -> tuple[float, float] | None:
    """Kilometres per degree of latitude and of longitude that never overstate a distance
    :class:`RadiusCut` gives from (lat, lon) to a point within ``radius_km``: a flat
    distance with them (degrees apart times each) is at most the fast or exact one.

    A degree of latitude at its shortest, of longitude at the poleward edge of the
    search's box, both shrunk by the fast distance's error bound (the exact one may be
    that much shorter). None where no such pair is worth having: near a pole, where the
    fast distance is not used, or where the box wraps at ±180° (degrees apart would
    count the long way round).
    """
    bound = fast_error_bound(radius_km * BOX_MARGIN, lat)
    reach = radius_km * BOX_MARGIN / MIN_KM_PER_DEGREE
    poleward = abs(lat) + reach
    if bound > MAX_FAST_ERROR or poleward >= 90:
        return None
    along = math.radians(SEMI_MAJOR_KM) * math.cos(math.radians(poleward))
    if abs(lon) + reach * math.radians(SEMI_MAJOR_KM) / along >= 180:
        return None
    shrink = 1 + bound
    return MIN_KM_PER_DEGREE / shrink, along / shrink


class RadiusCut:
    """Decides "within ``radius_km`` of the centre" exactly, measuring exactly only when needed."""

    __slots__ = ("_phi", "band", "lat", "lon", "radius_km")

    def __init__(self, lat: float, lon: float, radius_km: float) -> None:
        self.lat = lat
        self.lon = lon
        self._phi = math.radians(lat)
        self.radius_km = radius_km
        bound = fast_error_bound(radius_km * BOX_MARGIN, lat)
        self.band = math.inf if bound > MAX_FAST_ERROR else radius_km * bound * BOX_MARGIN + 1e-6

    def distance(self, lat: float, lon: float) -> float | None:
        """The distance in km when inside the radius, else None."""
        # fast_km, inlined: this runs once per candidate of every radius search.
        phi1 = self._phi
        phi2 = math.radians(lat)
        dlon = math.radians((lon - self.lon + 180.0) % 360.0 - 180.0)
        mid = (phi1 + phi2) / 2
        sin_mid = math.sin(mid)
        w = 1 - E2 * sin_mid * sin_mid
        root = math.sqrt(w)
        distance = math.hypot(
            SEMI_MAJOR_KM / root * math.cos(mid) * dlon,
            SEMI_MAJOR_KM * (1 - E2) / (w * root) * (phi2 - phi1),
        )
        if distance > self.radius_km + self.band:
            return None
        if distance >= self.radius_km - self.band:
            distance = exact_km(self.lat, self.lon, lat, lon)
            if distance > self.radius_km:
                return None
        return distance
