"""The crawl's schedule: when each source is next due, and the lease of the scheduler crawling it.

Revision ID: 0012_crawl_schedule
Revises: 0011
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from service.store.tables import UTCDateTime

revision: str = "0012_crawl_schedule"
down_revision: str | Sequence[str] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "crawl_schedule",
        sa.Column("source", sa.String(128), primary_key=True),
        sa.Column("next_due", UTCDateTime),
        sa.Column("advised_seconds", sa.Integer),
        sa.Column("holder", sa.String(128)),
        sa.Column("lease_until", UTCDateTime),
    )


def downgrade() -> None:
    op.drop_table("crawl_schedule")
