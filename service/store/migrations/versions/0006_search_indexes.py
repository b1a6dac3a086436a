"""Indexes for date-ordered search pages; merges the 0004 and 0005 branches.

A page of upcoming events walks events in (start, id) order and keeps those
still running (``end`` at or after the moment asked for). With ``end`` in the
index, SQLite answers that from the index alone and stops after a page,
instead of sorting every upcoming event; the kind-first index does the same
for a search by kind.

Revision ID: 0006
Revises: 0004, 0005
Create Date: 2026-11-27
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = ("0004", "0005")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_events_start_id_end", "events", ["start", "id", "end"])
    op.create_index("ix_events_kind_start_id_end", "events", ["kind", "start", "id", "end"])


def downgrade() -> None:
    op.drop_index("ix_events_kind_start_id_end", table_name="events")
    op.drop_index("ix_events_start_id_end", table_name="events")
