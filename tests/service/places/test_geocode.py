"""Geocoding: a venue's own coordinates, and Nominatim behind its cache and usage policy."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from service.model import Venue
from service.places.gazetteer import get_gazetteer
from service.places.geocode import (
    GeocodeCache,
    NominatimGeocoder,
    locate_offline,
    locate_online,
    point_stands,
    query_for,
    town_elsewhere,
)
from tests.support.geocoding import TINYVILLE, FakeGeocoder, nominatim, tinyville


def test_coordinates_alone_name_the_town_not_its_district() -> None:
    found = locate_offline(Venue(lat=43.6532, lon=-79.3832), get_gazetteer())

    assert found is not None
    assert (found.lat, found.lon) == (43.6532, -79.3832)
    assert (found.city, found.country) == ("Toronto", "Canada")
    assert found.timezone == "America/Toronto"
    assert found.by == "source"


def test_nominatim_answers_are_cached_across_crawls(tmp_path: Path) -> None:
    fake = FakeGeocoder({TINYVILLE: tinyville(), "Nowhere Street": None})
    answers = []
    for _ in range(2):
        geocoder = nominatim(tmp_path, fake)
        answers.append([geocoder.locate(query) for query in (TINYVILLE, "Nowhere Street")])
        geocoder.close()

    assert [query for query, _ in fake.calls] == [TINYVILLE, "Nowhere Street"]
    assert answers[0] == answers[1]
    assert answers[1][0] is not None
    assert answers[1][1] is None


def test_nominatim_failure_is_not_cached(tmp_path: Path) -> None:
    fake = FakeGeocoder({TINYVILLE: TimeoutError("slow")})
    geocoder = nominatim(tmp_path, fake)

    first = geocoder.locate(TINYVILLE)
    fake.answers[TINYVILLE] = tinyville()
    second = geocoder.locate(TINYVILLE)

    assert first is None
    assert second is not None
    assert second.lat == 44.9429


def test_nominatim_keeps_its_usage_policy(tmp_path: Path) -> None:
    geocoder = NominatimGeocoder(
        cache=GeocodeCache(tmp_path / "g.sqlite3"), user_agent="meetscout/0.1 (+contact)"
    )

    assert geocoder.geocode.min_delay_seconds == 1.0
    assert geocoder.geocode.func.__self__.headers["User-Agent"] == "meetscout/0.1 (+contact)"


def test_nominatim_answer_gets_the_time_zone_of_the_nearest_place(tmp_path: Path) -> None:
    fake = FakeGeocoder({TINYVILLE: tinyville()})

    found = locate_online(Venue(address=TINYVILLE), nominatim(tmp_path, fake), get_gazetteer())

    assert found is not None
    assert (found.city, found.region, found.country) == ("Tinyville", "Oregon", "United States")
    assert found.timezone == "America/Los_Angeles"
    assert found.by == "nominatim"


@pytest.mark.parametrize(
    "answer",
    [
        SimpleNamespace(latitude=91.0, longitude=0.0, raw={}),
        SimpleNamespace(latitude="north", longitude=0.0, raw={}),
        SimpleNamespace(raw={"address": {"town": "Nowhere"}}),
    ],
)
def test_nonsense_nominatim_answers_are_misses(tmp_path: Path, answer: Any) -> None:
    geocoder = nominatim(tmp_path, FakeGeocoder({"Somewhere": answer}))

    assert geocoder.locate("Somewhere") is None


@pytest.mark.parametrize(
    ("venue", "query"),
    [
        (Venue(address="12 Oak Lane", city="Tinyville", region="OR"), TINYVILLE),
        (Venue(city="Portland", region="Portland"), "Portland"),
        (Venue(name="The Annex"), "The Annex"),
        (Venue(), ""),
    ],
)
def test_nominatim_is_asked_what_the_venue_says(venue: Venue, query: str) -> None:
    assert query_for(venue) == query


# Coordinates a calendar platform gave, checked against the source's own place

BLOOMINGTON_IN = Venue(city="Bloomington", region="IN", country="US", lat=39.1653, lon=-86.5264)
RALEIGH = Venue(city="Raleigh", region="NC", country="US", lat=35.782, lon=-78.6395)
MONTCLAIR = Venue(city="Montclair", region="NJ", country="US", lat=40.8259, lon=-74.209)


def stands(lat: float, lon: float, home: Venue | None, address: str | None = None) -> bool:
    return point_stands(lat, lon, home=home, address=address, gazetteer=get_gazetteer())


def test_coordinates_near_the_source_stand() -> None:
    assert stands(39.1670, -86.5340, BLOOMINGTON_IN, "Showers Building, 100B")


def test_coordinates_of_a_source_without_a_place_stand() -> None:
    assert stands(40.6185, -89.4647, None)
    assert stands(40.6185, -89.4647, Venue(city="Bloomington"))


def test_coordinates_far_from_the_source_and_outside_its_region_do_not_stand() -> None:
    # Real ones: Monroe County (Indiana) government's Showers Building put in Illinois,
    # Montclair State University's Cole Hall near Toronto.
    assert not stands(40.618495, -89.464654, BLOOMINGTON_IN, "Showers Building, 100B")
    assert not stands(43.59212, -79.63387, MONTCLAIR, "Cole Hall")


def test_far_coordinates_in_the_source_region_stand() -> None:
    # A Raleigh museum's branch in Whiteville, 160 km away (a town too small to be listed),
    # and Indiana University's Indianapolis building for a Bloomington school.
    whiteville = "Whiteville, 415 South Madison Street, Whiteville, NC, 28472, United States"
    assert stands(34.3258479, -78.7027078, RALEIGH, whiteville)
    assert stands(39.773295, -86.173246, BLOOMINGTON_IN, "BUSINESS/SPEA BUILDING")


def test_far_coordinates_stand_where_the_address_names_a_town_beside_them() -> None:
    assert stands(43.6532, -79.3832, BLOOMINGTON_IN, "100 Queen St W, Toronto, ON")
    assert not stands(43.6532, -79.3832, BLOOMINGTON_IN, "100 Main St, Chicago, IL")


def test_an_address_naming_a_town_far_from_the_source_with_its_region_is_elsewhere() -> None:
    # Bloomington Rotary's listing of its district's institute, as its feed writes it.
    address = (
        "&nbsp;&nbsp; GELS and GNLS Aug. 25-27 Institute Aug. 27-30 Hilton New Orleans"
        " Riverside Two Poydras St, New Orleans, LA 70130 &nbsp; &nbsp;"
    )
    town = town_elsewhere(address, home=BLOOMINGTON_IN, gazetteer=get_gazetteer())
    assert town is not None and (town.name, town.region_name) == ("New Orleans", "Louisiana")


@pytest.mark.parametrize(
    "address",
    [
        # Near the source: its own town.
        "Monroe County Courthouse, Bloomington, IN 47404",
        # Rooms and branches named like far towns, with no region after them.
        "Albert Campbell, Front Entrance",
        "Fort York, Program Room, Ground Floor",
        "Forest Hill, Program Room",
    ],
)
def test_an_address_is_not_elsewhere_without_a_far_town_and_its_region(address: str) -> None:
    assert town_elsewhere(address, home=BLOOMINGTON_IN, gazetteer=get_gazetteer()) is None


def test_nothing_is_elsewhere_for_a_source_without_a_place() -> None:
    address = "Hilton New Orleans Riverside Two Poydras St, New Orleans, LA 70130"
    assert town_elsewhere(address, home=None, gazetteer=get_gazetteer()) is None
