"""The learned sector model: plain weights, its reasons, and how the classifier uses it."""

from __future__ import annotations

from pathlib import Path

from service.classify.learned import SectorModel, get_model, load_model, terms
from service.classify.sectors import classify


def tiny() -> SectorModel:
    return SectorModel(
        bias={"legal": -2.0, "education": -2.0, "healthcare": -2.0},
        weights={"externship": {"legal": 4.0}, "orientation": {"education": 1.0}},
    )


def test_terms_are_folded_words_and_pairs() -> None:
    assert terms("Café Law-School 2026") == ["cafe", "cafe law", "law", "law school", "school"]


def test_chances_favour_the_sector_of_the_heaviest_terms() -> None:
    chances = tiny().chances("Externship orientation")
    assert max(chances, key=lambda slug: chances[slug]) == "legal"
    assert abs(sum(chances.values()) - 1.0) < 1e-9


def test_reasons_name_the_terms_that_pushed_towards_the_sector() -> None:
    assert tiny().reasons("legal", "Externship orientation") == ["externship"]
    assert tiny().reasons("healthcare", "Externship orientation") == []


def test_classify_adds_the_learned_sector_with_its_reasons_when_keywords_say_nothing() -> None:
    found = classify(title="Externship orientation", model=tiny())
    assert found.sectors[0] == "legal"
    assert found.evidence["legal"] == ["externship"]


def test_classify_without_a_model_gives_no_sector_for_that_title() -> None:
    assert classify(title="Externship orientation", model=None).sectors == []


def test_a_source_default_is_kept_and_the_model_only_adds_beside_it() -> None:
    found = classify(title="Externship orientation", defaults=["finance"], model=tiny())
    assert "finance" in found.sectors
    assert found.evidence["finance"] == ["source default"]


def test_load_model_of_a_missing_or_broken_file_is_none(tmp_path: Path) -> None:
    broken = tmp_path / "model.json"
    broken.write_text("{not json", encoding="utf-8")
    assert load_model(tmp_path / "absent.json") is None
    assert load_model(broken) is None


def test_the_shipped_model_loads_and_names_a_law_school_event_legal() -> None:
    model = get_model()
    assert model is not None
    found = classify(title="Moot court competition: appellate advocacy", model=model)
    assert "legal" in found.sectors
