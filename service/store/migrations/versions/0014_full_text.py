"""Full-text search over events: FTS5 on SQLite, a weighted ``tsvector`` on PostgreSQL.

A text search was a LIKE per word over five columns: every candidate row
read and scanned, no stemming ("nurses" missed "Nursing"), no accents
folded ("cafe" missed "Café"). Now the words are looked up in an index.

SQLite: ``events_fts``, an FTS5 table over the events table's own text
(external content: the index only, keyed by the events' rowid), with the
Porter stemmer over ``unicode61`` folding diacritics. Triggers on insert,
update and delete keep it in step (an update only when an indexed column
changed, so a recrawl that changes nothing costs nothing here); existing
events are indexed by FTS5's ``rebuild``.

PostgreSQL: ``events.search_vector``, a stored generated column (filled
for existing rows as it is added), title weighted A, description B, who
and where C, under the text search configuration ``meetscout_english``:
English stemming without stop words (so "IT" and "it" still find what
they say, as on SQLite) and, where the ``unaccent`` extension can be
created, accents folded. A GIN index reads it. The description is cut to
its first 100,000 characters there: a ``tsvector`` holds at most 1 MB.

The downgrade drops all of it (the ``unaccent`` extension stays: it is
not the store's alone).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-05
"""

import logging
from collections.abc import Sequence

from alembic import op
from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError

revision: str = "0014"
down_revision: str | Sequence[str] | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

log = logging.getLogger(__name__)

COLUMNS = ("title", "description", "organizer", "performer", "venue_name", "city")
SQLITE_TABLE = "events_fts"
SQLITE_TRIGGERS = ("events_fts_insert", "events_fts_delete", "events_fts_update")
PG_COLUMN = "search_vector"
PG_INDEX = "ix_events_search_vector"
PG_CONFIGURATION = "meetscout_english"
PG_STEMMER = "meetscout_english_stem"
PG_DESCRIPTION_CHARS = 100_000


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        _upgrade_sqlite(bind)
    elif bind.dialect.name == "postgresql":
        _upgrade_postgresql(bind)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for trigger in SQLITE_TRIGGERS:
            bind.exec_driver_sql(f"DROP TRIGGER IF EXISTS {trigger}")
        bind.exec_driver_sql(f"DROP TABLE IF EXISTS {SQLITE_TABLE}")
    elif bind.dialect.name == "postgresql":
        bind.exec_driver_sql(f"DROP INDEX IF EXISTS {PG_INDEX}")
        bind.exec_driver_sql(f"ALTER TABLE events DROP COLUMN IF EXISTS {PG_COLUMN}")
        bind.exec_driver_sql(f"DROP TEXT SEARCH CONFIGURATION IF EXISTS {PG_CONFIGURATION}")
        bind.exec_driver_sql(f"DROP TEXT SEARCH DICTIONARY IF EXISTS {PG_STEMMER}")


def _upgrade_sqlite(bind: Connection) -> None:
    columns = ", ".join(COLUMNS)
    new = ", ".join(f"new.{column}" for column in COLUMNS)
    old = ", ".join(f"old.{column}" for column in COLUMNS)
    changed = " OR ".join(f"old.{column} IS NOT new.{column}" for column in COLUMNS)
    bind.exec_driver_sql(
        f"CREATE VIRTUAL TABLE {SQLITE_TABLE} USING fts5({columns}, "
        "content='events', content_rowid='rowid', "
        "tokenize='porter unicode61 remove_diacritics 2')"
    )
    insert_new = f"INSERT INTO {SQLITE_TABLE} (rowid, {columns}) VALUES (new.rowid, {new});"
    delete_old = (
        f"INSERT INTO {SQLITE_TABLE} ({SQLITE_TABLE}, rowid, {columns}) "
        f"VALUES ('delete', old.rowid, {old});"
    )
    insert_trigger, delete_trigger, update_trigger = SQLITE_TRIGGERS
    bind.exec_driver_sql(
        f"CREATE TRIGGER {insert_trigger} AFTER INSERT ON events BEGIN {insert_new} END"
    )
    bind.exec_driver_sql(
        f"CREATE TRIGGER {delete_trigger} AFTER DELETE ON events BEGIN {delete_old} END"
    )
    bind.exec_driver_sql(
        f"CREATE TRIGGER {update_trigger} AFTER UPDATE ON events WHEN {changed} "
        f"BEGIN {delete_old} {insert_new} END"
    )
    bind.exec_driver_sql(f"INSERT INTO {SQLITE_TABLE} ({SQLITE_TABLE}) VALUES ('rebuild')")


def _upgrade_postgresql(bind: Connection) -> None:
    bind.exec_driver_sql(
        f"CREATE TEXT SEARCH DICTIONARY {PG_STEMMER} (TEMPLATE = snowball, Language = english)"
    )
    bind.exec_driver_sql(f"CREATE TEXT SEARCH CONFIGURATION {PG_CONFIGURATION} (COPY = english)")
    words = "asciiword, asciihword, hword_asciipart, word, hword, hword_part"
    bind.exec_driver_sql(
        f"ALTER TEXT SEARCH CONFIGURATION {PG_CONFIGURATION} ALTER MAPPING FOR {words} "
        f"WITH {PG_STEMMER}"
    )
    try:
        with bind.begin_nested():
            bind.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS unaccent")
            bind.exec_driver_sql(
                f"ALTER TEXT SEARCH CONFIGURATION {PG_CONFIGURATION} "
                f"ALTER MAPPING FOR word, hword, hword_part WITH unaccent, {PG_STEMMER}"
            )
    except DBAPIError as exc:
        log.warning("full-text search keeps accents: no unaccent extension here (%s)", exc)
    config = f"'{PG_CONFIGURATION}'::regconfig"

    def vector(text: str, weight: str) -> str:
        return f"setweight(to_tsvector({config}, {text}), '{weight}')"

    who_and_where = " || ' ' || ".join(
        f"coalesce({column}, '')" for column in ("organizer", "performer", "venue_name", "city")
    )
    description = f"left(coalesce(description, ''), {PG_DESCRIPTION_CHARS})"
    expression = " || ".join(
        (
            vector("coalesce(title, '')", "A"),
            vector(description, "B"),
            vector(who_and_where, "C"),
        )
    )
    bind.exec_driver_sql(
        f"ALTER TABLE events ADD COLUMN {PG_COLUMN} tsvector "
        f"GENERATED ALWAYS AS ({expression}) STORED"
    )
    bind.exec_driver_sql(f"CREATE INDEX {PG_INDEX} ON events USING gin ({PG_COLUMN})")
