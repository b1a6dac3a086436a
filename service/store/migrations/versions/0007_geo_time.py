"""Time in the R*Tree: each located event's box spans its start to its end, in days.

A best-first search near a place reads the events of the coming days first
and stops once no later event can make the page; with time in the tree, each
of those reads touches only the events near the place in that window.
SQLite only; rebuilt from the events table.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27
"""

from collections.abc import Sequence

from alembic import op

from service.store import geo_rtree

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = geo_rtree.GEO_TABLE


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite" or not geo_rtree.available(bind):
        return
    geo_rtree.drop(bind)
    if geo_rtree.create(bind):
        geo_rtree.backfill(bind)


def downgrade() -> None:
    """Back to the plane tree of migration 0004: points only."""
    bind = op.get_bind()
    if bind.dialect.name != "sqlite" or not geo_rtree.available(bind):
        return
    geo_rtree.drop(bind)
    bind.exec_driver_sql(
        f"CREATE VIRTUAL TABLE {TABLE} "
        "USING rtree(rid, min_lat, max_lat, min_lon, max_lon, +event_id)"
    )
    bind.exec_driver_sql(
        f"INSERT INTO {TABLE} SELECT geo_key, lat, lat, lon, lon, id FROM events "
        "WHERE lat IS NOT NULL AND lon IS NOT NULL"
    )
