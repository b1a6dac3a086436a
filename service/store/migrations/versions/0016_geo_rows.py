"""Each located event keeps its row of cells, and an index by row and start carries it.

A search near a place with many matches reads them a window of start time
at a time (:class:`service.store.nearby.StartWindows`). Through the cell
index, every window walks every cell of the box, however few events the
window holds: in a dense city most of a search's time. The row and start
index seeks each row of cells (about 11 km of latitude, see
:mod:`service.places.cells`) to the window instead, and carries what
ranking reads, so a window costs about what it holds.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from service.places.cells import LON_STEPS

revision: str = "0016"
down_revision: str | Sequence[str] | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXED = [
    "geo_row",
    "start",
    "end",
    "geo_cell",
    "kind",
    "attendance",
    "is_free",
    "status",
    "sectors",
    "lat",
    "lon",
    "series_key",
    "id",
]


def upgrade() -> None:
    op.add_column("events", sa.Column("geo_row", sa.Integer))
    op.execute(f"UPDATE events SET geo_row = geo_cell / {LON_STEPS} WHERE geo_cell IS NOT NULL")
    columns = list(INDEXED)
    if op.get_bind().dialect.name != "sqlite":
        columns.remove("sectors")  # JSON stays outside btree indexes there
    op.create_index("ix_events_geo_row_start", "events", columns)


def downgrade() -> None:
    op.drop_index("ix_events_geo_row_start", table_name="events")
    op.drop_column("events", "geo_row")
