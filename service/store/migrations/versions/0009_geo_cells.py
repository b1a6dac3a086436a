"""Grid cells in a btree index replace the R*Tree for radius search.

Each located event gets ``geo_cell`` (:mod:`service.places.cells`), and
an index on it carries every column ranking reads, as migration 0008's did
for ``geo_key``. A search reads a box as a few ranges of that index: the
events of a neighbourhood side by side, with no tree to walk and no join
per candidate: the densest search of the benchmark reads its candidates
three times as fast, and takes half the time in all. The
R*Tree, ``geo_key`` and their index go; the downgrade builds them again.
Databases other than SQLite keep JSON outside btree indexes, so there the
index leaves ``sectors`` out.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from service.places.cells import cell_of
from service.store import geo_rtree

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CHUNK = 5000
RANKED = ["end", "start", "kind", "attendance", "is_free", "status", "sectors", "lat", "lon", "id"]


def _ranked(key: str) -> list[str]:
    columns = [key, *RANKED]
    if op.get_bind().dialect.name != "sqlite":
        columns.remove("sectors")
    return columns


def _drop_column(name: str) -> None:
    """SQLite drops an unindexed column in place; a batch copy would rebuild every index."""
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        bind.exec_driver_sql(f"ALTER TABLE events DROP COLUMN {name}")
    else:
        op.drop_column("events", name)


def upgrade() -> None:
    bind = op.get_bind()
    op.add_column("events", sa.Column("geo_cell", sa.BigInteger))
    rows = bind.execute(
        sa.text("SELECT id, lat, lon FROM events WHERE lat IS NOT NULL AND lon IS NOT NULL")
    )
    while chunk := rows.fetchmany(CHUNK):
        bind.execute(
            sa.text("UPDATE events SET geo_cell = :cell WHERE id = :id"),
            [{"cell": cell_of(lat, lon), "id": event_id} for event_id, lat, lon in chunk],
        )
    op.drop_index("ix_events_geo_key_rank", table_name="events")
    if bind.dialect.name == "sqlite":
        geo_rtree.drop(bind)
    _drop_column("geo_key")
    op.create_index("ix_events_geo_cell_rank", "events", _ranked("geo_cell"))


def downgrade() -> None:
    bind = op.get_bind()
    op.add_column("events", sa.Column("geo_key", sa.BigInteger))
    ids = bind.execute(sa.text("SELECT id FROM events")).scalars()
    while chunk := ids.fetchmany(CHUNK):
        bind.execute(
            sa.text("UPDATE events SET geo_key = :key WHERE id = :id"),
            [{"key": geo_rtree.geo_key(event_id), "id": event_id} for event_id in chunk],
        )
    op.drop_index("ix_events_geo_cell_rank", table_name="events")
    _drop_column("geo_cell")
    op.create_index("ix_events_geo_key_rank", "events", _ranked("geo_key"))
    if bind.dialect.name == "sqlite" and geo_rtree.create(bind):
        geo_rtree.backfill(bind)
