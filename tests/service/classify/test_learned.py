"""The learned sector model: plain weights, its reasons, and how the classifier uses it."""

from __future__ import annotations

import base64
import json
import math
from array import array
from dataclasses import replace
from pathlib import Path

from service.classify.learned import (
    MODEL_PATH,
    NO_FIELD,
    SectorModel,
    WordModel,
    get_model,
    load_model,
    terms,
)
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


def tiny_words() -> WordModel:
    """Two sectors; "nurse" names healthcare, "morning" leans to legal but names no field."""
    return WordModel(
        sectors=("healthcare", "legal"),
        bias=(0.0, 0.0),
        words={"nurse": 0, "morning": 1},
        weight=array("d", [2.0, 1.0]),
        scores=array("b", [40, -40, -30, 30]),
        scale=0.1,
        field=bytes([0, NO_FIELD]),
    )


def with_words() -> SectorModel:
    return replace(tiny(), words=tiny_words())


def test_word_part_knows_nothing_of_a_text_without_its_words() -> None:
    assert tiny_words().chances(terms("Quillfeather")) is None
    assert tiny_words().share(terms("Quillfeather")) == 0.0


def test_word_part_scores_are_the_weighted_mean_of_its_words() -> None:
    chances = tiny_words().chances(terms("Nurse morning"))
    assert chances is not None
    # (2 * 4.0 + 1 * -3.0) / 3 against (2 * -4.0 + 1 * 3.0) / 3: 5/3 against -5/3.
    assert math.isclose(chances["healthcare"], 1 / (1 + math.exp(-10 / 3)))
    assert tiny_words().share(terms("Nurse morning night")) == 2 / 3


def test_word_part_reasons_are_words_of_the_field_only() -> None:
    model = with_words()
    assert model.reasons("healthcare", "Nurse morning") == ["nurse"]
    # "morning" leans to legal, but names no field: no reason for legal.
    assert model.reasons("legal", "Morning") == []


def test_reasons_are_the_field_words_then_the_terms() -> None:
    weights = {
        "externship": {"legal": 4.0},
        "morning": {"legal": 3.0},
        "nurse": {"healthcare": 1.0},
    }
    model = replace(with_words(), weights=weights)
    assert model.reasons("legal", "Externship morning") == ["externship", "morning"]
    assert model.reasons("healthcare", "Nurse morning") == ["nurse"]


def test_blend_leans_on_each_part_by_the_words_it_knows() -> None:
    model = with_words()
    terms_only = tiny().chances("Externship morning")
    blended = model.chances("Externship morning")
    assert abs(sum(blended.values()) - 1.0) < 1e-9
    by_words = tiny_words().chances(terms("Externship morning"))
    assert by_words is not None
    # Half the words are the word part's: each part's chance to the power of one half.
    mixed = {
        slug: math.sqrt((terms_only[slug] + 1e-9) * (by_words.get(slug, 0.0) + 1e-9))
        for slug in terms_only
    }
    for slug, value in mixed.items():
        assert math.isclose(blended[slug], value / sum(mixed.values()))
    assert blended["legal"] > terms_only["legal"] + 0.1
    assert model.chances("Externship") == tiny().chances("Externship")


def test_load_model_without_a_whole_word_part_is_none(tmp_path: Path) -> None:
    document = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    document["words"]["field"] = base64.b64encode(b"\x00").decode("ascii")
    broken = tmp_path / "model.json"
    broken.write_text(json.dumps(document), encoding="utf-8")
    assert load_model(broken) is None


def test_the_shipped_model_reads_a_field_word_the_words_and_pairs_never_saw() -> None:
    model = get_model()
    assert model is not None and model.words is not None
    pairs_only = replace(model, words=None)
    assert classify(title="Sculptor evening", model=pairs_only).sectors == []
    found = classify(title="Sculptor evening", model=model)
    assert found.sectors == ["design-and-arts"]
    assert found.evidence["design-and-arts"] == ["sculptor"]


def test_the_shipped_model_gives_no_field_to_a_social_morning() -> None:
    for title in ("Social Morning", "Coffee Morning", "Women's Group", "Summer Party"):
        assert classify(title=title).sectors == [], title
