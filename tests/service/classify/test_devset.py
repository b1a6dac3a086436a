"""The development set of publisher-labelled listings, and the keyword classifier measured on it."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

from benchmarks.sectors import keywords, kinds, none_where_named, publisher, score, whole_sources
from service.classify.sectors import get_taxonomy
from service.model import Kind

DEVSET = Path(__file__).parents[2] / "fixtures" / "sectors" / "devset.csv"


def rows() -> list[dict[str, str]]:
    with DEVSET.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_devset_has_40_listings_for_12_sectors_from_several_sources() -> None:
    listings = rows()
    first = Counter(row["sectors"].split(";")[0] for row in listings)
    assert sum(count >= 40 for count in first.values()) >= 12
    assert len({publisher(row) for row in listings}) >= 50


def test_devset_labels_are_taxonomy_slugs_and_kinds() -> None:
    taxonomy = get_taxonomy()
    known_kinds = {kind.value for kind in Kind}
    for row in rows():
        assert row["title"], row
        assert all(slug in taxonomy for slug in row["sectors"].split(";")), row
        assert not row["kind"] or row["kind"] in known_kinds, row


def test_devset_mixes_listings_with_and_without_descriptions() -> None:
    listings = rows()
    described = sum(bool(row["description"]) for row in listings) / len(listings)
    assert 0.2 < described < 0.8


def test_score_counts_a_sector_among_the_first_three_as_right() -> None:
    listings = [
        {"title": "Bar association CLE: litigation update", "description": "", "sectors": "legal"},
        {"title": "Winter break", "description": "", "sectors": "education"},
    ]
    scored = score(listings, keywords)
    assert scored["legal"] == (1, 0, 1)
    assert scored["education"] == (0, 1, 1)


def test_kinds_compares_the_kind_with_the_publishers_format() -> None:
    listings = [
        {"title": "PyCon US 2026", "description": "", "kind": "conference"},
        {"title": "Budget committee", "description": "", "kind": "other"},
        {"title": "Untitled", "description": "", "kind": ""},
    ]
    assert kinds(listings) == {"conference": (1, 1), "other": (1, 1)}


def test_none_where_named_counts_only_listings_whose_text_names_a_field() -> None:
    listings = [
        {"title": "Bar association CLE: litigation update", "description": "", "sectors": "legal"},
        {"title": "Winter break", "description": "", "sectors": "education"},
    ]

    assert none_where_named(listings, lambda row: []) == (1, 1)
    assert none_where_named(listings, keywords) == (0, 1)


def test_kindset_labels_are_kinds_from_unreserved_sources() -> None:
    with DEVSET.with_name("kinds.csv").open(encoding="utf-8", newline="") as handle:
        listings = list(csv.DictReader(handle))
    known_kinds = {kind.value for kind in Kind}
    assert {row["kind"] for row in listings} <= known_kinds
    assert all(row["title"] and row["label"] for row in listings)
    reserved = ("santarosa", "lancaster", "davis")
    assert not any(f"/{city}/" in row["source"] for row in listings for city in reserved)


def test_formats_are_kinds_from_other_publishers_than_kindsets() -> None:
    def listings(name: str) -> list[dict[str, str]]:
        with DEVSET.with_name(name).open(encoding="utf-8", newline="") as handle:
            return list(csv.DictReader(handle))

    formats, kindset = listings("formats.csv"), listings("kinds.csv")
    feeds = {row["source"].split("/", 1)[1] for row in formats}
    assert len(formats) >= 400
    assert {row["kind"] for row in formats} <= {kind.value for kind in Kind}
    assert feeds.isdisjoint(row["source"].split("/", 1)[1] for row in kindset)
    reserved = ("santarosa", "lancaster", "davis")
    assert not any(f"/{city}/" in row["source"] for row in formats for city in reserved)


def test_category_kind_maps_one_format_and_skips_disagreement() -> None:
    from benchmarks.devset import category_kind

    assert category_kind(["Class", "Adults"]) == ("workshop", "class")
    assert category_kind(["Training", "non-credit classes"]) == ("workshop", "training")
    assert category_kind(["Book Club", "Story Time"]) is None
    assert category_kind(["Technology"]) is None


def test_kinds_reads_a_meetup_calendars_listings_as_meetups_where_the_text_names_none() -> None:
    meetup = "community-calendar/asheville/meetup_avltech.ics"
    listings = [{"source": meetup, "title": "Coders League", "description": "", "kind": "meetup"}]

    elsewhere = [dict(listings[0], source="community-calendar/asheville/ashevilleart.ics")]

    assert kinds(listings) == {"meetup": (1, 1)}
    assert kinds(elsewhere) == {"meetup": (0, 1)}


def test_whole_sources_lends_a_calendars_named_field_as_a_crawl_does() -> None:
    chamber = "community-calendar/asheville/asheville_chamber.ics"
    listings = [
        {"source": chamber, "title": "Wine Wednesday", "description": "", "sectors": ""},
        {"source": "elsewhere", "title": "Wine Wednesday", "description": "", "sectors": ""},
    ]

    lent = whole_sources(listings, keywords)

    assert lent(listings[0]) == ["sales-and-business"]
    assert lent(listings[1]) == []
    assert whole_sources(listings, keywords, names=False)(listings[0]) == []


def test_left_out_kind_models_never_saw_the_listings_source() -> None:
    from benchmarks.sectors import left_out_kind_models

    def listing(source: str, title: str, kind: str) -> dict[str, str]:
        return {"source": source, "title": title, "description": "", "kind": kind}

    listings = [
        *(listing("clay", f"Pottery wheel {n}", "workshop") for n in range(10)),
        *(listing("library", f"Spreadsheets class {n}", "workshop") for n in range(20)),
        *(listing("library", f"Concert of strings {n}", "other") for n in range(20)),
        *(listing("school", f"Excel class {n}", "workshop") for n in range(20)),
        *(listing("school", f"Choir concert {n}", "other") for n in range(20)),
        *(listing("park", f"Concert in the park {n}", "other") for n in range(10)),
    ]
    model_for = left_out_kind_models(listings)

    assert "pottery" not in model_for(listings[0]).weights
    assert "pottery" in model_for(listings[-1]).weights
    assert model_for(listings[-1]).chances("Pottery wheel")["workshop"] > 0.5
