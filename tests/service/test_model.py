"""The venue's one-line label: what every face shows and a calendar's LOCATION carries.

The venues are real ones from the bundled recording, as their feeds gave them.
"""

from __future__ import annotations

import pytest

from service.model import Venue


@pytest.mark.parametrize(
    ("venue", "label"),
    [
        # The town as the venue, its address the town and region again.
        (
            Venue("Asheville", "Asheville, NC", "Asheville", "NC", "US"),
            "Asheville, NC",
        ),
        # An iCalendar LOCATION: the name, then the address beginning with the name.
        (
            Venue("Kittredge Arts Center", "Kittredge Arts Center, Lobby", "Swannanoa", "NC", "US"),
            "Kittredge Arts Center, Lobby, Swannanoa, NC, US",
        ),
        # The publisher's address repeats its town and region; "NJ 07042" says "NJ".
        (
            Venue(
                "Montclair Book Center",
                "Montclair Book Center, 221 Glenridge Avenue, Montclair, NJ 07042, Montclair, NJ",
                "Montclair",
                "NJ",
                "US",
            ),
            "Montclair Book Center, 221 Glenridge Avenue, Montclair, NJ 07042",
        ),
        # A name that begins with the town does not name the town.
        (
            Venue(
                "Asheville Art Museum",
                "Asheville Art Museum, 2 South Pack Square, Asheville, NC, 28801, United States",
                "Asheville",
                "NC",
                "US",
            ),
            "Asheville Art Museum, 2 South Pack Square, Asheville, NC, 28801, United States",
        ),
        # The address names its town but not its region: the region is added, not the country.
        (
            Venue(
                "Glass Jug Downtown",
                "Glass Jug Downtown, 545 Foster Street, Suite 10, Durham, 27701",
                "Durham",
                "NC",
                "US",
            ),
            "Glass Jug Downtown, 545 Foster Street, Suite 10, Durham, 27701, NC",
        ),
        # An address that names neither: town, region and country follow it.
        (
            Venue("MaRS Discovery District", "101 College St", "Toronto", "ON", "CA"),
            "MaRS Discovery District, 101 College St, Toronto, ON, CA",
        ),
        # A name alone that is the town: the region and country still tell which one.
        (Venue("Asheville", None, "Asheville", "NC", "US"), "Asheville, NC, US"),
        (Venue(None, "Bremen, Germany", "Bremen", None, "Germany"), "Bremen, Germany"),
        (Venue(), ""),
    ],
)
def test_venue_label_names_each_place_once(venue: Venue, label: str) -> None:
    assert venue.label() == label


def test_venue_label_keeps_pieces_as_written_with_spaces_mended() -> None:
    venue = Venue(
        "Cynthia Lai - Rosebank Park",
        "Cynthia Lai - Rosebank Park,1051 Progress Avenue,  Scarborough, ON M1H 2Z9, Canada",
    )

    assert venue.label() == (
        "Cynthia Lai - Rosebank Park, 1051 Progress Avenue, Scarborough, ON M1H 2Z9, Canada"
    )
