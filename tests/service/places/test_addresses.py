"""Reading a venue's town: city spellings, free-text addresses, venue words that are not towns."""

from __future__ import annotations

import pytest

from service.model import Venue
from service.places.addresses import place_of_venue
from service.places.gazetteer import get_gazetteer


@pytest.mark.parametrize(
    ("address", "city", "region"),
    [
        ("Hall B, 123 Main St, Portland, OR 97201, USA", "Portland", "Oregon"),
        ("Lucky Lab beer hall @ 1945 NW Quimby, Portland, Oregon US", "Portland", "Oregon"),
        ("FabLab Cottbus @ Walther-Pauer-Straße 5, 03044 Cottbus, Deutschland", "Cottbus", None),
        ("FabLab Cottbus @ Walther-Pauer-Straße 5 03044 Cottbus", "Cottbus", None),
        ("Kingston Public Library, Kingston, ON", "Kingston", "Ontario"),
        ("Maker Faire Berlin @ Luckenwalder Str. 4\u20136, 10963 Berlin", "Berlin", None),
    ],
)
def test_place_is_read_from_a_free_text_address(
    address: str, city: str, region: str | None
) -> None:
    place = place_of_venue(Venue(address=address), get_gazetteer())

    assert place is not None
    assert place.name == city
    assert place.region_name == region


@pytest.mark.parametrize(
    "address",
    ["Town Hall", "Google", "University", "Karlstraßenfest", "https://zoom.us/j/123", "Room 5"],
)
def test_venue_words_are_not_towns(address: str) -> None:
    assert place_of_venue(Venue(address=address), get_gazetteer()) is None


@pytest.mark.parametrize(
    "venue",
    [
        Venue(city="Clear Water", region="FL", country="U.S.A."),
        Venue(city="Rapperswil-Jona", country="Switzerland"),
    ],
)
def test_spelling_of_compound_names_is_tolerated(venue: Venue) -> None:
    assert place_of_venue(venue, get_gazetteer()) is not None
