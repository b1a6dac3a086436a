"""The words of a text search, looked up in the full-text index of each database.

Migration 0014 builds the index: on SQLite the FTS5 table ``events_fts``
(Porter stemming, diacritics folded) kept in step with ``events`` by
triggers; on PostgreSQL the generated ``tsvector`` column
``events.search_vector`` under the ``meetscout_english`` configuration,
with a GIN index. The FTS5 table knows events by their rowid: SQLite
keeps rowids through ``VACUUM`` in practice but does not promise it for a
table keyed by text, so after one that renumbered rows,
``INSERT INTO events_fts (events_fts) VALUES ('rebuild')`` indexes them
again. Every word must match (stemmed: "nurses" finds
"Nursing"); the last also matches as the start of a word ("nurs" finds
"nursing"), since a search box is often read before its last word is
finished, unless it ends in something other than a letter or digit ("50%"
is finished, and does not find "500").

A prefix meets the stemmed words of the index, and a word cut after its
stem is not the start of any of them: "community" is held as "commun"
(on PostgreSQL "communiti"), "university" as "univers", "engineering" as
"engin", so "universit*" or "engineeri*" finds nothing. The last word
therefore also matches the whole words it may be the start of, when it
stops inside a common English ending (:func:`completions`: "universit"
may be "university", "engineeri" "engineering"), each stemmed by the
database as it stems its text, since the two stem differently.

A person's words are never read as the index's query syntax: each one is
quoted (operators, column names, ``*``, ``-``, brackets and quotes are
then plain text, split into words as the index splits what it holds), so
any ``q`` gives results or none, never an error. A word with no letter or
digit in it matches nothing that the tokenizers would keep, and is left
out; a ``q`` made only of such words matches no event.

The statement names neither database: :class:`matches` compiles to each
one's own SQL, and :class:`SearchWords` turns the words into each one's
query text when they are bound.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Boolean, ColumnElement, Dialect, Text, TypeDecorator, bindparam
from sqlalchemy.exc import CompileError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

SQLITE_TABLE = "events_fts"
"""The FTS5 table of migration 0014 (and its shadow tables, whose names start with it)."""
PG_COLUMN = "search_vector"
PG_INDEX = "ix_events_search_vector"
PG_CONFIGURATION = "meetscout_english"
MAX_WORDS = 10
"""Words of a text search that filter; more are ignored."""


def words_of(q: str | None) -> tuple[str, ...]:
    """The words of ``q`` that can match: at most :data:`MAX_WORDS`, each with a letter or a
    digit. Empty when ``q`` is empty."""
    if not q:
        return ()
    # NUL ends a string in FTS5's query parser (and PostgreSQL's text cannot hold it).
    words = q.replace("\x00", " ").split()
    return tuple(word for word in words if any(ch.isalnum() for ch in word))[:MAX_WORDS]


ENDINGS = (
    "ing", "ity", "ies", "ive", "ion", "ation", "al", "ally", "ance", "ence", "able", "ible",
    "ility", "ize", "ous", "ator", "ment", "ness", "ful", "eer",
)  # fmt: skip
"""English endings that the stemmers of both databases cut off, to finish a word typed up to
inside one of them."""
ONE_LETTER_STARTS = frozenset("ia")
"""The only first letters of an ending that a word may stop after. Other letters ("e", "l", "n",
"o", "f", "m") are often the last of a whole word: over the prefixes of the words of the
bundled recording, finishing them ("-ed", "-ly", "-ness", "-ous", "-ful", "-ment") made two
prefixes find an unrelated stem for each one it helped, against one for three with "i" and
one for seven with "a"."""
SHORTEST_STEM = 4
"""Letters a word keeps before the ending it is finished with. With three, "arti" would also be
"arting", stemmed "art"; over the recording's words, more prefixes then found an unrelated
stem than were helped."""


def _is_prefix(word: str) -> bool:
    return word[-1].isalnum()


def completions(word: str) -> tuple[str, ...]:
    """Whole words that ``word``, read as a prefix, may be the start of, when it stops inside
    one of :data:`ENDINGS`: "universit" gives "university", "engineeri" "engineering" (and
    guesses such as "engineerity" that no text holds). Empty for a word that is not all
    letters.

    The index holds stems, and a word cut after its stem meets none of them; its whole word
    stems back to what the index holds. Each database stems the guesses itself, so that they
    meet its own stems (Porter on SQLite, Snowball's English on PostgreSQL).
    """
    if not word.isalpha():
        return ()
    word = word.lower()
    found: dict[str, None] = {}
    for ending in ENDINGS:
        for cut in range(1, len(ending)):
            start = ending[:cut]
            if cut == 1 and start not in ONE_LETTER_STARTS:
                continue
            if word.endswith(start) and len(word) - cut >= SHORTEST_STEM:
                found.setdefault(word + ending[cut:], None)
    return tuple(found)


def fts5_expression(words: Sequence[str]) -> str:
    """An FTS5 MATCH expression: each word a quoted string, ANDed; the last one a prefix too
    (when it ends in a letter or digit), or one of its :func:`completions`.

    An empty expression (no words) is the empty string ``""``, which
    matches nothing. (FTS5 reads words side by side as ANDed, but not a
    word beside brackets: the ANDs are written out.)
    """
    if not words:
        return '""'

    def quote(word: str) -> str:
        return '"' + word.replace('"', '""') + '"'

    quoted = [quote(word) for word in words]
    if _is_prefix(words[-1]):
        last = [quoted[-1] + "*", *map(quote, completions(words[-1]))]
        quoted[-1] = "(" + " OR ".join(last) + ")" if len(last) > 1 else last[0]
    return " AND ".join(quoted)


def tsquery_text(words: Sequence[str]) -> str:
    """Input for PostgreSQL's ``to_tsquery``: each word quoted, ANDed, the last one ``:*``
    (when it ends in a letter or digit), or one of its :func:`completions`.

    Inside quotes, ``to_tsquery`` runs the same parser as the documents, so
    "e-mail" and "node.js" are split as they were when stored. An empty
    query matches nothing.
    """

    def quote(word: str) -> str:
        return "'" + word.replace("\\", "\\\\").replace("'", "''") + "'"

    quoted = [quote(word) for word in words]
    if quoted and _is_prefix(words[-1]):
        last = [quoted[-1] + ":*", *map(quote, completions(words[-1]))]
        quoted[-1] = "(" + " | ".join(last) + ")" if len(last) > 1 else last[0]
    return " & ".join(quoted)


class SearchWords(TypeDecorator[Sequence[str]]):
    """Words bound as the query text of the database they are sent to."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Sequence[str] | None, dialect: Dialect) -> Any:
        words = value or ()
        if dialect.name == "postgresql":
            return tsquery_text(words)
        return fts5_expression(words)


class matches(FunctionElement[bool]):
    """``matches(events.c.id, bindparam(..., type_=SearchWords()))``: the event's text holds
    every word bound. The first argument names the events table (any column of it)."""

    type = Boolean()
    inherit_cache = True
    name = "matches"


def _parts(element: matches, compiler: SQLCompiler, **kw: Any) -> tuple[str, str]:
    column, words = element.clauses.clauses
    table = compiler.preparer.format_table(column.table)
    return table, compiler.process(words, **kw)


@compiles(matches, "sqlite")
def _matches_sqlite(element: matches, compiler: SQLCompiler, **kw: Any) -> str:
    table, words = _parts(element, compiler, **kw)
    return f"{table}.rowid IN (SELECT rowid FROM {SQLITE_TABLE} WHERE {SQLITE_TABLE} MATCH {words})"


@compiles(matches, "postgresql")
def _matches_postgresql(element: matches, compiler: SQLCompiler, **kw: Any) -> str:
    table, words = _parts(element, compiler, **kw)
    return f"{table}.{PG_COLUMN} @@ to_tsquery('{PG_CONFIGURATION}'::regconfig, {words})"


@compiles(matches)
def _matches_elsewhere(element: matches, compiler: SQLCompiler, **kw: Any) -> str:
    raise CompileError(f"no full-text search on {compiler.dialect.name}")


def text_condition(column: ColumnElement[Any], name: str) -> ColumnElement[bool]:
    """The row of ``column``'s table holds every word bound to ``name`` (bind a sequence of
    :func:`words_of`)."""
    return matches(column, bindparam(name, type_=SearchWords()))


def is_declared(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    """Alembic's ``include_object``: leave out what migration 0014 adds beside the declared
    tables (the FTS5 tables, the generated column and its index), which no table declares."""
    if type_ == "table" and name is not None and name.startswith(SQLITE_TABLE):
        return False
    if type_ == "column" and name == PG_COLUMN:
        return False
    return not (type_ == "index" and name == PG_INDEX)
