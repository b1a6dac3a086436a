"""Create the events table.

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from service.store.tables import UTCDateTime

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "events",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("sectors", sa.JSON, nullable=False),
        sa.Column("categories", sa.JSON, nullable=False),
        sa.Column("start", UTCDateTime, nullable=False),
        sa.Column("end", UTCDateTime, nullable=False),
        sa.Column("timezone", sa.String(64)),
        sa.Column("all_day", sa.Boolean, nullable=False),
        sa.Column("attendance", sa.String(16), nullable=False),
        sa.Column("venue_name", sa.Text),
        sa.Column("venue_address", sa.Text),
        sa.Column("city", sa.Text),
        sa.Column("region", sa.Text),
        sa.Column("country", sa.Text),
        sa.Column("lat", sa.Float),
        sa.Column("lon", sa.Float),
        sa.Column("url", sa.Text),
        sa.Column("organizer", sa.Text),
        sa.Column("description", sa.Text),
        sa.Column("price", sa.Float),
        sa.Column("currency", sa.String(8)),
        sa.Column("is_free", sa.Boolean),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("source", sa.String(128), nullable=False),
        sa.Column("source_url", sa.Text),
        sa.Column("first_seen", UTCDateTime, nullable=False),
        sa.Column("last_seen", UTCDateTime, nullable=False),
        sa.Column("updated", UTCDateTime, nullable=False),
        sa.Column("sequence", sa.Integer, nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("schedule_hash", sa.String(64), nullable=False),
    )
    op.create_index("ix_events_start", "events", ["start"])
    op.create_index("ix_events_end", "events", ["end"])
    op.create_index("ix_events_source", "events", ["source"])
    op.create_index("ix_events_kind_start", "events", ["kind", "start"])


def downgrade() -> None:
    op.drop_table("events")
