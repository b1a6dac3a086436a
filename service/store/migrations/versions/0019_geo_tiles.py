"""Each located event keeps its tile of cells, and the index by start is by tile, not row.

A search near a place that reads a window of start time at a time sought
each row of cells (a band of latitude round the globe, migration 0016) to
the window, and walked every event of the band in it: in a dense city about
seven for each one inside the box, most of a search by score once its page
was full. A tile is a few kilometres of one row (:mod:`service.places.cells`);
seeking each tile of the box walks about the box's own events.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from service.places.cells import LON_STEPS as ROW_STEPS
from service.places.cells import TILE_STEPS
from service.store import changes

revision: str = "0019"
down_revision: str | Sequence[str] | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXED = [
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
"""What ranking reads, after the key the index is sought by (as migration 0016's index)."""


def _columns(first: str) -> list[str]:
    columns = [first, *INDEXED]
    if op.get_bind().dialect.name != "sqlite":
        columns.remove("sectors")  # JSON stays outside btree indexes there
    return columns


def _drop_column(name: str) -> None:
    """Drop a column of ``events``, and make the triggers that count its changes again from
    the columns left (SQLite refuses to drop a column a trigger names)."""
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        bind.exec_driver_sql(f'DROP TRIGGER IF EXISTS "{changes.TRIGGER}_events_update"')
    op.drop_column("events", name)
    changes.track(bind, "events")


def upgrade() -> None:
    op.add_column("events", sa.Column("geo_tile", sa.BigInteger))
    op.execute(f"UPDATE events SET geo_tile = geo_cell / {TILE_STEPS} WHERE geo_cell IS NOT NULL")
    op.create_index("ix_events_geo_tile_start", "events", _columns("geo_tile"))
    op.drop_index("ix_events_geo_row_start", table_name="events")
    _drop_column("geo_row")


def downgrade() -> None:
    op.add_column("events", sa.Column("geo_row", sa.Integer))
    op.execute(f"UPDATE events SET geo_row = geo_cell / {ROW_STEPS} WHERE geo_cell IS NOT NULL")
    op.create_index("ix_events_geo_row_start", "events", _columns("geo_row"))
    op.drop_index("ix_events_geo_tile_start", table_name="events")
    _drop_column("geo_tile")
