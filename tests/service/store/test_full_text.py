"""A text search reads the full-text index (migration 0014): stems, prefixes, folded accents,
every word, and a person's words never read as the index's query syntax."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from service.model import Venue
from service.store import CurationStore, EventQuery, EventStore
from tests.factories import NOW, make_event, python_meetup
from tests.support.databases import ONLY_SQLITE


def titles(store: EventStore, q: str) -> list[str]:
    return sorted(event.title for event in store.search(query=EventQuery(q=q)))


@pytest.fixture
def stocked(store: EventStore) -> EventStore:
    store.upsert_many(
        [
            make_event(1, title="Nursing careers evening", description="Meet ward managers"),
            make_event(2, title="Café des langues", description="Practise French over coffee"),
            make_event(3, title="Rust and WebAssembly night", organizer="Ferris Club"),
            make_event(4, title="Data science meetup", venue=Venue(name="Old Library")),
            make_event(5, title="Book signing", performer="Zadie Smith"),
        ],
        now=NOW,
    )
    return store


def test_search_finds_other_forms_of_a_word(stocked: EventStore) -> None:
    assert titles(stocked, "nurses") == ["Nursing careers evening"]
    assert titles(stocked, "career") == ["Nursing careers evening"]


def test_search_reads_the_last_word_as_a_prefix(stocked: EventStore) -> None:
    assert titles(stocked, "nurs") == ["Nursing careers evening"]
    assert titles(stocked, "webass") == ["Rust and WebAssembly night"]
    assert titles(stocked, "meetup scien") == ["Data science meetup"]


@pytest.fixture
def fields(store: EventStore) -> EventStore:
    store.upsert_many(
        [
            make_event(1, title="Community garden day"),
            make_event(2, title="Meet the communities of practice"),
            make_event(3, title="University open evening"),
            make_event(4, title="Engineering careers fair"),
            make_event(5, title="Networking breakfast"),
            make_event(6, title="Art walk"),
            make_event(7, title="Artificial intelligence reading group"),
            make_event(8, title="Healing circle"),
            make_event(9, title="Health tech meetup"),
        ],
        now=NOW,
    )
    return store


COMMUNITY = ["Community garden day", "Meet the communities of practice"]
PAST_THE_STEM = {
    "communit": COMMUNITY,
    "Communiti": COMMUNITY,
    "universit": ["University open evening"],
    "universiti": ["University open evening"],
    "engineeri": ["Engineering careers fair"],
    "engineerin": ["Engineering careers fair"],
    "enginee": ["Engineering careers fair"],
    "networki": ["Networking breakfast"],
    "networkin": ["Networking breakfast"],
    "breakfast networki": ["Networking breakfast"],
    "open universit": ["University open evening"],
    "heali": ["Healing circle"],
}


@pytest.mark.parametrize(("q", "expected"), PAST_THE_STEM.items(), ids=list(PAST_THE_STEM))
def test_search_finds_a_prefix_typed_past_the_stem(
    fields: EventStore, q: str, expected: list[str]
) -> None:
    """The index holds "univers" for "University": "universit" is the start of no stem, but
    the start of the word."""
    assert titles(fields, q) == expected
    assert fields.count(query=EventQuery(q=q)) == len(expected)


UNCHANGED = {
    "net": ["Networking breakfast"],
    "commun": COMMUNITY,
    "community": COMMUNITY,
    "universities": ["University open evening"],
    "engineering careers": ["Engineering careers fair"],
    "arti": ["Artificial intelligence reading group"],
    "art": ["Art walk", "Artificial intelligence reading group"],
    "health": ["Health tech meetup"],
    "universit.": [],
    "garden universit": [],
}


@pytest.mark.parametrize(("q", "expected"), UNCHANGED.items(), ids=list(UNCHANGED))
def test_search_finishes_only_words_cut_inside_an_ending(
    fields: EventStore, q: str, expected: list[str]
) -> None:
    """Whole words and short starts find what they found before: nothing is finished from
    fewer than four letters ("arti" is not "art" + "ing"), or from a word that ends otherwise."""
    assert titles(fields, q) == expected


def test_search_reads_only_the_last_word_as_a_prefix(stocked: EventStore) -> None:
    assert titles(stocked, "scien meetup") == []
    assert titles(stocked, "nurs evening") == []


def test_search_folds_accents(stocked: EventStore) -> None:
    assert titles(stocked, "cafe") == ["Café des langues"]
    assert titles(stocked, "CAFÉ") == ["Café des langues"]


def test_search_needs_every_word(stocked: EventStore) -> None:
    assert titles(stocked, "rust night") == ["Rust and WebAssembly night"]
    assert titles(stocked, "rust coffee") == []


def test_search_reads_description_organizer_performer_and_venue(stocked: EventStore) -> None:
    assert titles(stocked, "managers") == ["Nursing careers evening"]
    assert titles(stocked, "ferris") == ["Rust and WebAssembly night"]
    assert titles(stocked, "zadie smith") == ["Book signing"]
    assert titles(stocked, "library") == ["Data science meetup"]


RUST = ["Rust and WebAssembly night"]
HOSTILE = {
    '"': [],
    '"unbalanced': [],
    'rust"': RUST,
    "rust AND": RUST,
    "NOT rust": [],
    "NEAR(rust night)": [],
    "rust NEAR/2 night": [],
    "title:rust": [],
    "{title description}: rust": [],
    "*": [],
    "rust*": RUST,
    "-rust": RUST,
    "(rust": RUST,
    "rust)": RUST,
    "^rust": RUST,
    "rust & | ! <->": RUST,
    "rust:*": RUST,
    "'it''s'": [],
    "\\": [],
    "a\x00b": [],
    "+ - * / %": [],
    "\u202egnp": [],
}


@pytest.mark.parametrize(("q", "expected"), HOSTILE.items(), ids=map(repr, HOSTILE))
def test_search_reads_query_syntax_as_plain_words(
    stocked: EventStore, q: str, expected: list[str]
) -> None:
    assert titles(stocked, q) == expected
    assert stocked.count(query=EventQuery(q=q)) == len(expected)


@pytest.mark.parametrize("q", ["AND", "OR", "NEAR", "title"])
def test_search_finds_operator_words_as_words(store: EventStore, q: str) -> None:
    store.upsert_many([make_event(1, title="Rock AND roll OR near title"), make_event(2)], now=NOW)

    assert titles(store, q) == ["Rock AND roll OR near title"]


def test_search_of_words_without_letters_finds_nothing(stocked: EventStore) -> None:
    assert titles(stocked, "!!! ???") == []
    assert stocked.count(query=EventQuery(q="* -")) == 0


def test_search_finds_a_recrawled_event_by_its_new_title_only(store: EventStore) -> None:
    store.upsert_many([python_meetup(1, title="Kotlin breakfast")], now=NOW)
    store.upsert_many([python_meetup(1, title="Haskell brunch")], now=NOW)

    assert titles(store, "haskell") == ["Haskell brunch"]
    assert titles(store, "kotlin") == []
    assert titles(store, "breakfast") == []


def test_search_finds_an_unchanged_recrawled_event(store: EventStore) -> None:
    store.upsert_many([python_meetup(1), python_meetup(2)], now=NOW)
    store.upsert_many([python_meetup(1), python_meetup(2)], now=NOW)

    assert titles(store, "python") == ["Python meetup 1", "Python meetup 2"]


def test_search_forgets_a_deleted_event(store: EventStore) -> None:
    store.upsert_many([python_meetup(1), python_meetup(2)], now=NOW)

    CurationStore(store.engine).hide(event_id=python_meetup(1).id, now=NOW)

    assert titles(store, "python") == ["Python meetup 2"]
    assert titles(store, "meetup 1") == []


INTEGRITY_CHECK = "INSERT INTO events_fts (events_fts, rank) VALUES ('integrity-check', 1)"


@ONLY_SQLITE
def test_sqlite_full_text_index_holds_exactly_the_stored_text(store: EventStore) -> None:
    """FTS5's own check: every row's text indexed as it is now, nothing left of older text."""
    store.upsert_many([python_meetup(n) for n in range(1, 5)], now=NOW)
    store.upsert_many(
        [python_meetup(1, title="Renamed"), python_meetup(2, description="Now described")],
        now=NOW,
    )
    CurationStore(store.engine).hide(event_id=python_meetup(3).id, now=NOW)

    with store.engine.begin() as conn:
        conn.execute(text(INTEGRITY_CHECK))
        indexed = conn.execute(text("SELECT count(*) FROM events_fts_docsize")).scalar_one()

    assert indexed == 3
