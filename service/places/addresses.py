"""Reading a venue's town from what the source wrote: its city field, else its address.

Sources write places loosely: "Clear Water" for Clearwater, "Rapperswil-Jona"
for a town the gazetteer lists as Rapperswil, or only a free-text address
("Hall B, 1 Main St, Portland, OR 97201"). This module finds the gazetteer
place such text means, offline; rooms, streets and venue names must not be
mistaken for towns that share their name.
"""

from __future__ import annotations

import re

from service.model import Venue
from service.places.gazetteer import Gazetteer, Place, normalize_name

MAX_ADDRESS_TRIES = 3
"""Address parts tried as a town, from the end; earlier parts are rooms, streets and venues."""

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


def place_of_venue(venue: Venue, gazetteer: Gazetteer) -> Place | None:
    """The town a venue is in: from its city, region and country, else from its address."""
    place = None
    if venue.city:
        for city in _spellings(venue.city):
            place = gazetteer.resolve_parts(city, venue.region, venue.country)
            if place is not None:
                break
    if place is None and venue.address:
        place = town_in_address(venue.address, venue.country, gazetteer)
    return place


def town_in_address(
    address: str, country: str | None, gazetteer: Gazetteer, *, with_area: bool = False
) -> Place | None:
    """The town in free address text: the last parts that are not a region or a country.

    ``with_area``: only a town the text follows with its region or country and nothing
    else ("Wilmington, NC, 28401", "Ottawa, ON"), as an address must name a town to be
    believed over its source's own place; a room or a branch named like a town
    ("Albert Campbell, Front Entrance", "Fort York, Program Room") is not one.
    """
    if _LINK.search(address):
        return None
    parts = [_HAS_DIGIT.sub(" ", part) for part in _PART_SEPARATORS.split(address[:500])]
    parts = [" ".join(part.split()) for part in parts]
    parts = [part for part in parts if part]
    tries = 0
    for index in range(len(parts) - 1, -1, -1):
        if index > 0 and gazetteer.describes_area(parts[index]):
            continue
        areas = parts[index + 1 :]
        if with_area and not areas:
            return None
        if with_area and not all(gazetteer.describes_area(area) for area in areas):
            return None
        hinted = bool(areas or country)
        words = parts[index].split()
        # The whole part, then its last words: "FabLab Cottbus" is in Cottbus.
        for size in (len(words), *(n for n in (2, 1) if n < len(words))):
            name = " ".join(words[-size:])
            if normalize_name(name) in GENERIC_WORDS:
                continue
            place = gazetteer.resolve_parts(", ".join([name, *areas]), None, country)
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
