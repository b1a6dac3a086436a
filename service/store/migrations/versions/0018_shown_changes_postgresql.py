"""On PostgreSQL too, a count of only the changes a reader can be shown.

Migration 0017 left PostgreSQL's counter as it was: one row that every
writing statement bumps, which kept search totals and feed plans followed
too, so every crawl emptied them even when it found nothing new. That row
stays as it is (whole events and the kill campaigns follow it); a second
row, ``store_generation`` id 2, is bumped once per transaction by row
triggers on the changes a reader can be shown (:mod:`service.store.changes`
says why row triggers), and ``PostgresWatch.both`` reads both rows and the
schema's tables (a column added, a table dropped) in one round trip.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06
"""

from collections.abc import Sequence

from alembic import op

from service.store import changes

revision: str = "0018"
down_revision: str | Sequence[str] | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        changes.install_shown(bind)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        changes.uninstall_shown(bind)
