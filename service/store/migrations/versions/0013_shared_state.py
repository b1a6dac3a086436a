"""State that several processes share through the store: a change counter, rate limits.

``store_generation`` holds one counter. On PostgreSQL a statement trigger on
every table of the store bumps it in the writing transaction, so a reader
that sees the counter unchanged knows nothing committed since (SQLite
answers the same question from ``PRAGMA data_version`` and leaves the
counter alone). ``rate_limits`` keeps a token bucket per limited action and
client, so that a limit holds across every worker and machine serving the
same store.

Revision ID: 0013
Revises: 0012_crawl_schedule
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from service.store import changes

revision: str = "0013"
down_revision: str | Sequence[str] | None = "0012_crawl_schedule"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "store_generation",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("generation", sa.BigInteger, nullable=False),
    )
    op.execute("INSERT INTO store_generation (id, generation) VALUES (1, 0)")
    op.create_table(
        "rate_limits",
        sa.Column("action", sa.String(32), primary_key=True),
        sa.Column("client", sa.String(128), primary_key=True),
        sa.Column("tokens", sa.Float, nullable=False),
        sa.Column("stamp", sa.Float, nullable=False),
        sa.Column("allowed", sa.Boolean, nullable=False),
    )
    op.create_index("ix_rate_limits_action_stamp", "rate_limits", ["action", "stamp"])
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        changes.install(bind)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        changes.uninstall(bind)
    op.drop_index("ix_rate_limits_action_stamp", table_name="rate_limits")
    op.drop_table("rate_limits")
    op.drop_table("store_generation")
