"""Event provenance: every source, details, sector evidence, snapshot counter.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("events") as batch:
        batch.add_column(sa.Column("performer", sa.Text))
        batch.add_column(sa.Column("sources", sa.JSON, nullable=False, server_default="[]"))
        batch.add_column(sa.Column("details", sa.JSON, nullable=False, server_default="{}"))
        batch.add_column(sa.Column("sector_evidence", sa.JSON, nullable=False, server_default="{}"))
        batch.add_column(sa.Column("kind_reason", sa.Text))
        batch.add_column(
            sa.Column("missing_snapshots", sa.Integer, nullable=False, server_default="0")
        )


def downgrade() -> None:
    with op.batch_alter_table("events") as batch:
        for name in (
            "missing_snapshots",
            "kind_reason",
            "sector_evidence",
            "details",
            "sources",
            "performer",
        ):
            batch.drop_column(name)
