"""The offline gazetteer: homonyms, time zones, structured venue fields, bad input."""

from __future__ import annotations

import dataclasses
from zoneinfo import ZoneInfo

import pytest

from service.places.gazetteer import Gazetteer, Place, get_gazetteer, normalize_name


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    shared = get_gazetteer()
    shared.load()
    return shared


@pytest.mark.parametrize(
    ("query", "name", "country_code", "region"),
    [
        ("Toronto", "Toronto", "CA", "ON"),
        ("Portland", "Portland", "US", "OR"),
        ("Portland, OR", "Portland", "US", "OR"),
        ("Portland, ME", "Portland", "US", "ME"),
        ("Portland, Maine", "Portland", "US", "ME"),
        ("Portland OR", "Portland", "US", "OR"),
        ("London", "London", "GB", "ENG"),
        ("London, ON", "London", "CA", "ON"),
        ("London, Ontario", "London", "CA", "ON"),
        ("London, UK", "London", "GB", "ENG"),
        ("London, England", "London", "GB", "ENG"),
        ("London, Canada", "London", "CA", "ON"),
        ("Cambridge, MA", "Cambridge", "US", "MA"),
        ("Cambridge, UK", "Cambridge", "GB", "ENG"),
        ("Sydney", "Sydney", "AU", "NSW"),
        ("Sydney, NS", "Sydney", "CA", "NS"),
        ("Sydney Nova Scotia", "Sydney", "CA", "NS"),
        ("Perth, WA", "Perth", "AU", "WA"),
        ("Vancouver, WA", "Vancouver", "US", "WA"),
        ("Vancouver", "Vancouver", "CA", "BC"),
        ("São Paulo", "São Paulo", "BR", "27"),
        ("Sao Paulo, Brazil", "São Paulo", "BR", "27"),
        ("Zürich", "Zürich", "CH", "ZH"),
        ("zurich", "Zürich", "CH", "ZH"),
        ("Köln", "Köln", "DE", "07"),
        ("Cologne", "Köln", "DE", "07"),
        ("Kyiv", "Kyiv", "UA", "12"),
        ("Kiev", "Kyiv", "UA", "12"),
        ("New York, NY", "New York City", "US", "NY"),
        ("NYC", "New York City", "US", "NY"),
        ("Washington, D.C.", "Washington", "US", "DC"),
        ("Kansas City, KS", "Kansas City", "US", "KS"),
        ("Kansas City, MO", "Kansas City", "US", "MO"),
        ("  toronto  ,  canada ", "Toronto", "CA", "ON"),
    ],
)
def test_resolve_place_disambiguates_homonyms(
    gazetteer: Gazetteer, query: str, name: str, country_code: str, region: str
) -> None:
    place = gazetteer.resolve(query)

    assert place is not None
    assert (place.name, place.country_code, place.region) == (name, country_code, region)


@pytest.mark.parametrize(
    ("query", "timezone"),
    [
        ("Portland, OR", "America/Los_Angeles"),
        ("Portland, ME", "America/New_York"),
        ("London", "Europe/London"),
        ("London, ON", "America/Toronto"),
        ("Sydney", "Australia/Sydney"),
        ("Sydney, NS", "America/Glace_Bay"),
        ("Perth, WA", "Australia/Perth"),
        ("Kyiv", "Europe/Kyiv"),
        ("São Paulo", "America/Sao_Paulo"),
    ],
)
def test_resolve_place_fills_timezone(gazetteer: Gazetteer, query: str, timezone: str) -> None:
    place = gazetteer.resolve(query)

    assert place is not None
    assert place.timezone == timezone
    assert ZoneInfo(place.timezone).key == timezone


@pytest.mark.parametrize(
    ("query", "label"),
    [
        ("Portland, OR", "Portland, Oregon, United States"),
        ("Toronto", "Toronto, Ontario, Canada"),
        ("Sydney, NS", "Sydney, Nova Scotia, Canada"),
        ("London", "London, England, United Kingdom"),
        ("Köln", "Köln, Germany"),
    ],
)
def test_resolve_place_label_names_region_and_country(
    gazetteer: Gazetteer, query: str, label: str
) -> None:
    place = gazetteer.resolve(query)

    assert place is not None
    assert place.label == label


def test_resolve_place_fills_coordinates_and_population(gazetteer: Gazetteer) -> None:
    place = gazetteer.resolve("Toronto")

    assert place is not None
    assert place.lat == pytest.approx(43.7, abs=0.2)
    assert place.lon == pytest.approx(-79.4, abs=0.2)
    assert place.population > 1_000_000
    assert place.country == "Canada"


@pytest.mark.parametrize(
    ("city", "region", "country", "name", "country_code", "region_code"),
    [
        ("Portland, OR", None, "U.S.A.", "Portland", "US", "OR"),
        ("Portland", "ME", "USA", "Portland", "US", "ME"),
        ("Manchester", None, "GB", "Manchester", "GB", "ENG"),
        ("Manchester", None, "U.K.", "Manchester", "GB", "ENG"),
        ("London", None, "Canada", "London", "CA", "ON"),
        ("Birmingham", "AL", None, "Birmingham", "US", "AL"),
        ("Edinburgh", None, "Scotland", "Edinburgh", "GB", "SCT"),
        ("Sidney", None, "Australia", "Sydney", "AU", "NSW"),
        ("Newcastle", None, "Australia", "Newcastle", "AU", "NSW"),
        ("Seoul", None, "Korea", "Seoul", "KR", "11"),
        ("Prague", None, "Czech Republic", "Prague", "CZ", "52"),
        ("Amsterdam", None, "The Netherlands", "Amsterdam", "NL", "07"),
        ("Falmouth, Cornwall", None, "U.K.", "Falmouth", "GB", "ENG"),
    ],
)
def test_resolve_parts_confs_tech_venue_finds_place(
    gazetteer: Gazetteer,
    city: str,
    region: str | None,
    country: str | None,
    name: str,
    country_code: str,
    region_code: str,
) -> None:
    place = gazetteer.resolve_parts(city, region=region, country=country)

    assert place is not None
    assert (place.name, place.country_code, place.region) == (name, country_code, region_code)


@pytest.mark.parametrize(
    "query", ["Narnia", "Portland, Germany", "Online", "Toronto, Australia", "Brazil"]
)
def test_resolve_place_unknown_returns_none(gazetteer: Gazetteer, query: str) -> None:
    assert gazetteer.resolve(query) is None


GARBAGE: list[object] = [
    "",
    "   ",
    ",,,;;;",
    "\x00\x01\x02\x1b[31m",
    "🙂🎉🌈",
    "x" * 10_000,
    "London" * 2_000,
    "\ud800",
    None,
    42,
    b"London",
    ["London"],
]


@pytest.mark.parametrize("value", GARBAGE, ids=range(len(GARBAGE)))
def test_resolve_place_garbage_returns_none(gazetteer: Gazetteer, value: object) -> None:
    assert gazetteer.resolve(value) is None
    assert gazetteer.resolve_parts(value, region=value, country=value) is None
    assert gazetteer.suggest(value) == []
    assert gazetteer.country_code(value) is None
    assert gazetteer.country_name(value) is None


def test_resolve_place_long_query_reads_only_its_start(gazetteer: Gazetteer) -> None:
    place = gazetteer.resolve("Toronto, Ontario" + "\x00🙂" * 5_000)

    assert place is not None
    assert place.name == "Toronto"


@pytest.mark.parametrize(
    ("misspelt", "intended"),
    [("Torontoo", "Toronto"), ("Portlnd", "Portland"), ("Manchestr", "Manchester")],
)
def test_suggest_place_misspelling_offers_intended_city(
    gazetteer: Gazetteer, misspelt: str, intended: str
) -> None:
    assert gazetteer.resolve(misspelt) is None

    suggestions = gazetteer.suggest(misspelt)

    assert suggestions
    assert suggestions[0].name == intended


def test_suggest_place_homonyms_are_all_offered(gazetteer: Gazetteer) -> None:
    labels = [place.label for place in gazetteer.suggest("Portlnd")]

    assert "Portland, Oregon, United States" in labels
    assert "Portland, Maine, United States" in labels


def test_suggest_place_region_hint_narrows(gazetteer: Gazetteer) -> None:
    suggestions = gazetteer.suggest("Portlnd, ME")

    assert [place.label for place in suggestions][:1] == ["Portland, Maine, United States"]
    assert all(place.region == "ME" for place in suggestions)


def test_suggest_place_prefix_ranks_by_population(gazetteer: Gazetteer) -> None:
    suggestions = gazetteer.suggest("Lond", limit=5)

    assert suggestions[0].label == "London, England, United Kingdom"
    assert "London, Ontario, Canada" in [place.label for place in suggestions]
    assert len(suggestions) == 5


@pytest.mark.parametrize("limit", [0, -3, "8", None])
def test_suggest_place_bad_limit_returns_empty(gazetteer: Gazetteer, limit: object) -> None:
    assert gazetteer.suggest("Toronto", limit=limit) == []  # type: ignore[arg-type]


def test_suggest_place_unknown_name_returns_empty(gazetteer: Gazetteer) -> None:
    assert gazetteer.suggest("Qqqxzzv") == []


@pytest.mark.parametrize(
    ("spelling", "code"),
    [
        ("U.S.A.", "US"),
        ("USA", "US"),
        ("United States of America", "US"),
        ("U.K.", "GB"),
        ("UK", "GB"),
        ("Scotland", "GB"),
        ("The Netherlands", "NL"),
        ("Netherlands", "NL"),
        ("Czech Republic", "CZ"),
        ("Czechia", "CZ"),
        ("South Korea", "KR"),
        ("Korea", "KR"),
        ("DEU", "DE"),
        ("de", "DE"),
        ("Türkiye", "TR"),
        ("Narnia", None),
    ],
)
def test_country_code_common_spellings_resolve(
    gazetteer: Gazetteer, spelling: str, code: str | None
) -> None:
    assert gazetteer.country_code(spelling) == code


def test_country_name_code_gives_english_name(gazetteer: Gazetteer) -> None:
    assert gazetteer.country_name("GB") == "United Kingdom"
    assert gazetteer.country_name("u.s.a.") == "United States"
    assert gazetteer.country_name("XX") is None


def test_by_id_place_round_trips(gazetteer: Gazetteer) -> None:
    place = gazetteer.resolve("Toronto")

    assert place is not None
    assert gazetteer.by_id(place.geonameid) == place
    assert gazetteer.by_id("6167865") is None


def test_create_place_is_immutable(gazetteer: Gazetteer) -> None:
    place = gazetteer.resolve("Toronto")

    assert isinstance(place, Place)
    with pytest.raises(dataclasses.FrozenInstanceError):
        place.name = "Elsewhere"  # type: ignore[misc]


def test_create_gazetteer_does_not_load_data() -> None:
    fresh = Gazetteer()

    assert fresh.is_loaded is False


def test_get_gazetteer_returns_shared_instance() -> None:
    assert get_gazetteer() is get_gazetteer()


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Zürich", "zurich"),
        ("U.S.A.", "usa"),
        ("  São   Paulo!! ", "sao paulo"),
        ("St. John's", "st johns"),
        ("Ærøskøbing", "aeroskobing"),
        ("🙂", ""),
    ],
)
def test_normalize_name_folds_case_accents_and_punctuation(text: str, key: str) -> None:
    assert normalize_name(text) == key


def test_nearest_is_the_brute_force_answer(gazetteer: Gazetteer) -> None:
    """The grid and the latitude shortcut must not lose a place a full scan finds."""
    import random

    from service.places.gazetteer import _haversine_km

    places = list(gazetteer.places())
    rng = random.Random(3)
    for _ in range(12):
        anchor = rng.choice(places)
        lat = max(-90.0, min(90.0, anchor.lat + rng.uniform(-0.3, 0.3)))
        lon = max(-180.0, min(180.0, anchor.lon + rng.uniform(-0.3, 0.3)))
        for max_km, biggest in ((15.0, True), (200.0, False), (5.0, False)):
            best = None
            best_rank = (float("inf"), 0)
            for place in places:
                distance = _haversine_km(lat, lon, place.lat, place.lon)
                if distance > max_km:
                    continue
                rank = (-place.population if biggest else distance, place.geonameid)
                if rank < best_rank:
                    best, best_rank = place, rank
            assert gazetteer.nearest(lat, lon, max_km=max_km, biggest=biggest) == best
