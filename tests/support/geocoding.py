"""A stand-in for geopy's Nominatim, so that no test touches the network, and a geocoder on it."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

from service.places.geocode import GeocodeCache, NominatimGeocoder
from tests.factories import NOW

TINYVILLE = "12 Oak Lane, Tinyville, OR"
"""An address in a town too small for the gazetteer: only Nominatim knows it."""


class FakeGeocoder:
    """Stands in for geopy's Nominatim: counts calls, answers from a table."""

    def __init__(self, answers: dict[str, Any]) -> None:
        self.answers = answers
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def geocode(self, query: str, **options: Any) -> Any:
        self.calls.append((query, options))
        answer = self.answers.get(query)
        if isinstance(answer, Exception):
            raise answer
        return answer


def tinyville() -> SimpleNamespace:
    """Nominatim's answer for ``TINYVILLE``, shaped like a geopy ``Location``."""
    return SimpleNamespace(
        latitude=44.9429,
        longitude=-123.0351,
        raw={"address": {"town": "Tinyville", "state": "Oregon", "country": "United States"}},
    )


def nominatim(tmp_path: Path, fake: FakeGeocoder) -> NominatimGeocoder:
    """A geocoder on ``fake`` with its cache in ``tmp_path``, no delay and a fixed clock."""
    return NominatimGeocoder(
        cache=GeocodeCache(tmp_path / "geocode.sqlite3"),
        user_agent="meetscout-test",
        geocoder=fake,
        min_delay_seconds=0,
        clock=lambda: NOW,
    )
