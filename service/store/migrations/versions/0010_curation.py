"""The operator's curation: corrections of crawled events, events held for approval,
calendars visitors suggested.

Corrections live apart from ``events`` so that a recrawl, which rewrites an
event's row, cannot undo them; held events live apart so that no read of
``events`` (search, feeds, digest, pages) can show them.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from service.store.tables import UTCDateTime

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "corrections",
        sa.Column("event_id", sa.String(64), primary_key=True),
        sa.Column("source", sa.String(128), nullable=False),
        sa.Column("kind", sa.String(32)),
        sa.Column("sectors", sa.JSON),
        sa.Column("hidden", sa.Boolean, nullable=False, server_default="0"),
        sa.Column("approved", sa.Boolean, nullable=False, server_default="0"),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("description", sa.Text),
        sa.Column("updated", UTCDateTime, nullable=False),
    )
    op.create_index("ix_corrections_source", "corrections", ["source"])
    op.create_table(
        "held_events",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("source", sa.String(128), nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("start", UTCDateTime, nullable=False),
        sa.Column("record", sa.JSON, nullable=False),
        sa.Column("held", UTCDateTime, nullable=False),
    )
    op.create_index("ix_held_events_source_start", "held_events", ["source", "start"])
    op.create_table(
        "suggestions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("note", sa.Text),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created", UTCDateTime, nullable=False),
        sa.Column("decided", UTCDateTime),
    )
    op.create_index("ix_suggestions_status_created", "suggestions", ["status", "created"])


def downgrade() -> None:
    op.drop_index("ix_suggestions_status_created", table_name="suggestions")
    op.drop_table("suggestions")
    op.drop_index("ix_held_events_source_start", table_name="held_events")
    op.drop_table("held_events")
    op.drop_index("ix_corrections_source", table_name="corrections")
    op.drop_table("corrections")
