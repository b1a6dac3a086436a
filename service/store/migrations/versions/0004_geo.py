"""Spatial index for radius search: an integer key per event, an R*Tree on SQLite.

Every database gets ``events.geo_key`` (indexed) and a (lat, lon) index;
SQLite also gets the R*Tree over located events, keyed by ``geo_key``.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from service.store import geo_rtree
from service.store.geo_rtree import geo_key

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CHUNK = 5000


def upgrade() -> None:
    op.add_column("events", sa.Column("geo_key", sa.BigInteger))
    bind = op.get_bind()
    ids = bind.execute(sa.text("SELECT id FROM events")).scalars()
    while chunk := ids.fetchmany(CHUNK):
        bind.execute(
            sa.text("UPDATE events SET geo_key = :key WHERE id = :id"),
            [{"key": geo_key(event_id), "id": event_id} for event_id in chunk],
        )
    op.create_index("ix_events_geo_key", "events", ["geo_key"])
    op.create_index("ix_events_lat_lon", "events", ["lat", "lon"])
    if bind.dialect.name == "sqlite" and geo_rtree.create(bind):
        geo_rtree.backfill(bind)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        geo_rtree.drop(bind)
    op.drop_index("ix_events_lat_lon", table_name="events")
    op.drop_index("ix_events_geo_key", table_name="events")
    with op.batch_alter_table("events") as batch:
        batch.drop_column("geo_key")
