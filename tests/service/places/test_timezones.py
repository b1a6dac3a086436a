"""Time zones from the zones' borders, right where the nearest city's zone is wrong."""

from __future__ import annotations

import pytest

from service.model import Venue
from service.places.gazetteer import get_gazetteer
from service.places.geocode import locate_offline
from service.places.timezones import zone_at


@pytest.mark.parametrize(
    ("place", "lat", "lon", "zone"),
    [
        # Arizona keeps standard time all year; the Navajo Nation inside it does not,
        # and the Hopi Reservation inside the Navajo Nation follows Arizona again.
        ("Window Rock, Navajo Nation", 35.6803, -109.0526, "America/Denver"),
        ("Tuba City, Navajo Nation", 36.1350, -111.2399, "America/Denver"),
        ("Kykotsmovi, Hopi Reservation", 35.8736, -110.6240, "America/Phoenix"),
        ("Flagstaff, Arizona", 35.1983, -111.6513, "America/Phoenix"),
        # Indiana: the north-west and south-west corners follow Chicago, the rest does not;
        # Knox County (Vincennes) follows its own Indiana zone.
        ("Gary, Lake County", 41.5934, -87.3464, "America/Chicago"),
        ("Evansville, Vanderburgh County", 37.9716, -87.5711, "America/Chicago"),
        ("Indianapolis", 39.7684, -86.1581, "America/Indiana/Indianapolis"),
        ("Vincennes, Knox County", 38.6773, -87.5286, "America/Indiana/Vincennes"),
    ],
)
def test_zone_at_follows_the_borders(place: str, lat: float, lon: float, zone: str) -> None:
    assert zone_at(lat, lon) == zone, place


def test_zone_at_sea_and_out_of_range() -> None:
    assert zone_at(0.0, -150.0) == "Etc/GMT+10"
    assert zone_at(123.0, 500.0) == "UTC"


def test_a_venue_with_coordinates_takes_the_zone_of_its_polygon() -> None:
    """Window Rock's nearest big city is Gallup, New Mexico; the zone is the Navajo Nation's
    even where it is in Arizona (Flagstaff, 300 km away, would say Phoenix)."""
    found = locate_offline(Venue(lat=36.1350, lon=-111.2399), get_gazetteer())

    assert found is not None
    assert found.timezone == "America/Denver"
