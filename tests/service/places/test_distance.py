"""Distances and boxes: the fast distance stays inside its bound, boxes never miss a point."""

from __future__ import annotations

import math
import random

import pytest
from geographiclib.geodesic import Geodesic

from service.places.distance import (
    RadiusCut,
    bounding_boxes,
    exact_km,
    fast_error_bound,
    fast_km,
    least_km_per_degree,
)

WGS84 = Geodesic.WGS84


def destination(lat: float, lon: float, azimuth: float, km: float) -> tuple[float, float]:
    found = WGS84.Direct(lat, lon, azimuth, km * 1000)
    return found["lat2"], found["lon2"]


@pytest.mark.parametrize("max_lat", [30, 60, 75, 85])
@pytest.mark.parametrize("km", [0.5, 2, 10, 25, 50, 100, 250, 500])
def test_fast_distance_stays_within_its_error_bound(max_lat: float, km: float) -> None:
    rng = random.Random(f"{max_lat}/{km}")
    for _ in range(300):
        lat, lon = rng.uniform(-max_lat, max_lat), rng.uniform(-180, 180)
        other = destination(lat, lon, rng.uniform(0, 360), km)
        error = abs(fast_km(lat, lon, *other) - km) / km
        assert error <= fast_error_bound(km, lat), (lat, lon, other)


def test_exact_distance_is_the_wgs84_geodesic() -> None:
    toronto, montreal = (43.6532, -79.3832), (45.5017, -73.5673)
    expected = WGS84.Inverse(*toronto, *montreal)["s12"] / 1000

    assert exact_km(*toronto, *montreal) == pytest.approx(expected, rel=1e-9)


@pytest.mark.parametrize(
    ("lat", "lon", "km"),
    [
        (43.65, -79.38, 2),
        (43.65, -79.38, 500),
        (0, 0, 50),
        (-33.87, 151.21, 25),
        (64.14, -21.94, 100),
        (78.22, 15.65, 300),
        (-77.85, 166.67, 50),
        (89.9, 0, 10),
        (-16.5, 179.9, 50),
        (-16.5, -179.9, 50),
        (52.0, 180.0, 25),
    ],
)
def test_bounding_boxes_hold_every_point_of_the_circle(lat: float, lon: float, km: float) -> None:
    boxes = bounding_boxes(lat, lon, km)
    for step in range(360):
        for fraction in (0.5, 1.0):
            point = destination(lat, lon, step, km * fraction)
            assert any(box.contains(*point) for box in boxes), (point, boxes)


def test_bounding_boxes_split_at_the_antimeridian() -> None:
    boxes = bounding_boxes(-16.5, 179.9, 50)

    assert len(boxes) == 2
    assert boxes[0].max_lon == 180.0
    assert boxes[1].min_lon == -180.0
    assert all(-180 <= box.min_lon <= box.max_lon <= 180 for box in boxes)


@pytest.mark.parametrize("km", [0.2, 2, 25, 50, 500])
def test_radius_cut_is_exact_at_the_edge(km: float) -> None:
    cut = RadiusCut(43.65, -79.38, km)
    for azimuth in range(0, 360, 15):
        inside = destination(43.65, -79.38, azimuth, km - 0.001)
        outside = destination(43.65, -79.38, azimuth, km + 0.001)
        assert cut.distance(*inside) is not None
        assert cut.distance(*outside) is None


def test_radius_cut_distance_is_within_metres_of_the_geodesic() -> None:
    rng = random.Random(7)
    cut = RadiusCut(51.5, -0.12, 50)
    for _ in range(500):
        point = destination(51.5, -0.12, rng.uniform(0, 360), rng.uniform(0, 49))
        distance = cut.distance(*point)
        assert distance == pytest.approx(exact_km(51.5, -0.12, *point), abs=0.005)


@pytest.mark.parametrize("max_lat", [30, 60, 80])
@pytest.mark.parametrize("km", [2, 25, 50, 250])
def test_least_km_per_degree_never_overstate_the_cut_s_distance(max_lat: float, km: float) -> None:
    """What a score bound checked in the index relies on: a flat distance from degrees apart
    is at most the distance the radius cut gives, at the edge (exact) and inside (fast)."""
    rng = random.Random(f"least/{max_lat}/{km}")
    checked = 0
    for _ in range(200):
        lat, lon = rng.uniform(-max_lat, max_lat), rng.uniform(-179, 179)
        scales = least_km_per_degree(lat, lon, km)
        if scales is None:
            continue
        cut = RadiusCut(lat, lon, km)
        for share in (rng.uniform(0, 1), 0.999, 1.0):
            other = destination(lat, lon, rng.uniform(0, 360), km * share)
            distance = cut.distance(*other)
            if distance is None:
                continue
            flat = math.hypot((other[0] - lat) * scales[0], (other[1] - lon) * scales[1])
            assert flat <= distance, (lat, lon, other)
            checked += 1
    assert checked > 300


def test_least_km_per_degree_are_none_where_degrees_apart_mislead() -> None:
    assert least_km_per_degree(51.5, 179.9, 50) is None  # the box wraps at ±180°
    assert least_km_per_degree(89.5, 0.0, 100) is None  # near the pole
    assert least_km_per_degree(51.5, -0.12, 50) is not None
