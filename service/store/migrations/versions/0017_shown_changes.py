"""On SQLite, the change counter counts only what a reader can be shown.

Kept search totals and feed plans were dropped at every commit to the file
(``PRAGMA data_version``), and a crawl commits several times a minute even
when every event it finds is unchanged: it writes each one as seen again,
and its health. Row triggers now bump ``store_generation`` on the changes
a reader can be shown (:mod:`service.store.changes`), and those caches
follow the counter; whole events, which show when they were last seen,
still follow ``data_version``. PostgreSQL's counter is unchanged.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06
"""

from collections.abc import Sequence

from alembic import op

from service.store import changes

revision: str = "0017"
down_revision: str | Sequence[str] | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        changes.install_sqlite(bind)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        changes.uninstall_sqlite(bind)
