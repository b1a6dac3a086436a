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
    function_words,
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


def leaning_on_function_words() -> SectorModel:
    """A model whose heaviest terms for design are function words, as trained ones have."""
    return SectorModel(
        bias={"design-and-arts": -2.0, "legal": -2.0},
        weights={
            "with": {"design-and-arts": 3.0},
            "in the": {"design-and-arts": 3.0},
            "at https": {"design-and-arts": 3.0},
            "to pm": {"design-and-arts": 3.0},
            "pottery": {"design-and-arts": 1.0},
        },
    )


def test_reasons_are_never_function_words_alone() -> None:
    model = leaning_on_function_words()
    text = "Pottery with friends in the garden, 6 to pm at https://example.org"

    assert model.reasons("design-and-arts", text) == ["pottery"]
    # The function words still weigh in the chances.
    assert model.chances(text)["design-and-arts"] > model.chances("Pottery")["design-and-arts"]


def test_classify_gives_no_sector_that_function_words_alone_would_carry() -> None:
    model = leaning_on_function_words()

    assert classify(title="Game day with friends in the park", model=model).sectors == []
    found = classify(title="Pottery with friends in the park", model=model)
    assert found.sectors == ["design-and-arts"]
    assert found.evidence["design-and-arts"] == ["pottery"]


def test_function_words_are_english_stop_words_web_address_parts_and_clock_halves() -> None:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    extra = {"com", "html", "http", "https", "net", "org", "php", "www", "am", "pm"}
    assert function_words() - extra <= ENGLISH_STOP_WORDS
    assert extra <= function_words()
    # The stop list's words of a subject of their own stay reasons: a fire department, a bill.
    for word in ("fire", "bill", "interest", "system", "show", "con", "mill"):
        assert word in ENGLISH_STOP_WORDS and word not in function_words(), word
    assert {"the", "with", "of", "on", "we", "you"} <= function_words()


def test_the_shipped_models_reasons_hold_a_word_of_the_listing_subject() -> None:
    """Listings of the bundled recording (Glen Ridge and Owen County public libraries,
    confs.tech) that got a sector on "with", or on "org" and "https", alone."""
    for title, description, defaults in (
        (
            "Unplugged Game Day",
            "Drop in with a friend. We will have all sorts of board games available to play.",
            [],
        ),
        (
            "Online Author Talk with Lucy Foley",
            "Cost: Free Registration required. https://libraryc.org/owenlib/186918/register",
            [],
        ),
        (
            "XtremeJ",
            "Call for papers until 2026-07-10: https://tinyurl.com/xtreme2026\n"
            "Code of conduct: http://www.zindell.com/documents/codeofconduct.pdf\n"
            "Languages: EN\nTwitter: @xtremejconf",
            ["technology"],
        ),
    ):
        found = classify(title=title, description=description, defaults=defaults)
        for slug, words in found.evidence.items():
            assert words, (title, slug)
            assert not all(set(word.lower().split()) <= function_words() for word in words), (
                title,
                slug,
                words,
            )


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
