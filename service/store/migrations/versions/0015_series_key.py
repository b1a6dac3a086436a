"""Each event keeps the key of its series, and the cell index carries it.

A search shows an event that repeats once. It used to find the series by
reading every event whose title another shares, for every search: at 1e5
events most of a search's time. With the key written beside the event
(:mod:`service.store.series_keys`), a search tells the dates of a series
apart while it reads its candidates from the cell index, which now carries
the key too, and reads the later dates of only the series its page shows
(``ix_events_series_key_start``).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from service.store.series_keys import series_key
from service.store.tables import events

revision: str = "0015"
down_revision: str | Sequence[str] | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CHUNK = 5000
RANKED = ["end", "start", "kind", "attendance", "is_free", "status", "sectors", "lat", "lon"]
KEYED = (
    "id",
    "title",
    "start",
    "timezone",
    "all_day",
    "lat",
    "lon",
    "venue_name",
    "host",
    "source",
    "details",
)


def _cell_index(*, keyed: bool) -> None:
    columns = ["geo_cell", *RANKED, *(["series_key"] if keyed else []), "id"]
    if op.get_bind().dialect.name != "sqlite":
        columns.remove("sectors")
    op.create_index("ix_events_geo_cell_rank", "events", columns)


def upgrade() -> None:
    bind = op.get_bind()
    op.add_column("events", sa.Column("series_key", sa.String(32)))
    rows = bind.execute(sa.select(*(events.c[name] for name in KEYED))).mappings()
    while chunk := rows.fetchmany(CHUNK):
        bind.execute(
            sa.text("UPDATE events SET series_key = :key WHERE id = :id"),
            [{"key": series_key(dict(row)), "id": row["id"]} for row in chunk],
        )
    op.create_index("ix_events_series_key_start", "events", ["series_key", "start"])
    op.drop_index("ix_events_geo_cell_rank", table_name="events")
    _cell_index(keyed=True)


def downgrade() -> None:
    op.drop_index("ix_events_geo_cell_rank", table_name="events")
    _cell_index(keyed=False)
    op.drop_index("ix_events_series_key_start", table_name="events")
    op.drop_column("events", "series_key")
