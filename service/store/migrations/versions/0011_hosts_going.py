"""Hosts merged across sources, the hosts digest subscribers follow, "I'm going" lists.

Each event keeps the organizer's website as its source gives it
(``organizer_url``) and the host it was merged into (``host``, a slug);
``hosts`` holds one record per host. ``going_lists`` and ``going_marks``
are private to whoever holds a list's token.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from service.store.tables import UTCDateTime

revision: str = "0011"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("events", sa.Column("organizer_url", sa.Text))
    op.add_column("events", sa.Column("host", sa.String(80)))
    op.create_index("ix_events_host_start", "events", ["host", "start"])
    op.create_table(
        "hosts",
        sa.Column("slug", sa.String(80), primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("website", sa.Text),
        sa.Column("site_key", sa.String(255)),
        sa.Column("name_key", sa.String(255), nullable=False),
        sa.Column("first_seen", UTCDateTime, nullable=False),
        sa.Column("updated", UTCDateTime, nullable=False),
    )
    op.create_index("ix_hosts_site_key", "hosts", ["site_key"])
    op.create_index("ix_hosts_name_key", "hosts", ["name_key"])
    op.create_table(
        "host_follows",
        sa.Column("subscription_id", sa.Integer, primary_key=True),
        sa.Column("host", sa.String(80), primary_key=True),
        sa.Column("created", UTCDateTime, nullable=False),
    )
    op.create_table(
        "going_lists",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("token", sa.String(64), nullable=False, unique=True),
        sa.Column("subscription_id", sa.Integer, unique=True),
        sa.Column("created", UTCDateTime, nullable=False),
    )
    op.create_table(
        "going_marks",
        sa.Column("list_id", sa.Integer, primary_key=True),
        sa.Column("event_id", sa.String(64), primary_key=True),
        sa.Column("marked", UTCDateTime, nullable=False),
    )
    op.create_index("ix_going_marks_event", "going_marks", ["event_id"])


def downgrade() -> None:
    op.drop_index("ix_going_marks_event", "going_marks")
    op.drop_table("going_marks")
    op.drop_table("going_lists")
    op.drop_table("host_follows")
    op.drop_index("ix_hosts_name_key", "hosts")
    op.drop_index("ix_hosts_site_key", "hosts")
    op.drop_table("hosts")
    op.drop_index("ix_events_host_start", "events")
    with op.batch_alter_table("events") as batch:
        batch.drop_column("host")
        batch.drop_column("organizer_url")
