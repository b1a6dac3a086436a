"""What the search page's map says."""

from __future__ import annotations

MAP_LABEL = "Map of these results"
TILES_FAILED = (
    "The map's background could not load here; the dots still mark each event, "
    "and the list has every one."
)
