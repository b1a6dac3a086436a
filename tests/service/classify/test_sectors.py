"""The sector taxonomy (data) and the keyword classifier, checked against real titles."""

from __future__ import annotations

import csv
import random
import string
from collections.abc import Iterator
from pathlib import Path

import pytest

from service.classify.sectors import (
    DEFAULT_EVIDENCE,
    MAX_CHARS,
    Classification,
    Sector,
    Taxonomy,
    classify,
    get_taxonomy,
    load_taxonomy,
)

LABELLED = Path(__file__).parents[2] / "fixtures" / "sectors" / "labelled_titles.csv"
AGREEMENT_REQUIRED = 0.90


@pytest.fixture(scope="module")
def taxonomy() -> Taxonomy:
    return load_taxonomy()


def small_taxonomy() -> Taxonomy:
    return Taxonomy(
        [
            Sector("tech", "Tech", "", ("machine learning", "python", "open source", "react")),
            Sector("teaching", "Teaching", "", ("learning", "teacher")),
            Sector("books", "Books", "", ("book", "poetry", "securite"), ("IT",)),
        ]
    )


def write_taxonomy(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "sectors.toml"
    path.write_text(body, encoding="utf-8")
    return path


def test_load_taxonomy_bundled_has_15_to_25_sectors(taxonomy: Taxonomy) -> None:
    assert 15 <= len(taxonomy) <= 25
    assert len(set(taxonomy.slugs)) == len(taxonomy.slugs)


def test_load_taxonomy_bundled_sectors_are_complete(taxonomy: Taxonomy) -> None:
    for sector in taxonomy:
        assert sector.label and sector.description, sector.slug
        assert len(sector.keywords) >= 30, sector.slug


@pytest.mark.parametrize(
    "slug",
    [
        "technology",
        "healthcare",
        "finance",
        "education",
        "legal",
        "marketing-and-media",
        "engineering-and-manufacturing",
        "public-sector-and-nonprofit",
        "design-and-arts",
        "science-and-research",
        "sales-and-business",
        "hospitality-and-retail",
        "real-estate-and-construction",
        "energy-and-environment",
        "writing-and-publishing",
    ],
)
def test_load_taxonomy_bundled_has_core_sector(taxonomy: Taxonomy, slug: str) -> None:
    sector = taxonomy.get(slug)

    assert sector is not None
    assert sector.slug == slug


def test_load_taxonomy_keeps_file_order(taxonomy: Taxonomy) -> None:
    assert [sector.slug for sector in taxonomy] == taxonomy.slugs
    assert taxonomy.slugs[0] == "technology"


def test_get_taxonomy_is_cached() -> None:
    assert get_taxonomy() is get_taxonomy()


@pytest.mark.parametrize("slug", ["nope", "", None, 3])
def test_get_sector_unknown_returns_none(taxonomy: Taxonomy, slug: object) -> None:
    assert taxonomy.get(slug) is None  # type: ignore[arg-type]
    assert slug not in taxonomy


GOOD = '[[sector]]\nslug = "health"\nlabel = "Health"\nkeywords = ["nurse"]\n'


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (GOOD + GOOD, "sector 'health': duplicate slug"),
        ('[[sector]]\nslug = "Health Care"\nlabel = "H"\nkeywords = ["x"]\n', "'Health Care'"),
        ('[[sector]]\nslug = "health"\nlabel = "Health"\nkeywords = []\n', "sector 'health'"),
        ('[[sector]]\nslug = "health"\nkeywords = ["nurse"]\n', "sector 'health': needs a label"),
        ('[[sector]]\nslug = "health"\nlabel = "H"\nkeywords = "nurse"\n', "sector 'health'"),
        ('[[sector]]\nslug = "health"\nlabel = "H"\nkeywords = ["nu*rse"]\n', "'nu*rse'"),
        ('[[sector]]\nslug = "health"\nlabel = "H"\nkeywords = ["", "x"]\n', "sector 'health'"),
        ('[[sector]]\nslug = "health"\nlabel = "H"\nkeywords = ["x", "- *"]\n', "'- *'"),
        ('[[sector]]\nlabel = "H"\nkeywords = ["x"]\n', "sector #1"),
        (GOOD + '[[sector]]\nslug = "law"\nlabel = "Law"\n', "sector 'law': vocabulary is empty"),
        ('title = "no sectors here"\n', "no [[sector]] tables"),
        ("[[sector]\nslug = ", "cannot read sector taxonomy"),
    ],
)
def test_load_taxonomy_bad_file_names_the_problem(tmp_path: Path, body: str, message: str) -> None:
    path = write_taxonomy(tmp_path, body)

    with pytest.raises(ValueError) as caught:
        load_taxonomy(path)

    assert message in str(caught.value)
    assert str(path) in str(caught.value)


def test_load_taxonomy_missing_file_raises_value_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="cannot read sector taxonomy"):
        load_taxonomy(tmp_path / "absent.toml")


def test_load_taxonomy_custom_file_is_used(tmp_path: Path) -> None:
    custom = load_taxonomy(write_taxonomy(tmp_path, GOOD))

    result = classify(title="Nurses' evening", taxonomy=custom)

    assert custom.slugs == ["health"]
    assert result.sectors == ["health"]


def test_classify_event_reports_evidence(taxonomy: Taxonomy) -> None:
    result = classify(title="Python meetup: machine learning for teachers", taxonomy=taxonomy)

    assert result.primary == "technology"
    assert "education" in result.sectors
    assert {"python", "machine learning"} <= set(result.evidence["technology"])
    assert result.evidence["education"] == ["teacher"]
    assert list(result.evidence) == result.sectors
    assert list(result.scores) == result.sectors


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("AI in Finance Summit London", {"finance", "technology"}),
        ("UX Healthcare", {"design-and-arts", "healthcare", "technology"}),
        ("Dementia Friendly Swimming", {"healthcare", "social-care-and-community"}),
        ("Bedford Farmers Market", {"agriculture-and-food", "hospitality-and-retail"}),
    ],
)
def test_classify_event_assigns_several_sectors(
    taxonomy: Taxonomy, title: str, expected: set[str]
) -> None:
    assert expected <= set(classify(title=title, taxonomy=taxonomy).sectors)


@pytest.mark.parametrize(
    "name",
    [
        "Toronto Botanical Garden",
        "Etobicoke Horticultural Society",
        "Monroe County Master Gardeners",
    ],
)
def test_gardens_and_gardeners_are_agriculture_by_their_words_alone(
    taxonomy: Taxonomy, name: str
) -> None:
    assert classify(title=name, taxonomy=taxonomy, model=None).sectors == ["agriculture-and-food"]


@pytest.mark.parametrize(
    ("title", "sectors"),
    [
        ("Invasive Plant Removal at Forest Hills Park", ["energy-and-environment"]),
        ("North Mineral Springs Road Cleanup", ["energy-and-environment"]),
        ("Beach clean-up day", ["energy-and-environment"]),
        ("Birding at the Preserve", ["energy-and-environment"]),
        ("Code cleanup night", []),  # tidying code is no field's
        ("Workshop on Hegel with the Department of Philosophy", ["science-and-research"]),
        ("EASC Colloquium: Late Ming Drama", ["science-and-research"]),
    ],
)
def test_a_volunteer_cleanup_is_environment_and_a_philosophy_talk_academia(
    taxonomy: Taxonomy, title: str, sectors: list[str]
) -> None:
    """A land trust's or a river group's events and a philosophy department's talks name
    their field in words of their own ("invasive plant", "road cleanup", "colloquium")."""
    assert classify(title=title, taxonomy=taxonomy, model=None).sectors == sectors


@pytest.mark.parametrize(
    "title",
    [
        "Nephrology Grand Rounds",
        "Free HIV & HCV Testing",
        "Vitalant Blood Drive",
        "School Immunization Day",
        "Pediatrics and Neurology Update",
    ],
)
def test_healthcare_by_its_specialties_and_public_health_work(
    taxonomy: Taxonomy, title: str
) -> None:
    """A hospital's specialty lectures and a clinic's testing or blood drive are a nurse's
    field though they say neither "health" nor "medical"."""
    assert "healthcare" in classify(title=title, taxonomy=taxonomy, model=None).sectors


@pytest.mark.parametrize(
    "title",
    [
        "GopherCon Singapore",
        "droidcon London",
        "Third Conference on Language Modeling",
        "48th European Conference on Information Retrieval",
        "40th Annual Conference on Neural Information Processing Systems",
        "Conf42 Chaos Engineering",
        "FINOS Emerging Technologies SIG",
    ],
)
def test_technology_by_its_conferences_and_research_fields(taxonomy: Taxonomy, title: str) -> None:
    """The Go and Android communities' conference series, and the research fields of machine
    learning's conferences, are technology's though they name no language or product."""
    assert "technology" in classify(title=title, taxonomy=taxonomy, model=None).sectors


@pytest.mark.parametrize(
    ("title", "sectors"),
    [
        ("2026 Scadding Court Summer Camp", []),  # a community centre's name
        ("A Connecticut Yankee in King Arthur's Court", []),
        ("Basketball court open play", ["sports-and-fitness"]),
        ("Scadding Court Community Centre", ["social-care-and-community"]),
        ("Indiana Tax Court Oral Argument", ["legal"]),
        ("Moot court competition", ["legal"]),
        ("Supreme Court review for practitioners", ["legal"]),
    ],
)
def test_a_court_is_law_only_where_it_is_a_court_of_law(
    taxonomy: Taxonomy, title: str, sectors: list[str]
) -> None:
    """A court is a place or a name as often as a court of law: a community centre's name,
    a basketball court, a king's; so a calendar named "Scadding Court Community Centre"
    names one field, not two."""
    assert classify(title=title, taxonomy=taxonomy, model=None).sectors == sectors


def test_host_words_name_a_field_in_a_name_and_not_in_an_event(taxonomy: Taxonomy) -> None:
    """ "Town of Chapel Hill" is a government; "City of God" is a film, and the same words in an
    event's text say nothing."""
    assert taxonomy.hosted_by("Town of Chapel Hill") == ["public-sector-and-nonprofit"]
    assert taxonomy.hosted_by("City of Toronto Meetings") == ["public-sector-and-nonprofit"]
    assert taxonomy.hosted_by("City Lights Bookstore") == []
    assert taxonomy.hosted_by("YWCA Northern New Jersey") == ["social-care-and-community"]
    assert taxonomy.hosted_by("Toronto Tool Library") == ["engineering-and-manufacturing"]
    assert taxonomy.hosted_by("Asheville Art Museum") == ["design-and-arts"]
    assert taxonomy.hosted_by("City of Asheville Public Library") == [
        "public-sector-and-nonprofit",
        "writing-and-publishing",
    ]
    assert classify(title="City of God: a screening", taxonomy=taxonomy, model=None).sectors == []


def test_load_taxonomy_reads_host_words(tmp_path: Path) -> None:
    path = tmp_path / "sectors.toml"
    path.write_text(
        '[[sector]]\nslug = "civic"\nlabel = "Civic"\nkeywords = ["council"]\n'
        'hosts = ["parish of"]\n',
        encoding="utf-8",
    )
    custom = load_taxonomy(path)
    assert custom.hosted_by("Parish of St Mary") == ["civic"]
    assert classify(title="Parish of St Mary fete", taxonomy=custom, model=None).sectors == []
    path.write_text(
        '[[sector]]\nslug = "civic"\nlabel = "Civic"\nkeywords = ["council"]\nhosts = [3]\n',
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match="hosts"):
        load_taxonomy(path)


def test_classify_event_longer_term_shadows_shorter() -> None:
    result = classify(title="Machine learning night", taxonomy=small_taxonomy())

    assert result.sectors == ["tech"]
    assert result.evidence == {"tech": ["machine learning"]}


@pytest.mark.parametrize(
    "title",
    ["Open-source night", "Opensource night", "open  source night", "Pythons and snakes"],
)
def test_classify_event_matches_variants_of_a_keyword(title: str) -> None:
    assert classify(title=title, taxonomy=small_taxonomy()).sectors == ["tech"]


@pytest.mark.parametrize(
    ("title", "sectors"),
    [
        ("PythonLeeds", ["tech"]),
        ("OpenSourceDay", ["tech"]),
        ("ReactJS Heroes", ["tech"]),
        ("BookTok Night", ["books"]),
        ("Pythonesque evening", []),  # a word that only starts with a keyword
        ("Rebooked", []),  # a keyword inside a lower-case word
        ("ThinkIT Summit", []),  # acronyms match whole words only
    ],
)
def test_a_keyword_glued_into_a_camel_case_name_still_counts(
    title: str, sectors: list[str]
) -> None:
    """Conference and group names glue their words ("KotlinLeeds", "DevNexus", "SQLBits"): a
    capital after a small letter, or before a capital and a small letter, starts a word."""
    assert classify(title=title, taxonomy=small_taxonomy(), model=None).sectors == sectors


@pytest.mark.parametrize("title", ["ReactConf", "ReactDays 2026", "React-Fest"])
def test_classify_event_matches_conference_names(title: str) -> None:
    assert classify(title=title, taxonomy=small_taxonomy()).sectors == ["tech"]


@pytest.mark.parametrize("title", ["Pythonista", "Bookkeeping", "Reactor tour", "Unteachable"])
def test_classify_event_matches_whole_words_only(title: str) -> None:
    assert classify(title=title, taxonomy=small_taxonomy()).sectors == []


def test_classify_event_ignores_case_and_accents() -> None:
    result = classify(title="SOIRÉE SÉCURITÉ et POÉSIE", taxonomy=small_taxonomy())

    assert result.sectors == ["books"]
    assert result.evidence["books"] == ["securite"]


def test_classify_event_acronym_is_case_sensitive() -> None:
    assert classify(title="IT drop-in", taxonomy=small_taxonomy()).sectors == ["books"]
    assert classify(title="Is it on?", taxonomy=small_taxonomy()).sectors == []


def test_classify_event_one_description_word_is_not_enough() -> None:
    # The keyword threshold alone: the learned model reads "Python" as a field word.
    result = classify(title="Monthly social", description="We will talk about Python.", model=None)

    assert result.sectors == []


def test_classify_event_description_with_three_words_is_enough() -> None:
    result = classify(
        title="Monthly social",
        description="Lightning talks on Python, Kubernetes and open source.",
    )

    assert result.sectors == ["technology"]


def test_classify_event_category_counts_like_title() -> None:
    assert classify(title="Monthly social", categories=["Poetry"]).sectors == [
        "writing-and-publishing"
    ]


def test_classify_event_organizer_needs_support() -> None:
    alone = classify(title="Monthly social", organizer="Python Users", taxonomy=small_taxonomy())
    helped = classify(
        title="Monthly social",
        organizer="Python Users",
        description="Bring your open source projects.",
        taxonomy=small_taxonomy(),
    )

    assert alone.sectors == []
    assert helped.sectors == ["tech"]


def test_classify_event_title_outweighs_description() -> None:
    result = classify(
        title="Poetry evening",
        description="Hosted with the help of Python volunteers and an open source printer.",
        taxonomy=small_taxonomy(),
    )

    assert result.sectors == ["books"]


def test_classify_event_source_default_is_kept() -> None:
    result = classify(title="Ancoats Quiz Night", defaults=["writing-and-publishing"])

    assert result.sectors == ["writing-and-publishing"]
    assert result.evidence == {"writing-and-publishing": [DEFAULT_EVIDENCE]}


def test_classify_event_default_with_own_evidence_ranks_first() -> None:
    result = classify(title="Poetry and Python", defaults=["writing-and-publishing"])

    assert result.sectors[0] == "writing-and-publishing"
    assert "technology" in result.sectors
    assert result.evidence["writing-and-publishing"] == ["poetry", DEFAULT_EVIDENCE]


def test_classify_event_own_evidence_beats_bare_default() -> None:
    result = classify(title="Kubernetes night", defaults=["writing-and-publishing"])

    assert result.sectors == ["technology", "writing-and-publishing"]


def test_classify_event_unknown_default_is_dropped() -> None:
    result = classify(title="Quiz", defaults=["not-a-sector", "healthcare", "healthcare"])

    assert result.sectors == ["healthcare"]
    assert result.evidence == {"healthcare": [DEFAULT_EVIDENCE]}


def test_classify_event_empty_taxonomy_assigns_nothing() -> None:
    result = classify(title="Python and poetry", defaults=["technology"], taxonomy=Taxonomy([]))

    assert result == Classification()


def test_classify_event_reads_only_the_start_of_a_long_description() -> None:
    padding = "Lorem ipsum dolor sit amet. " * (MAX_CHARS["description"] // 10)

    result = classify(title="Social", description=padding + "Python Kubernetes Docker Rust")

    assert result.sectors == []


def _raising_categories() -> Iterator[str]:
    yield "Python"
    raise RuntimeError("broken feed")


def _garbage(size: int) -> str:
    rng = random.Random(size)
    alphabet = string.printable + "éüß€🙂\x00\x1b\u202e"
    return "".join(rng.choice(alphabet) for _ in range(size))


GARBAGE: list[dict[str, object]] = [
    {"title": ""},
    {"title": None},
    {"title": 42, "description": 3.5, "organizer": object(), "categories": 7, "defaults": 9},
    {"title": "\x00" * 1_000},
    {"title": "🙂" * 10_000},
    {"title": "\ud800 broken surrogate"},
    {"title": _garbage(100_000), "description": _garbage(200_000), "organizer": _garbage(5_000)},
    {"title": "x", "categories": [None, 3, "", "Python"] * 1_000},
    {"title": "x", "categories": _raising_categories()},
    {"title": "x", "categories": "Poetry", "defaults": "healthcare"},
    {"title": "&lt;script&gt;alert(1)&lt;/script&gt; &#x0;&#99999999;"},
]


@pytest.mark.parametrize("kwargs", GARBAGE, ids=range(len(GARBAGE)))
def test_classify_event_garbage_never_raises(kwargs: dict[str, object]) -> None:
    result = classify(**kwargs)  # type: ignore[arg-type]

    assert isinstance(result, Classification)
    assert set(result.sectors) <= set(get_taxonomy().slugs)
    assert list(result.evidence) == result.sectors


def read_labelled() -> list[dict[str, str]]:
    with LABELLED.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_read_labelled_titles_are_real_and_valid(taxonomy: Taxonomy) -> None:
    rows = read_labelled()

    assert len(rows) >= 120
    assert len({row["title"] for row in rows}) == len(rows)
    for row in rows:
        expected = [slug for slug in row["expected_sectors"].split(";") if slug]
        assert set(expected) <= set(taxonomy.slugs), row["title"]
        assert row["source"].split("/")[0] in {"ics", "html", "confs-tech"}, row["title"]


def test_classify_labelled_titles_agree_with_people(taxonomy: Taxonomy) -> None:
    rows = read_labelled()
    disagreements = []
    for row in rows:
        expected = {slug for slug in row["expected_sectors"].split(";") if slug}
        result = classify(title=row["title"], taxonomy=taxonomy)
        agrees = result.primary in expected if expected else not result.sectors
        if not agrees:
            disagreements.append((row["title"], sorted(expected), result.sectors))
    agreement = 1 - len(disagreements) / len(rows)

    print(
        f"\nlabelled-set agreement: {len(rows) - len(disagreements)}/{len(rows)} = {agreement:.3f}"
    )
    assert agreement >= AGREEMENT_REQUIRED, disagreements


def test_remembered_matches_are_the_scanned_ones() -> None:
    """``matches`` remembers each text: the same terms as a fresh scan, and a fresh list."""
    taxonomy = load_taxonomy()
    texts = [
        "Machine learning for healthcare",
        "Fintech & Banking Summit",
        "Nursing career fair",
        "",
    ]
    for text in texts * 2:
        found = taxonomy.matches(text)
        assert found == load_taxonomy().matches(text)
        found.clear()  # a caller changing its list must not change the next answer
    assert taxonomy.matches(texts[0]) == load_taxonomy().matches(texts[0])


def test_names_are_read_glued_and_prose_is_not() -> None:
    """A title glues a conference's words ("KotlinLeeds"); a description's brand names
    ("BlackRock", "eBooks") are not read as words, and the two readings are kept apart."""
    taxonomy = load_taxonomy()
    assert [term.term for term in taxonomy.matches("KotlinLeeds", glued=True)] == ["kotlin"]
    assert taxonomy.matches("KotlinLeeds") == []
    assert [term.term for term in taxonomy.matches("KotlinLeeds", glued=True)] == ["kotlin"]
    assert classify(title="KotlinLeeds", taxonomy=taxonomy, model=None).sectors == ["technology"]
    assert (
        classify(
            title="Drop-in help", description="Borrow our eBooks", taxonomy=taxonomy, model=None
        ).sectors
        == []
    )
