"""Storage tables, separate from the API schemas and the event model.

Datetimes are stored as naive UTC (``UTCDateTime``) so that ordering and
range filters work the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Dialect,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
)


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out, naive UTC on disk."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("refusing to store a naive datetime")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        stored: datetime = value
        return stored.replace(tzinfo=UTC)


metadata = MetaData()

events = Table(
    "events",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("title", Text, nullable=False),
    Column("kind", String(32), nullable=False),
    Column("sectors", JSON, nullable=False),
    Column("categories", JSON, nullable=False),
    Column("start", UTCDateTime, nullable=False),
    Column("end", UTCDateTime, nullable=False),
    Column("timezone", String(64)),
    Column("all_day", Boolean, nullable=False),
    Column("attendance", String(16), nullable=False),
    Column("venue_name", Text),
    Column("venue_address", Text),
    Column("city", Text),
    Column("region", Text),
    Column("country", Text),
    Column("lat", Float),
    Column("lon", Float),
    Column("url", Text),
    Column("organizer", Text),
    # The organizer's website as the source gives it, and the host it was merged into (0011).
    Column("organizer_url", Text),
    Column("host", String(80)),
    Column("performer", Text),
    Column("description", Text),
    Column("price", Float),
    Column("currency", String(8)),
    Column("is_free", Boolean),
    Column("status", String(16), nullable=False),
    Column("source", String(128), nullable=False),
    Column("source_url", Text),
    Column("sources", JSON, nullable=False),
    Column("details", JSON, nullable=False),
    Column("sector_evidence", JSON, nullable=False),
    Column("kind_reason", Text),
    # Consecutive clean crawls of its source that did not list the event.
    Column("missing_snapshots", Integer, nullable=False, server_default="0"),
    Column("first_seen", UTCDateTime, nullable=False),
    Column("last_seen", UTCDateTime, nullable=False),
    Column("updated", UTCDateTime, nullable=False),
    Column("sequence", Integer, nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("schedule_hash", String(64), nullable=False),
    # The grid cell of the coordinates (service.places.cells), migration 0009.
    Column("geo_cell", BigInteger),
    # The series the event belongs to (service.store.series_keys), migration 0015.
    Column("series_key", String(32)),
    # The row of cells (a band of latitude) the coordinates lie in, migration 0016.
    Column("geo_row", Integer),
    Index("ix_events_start", "start"),
    Index("ix_events_end", "end"),
    Index("ix_events_source", "source"),
    Index("ix_events_kind_start", "kind", "start"),
    Index("ix_events_host_start", "host", "start"),
    # Date-ordered pages walk (start, id) and check end in the index (migration 0006).
    Index("ix_events_start_id_end", "start", "id", "end"),
    Index("ix_events_kind_start_id_end", "kind", "start", "id", "end"),
    # Radius search off SQLite reads this (migration 0004).
    Index("ix_events_lat_lon", "lat", "lon"),
    # Radius search on SQLite reads the cells of a box and what ranking needs from here,
    # never the rows (migration 0009).
    Index(
        "ix_events_geo_cell_rank",
        "geo_cell",
        "end",
        "start",
        "kind",
        "attendance",
        "is_free",
        "status",
        "sectors",
        "lat",
        "lon",
        "series_key",
        "id",
    ),
    # The dates of the series a page shows, ahead of the search's moment.
    Index("ix_events_series_key_start", "series_key", "start"),
    # A search near a place that reads a window of start time at a time seeks each row of
    # cells to the window, and reads what ranking needs from here (migration 0016).
    Index(
        "ix_events_geo_row_start",
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
    ),
)

# On SQLite, each located event once per sector it has, with what ranking reads, kept by
# triggers on ``events`` (migration 0019, :mod:`service.store.sector_rows`): a search for a
# sector near a place seeks that sector's rows of cells instead of reading every event of
# the box and testing its sectors.
event_sectors = Table(
    "event_sectors",
    metadata,
    Column("sector", String(64), primary_key=True),
    Column("geo_row", Integer, primary_key=True),
    Column("start", UTCDateTime, primary_key=True),
    Column("id", String(64), primary_key=True),
    Column("end", UTCDateTime, nullable=False),
    Column("geo_cell", BigInteger),
    Column("kind", String(32), nullable=False),
    Column("attendance", String(16), nullable=False),
    Column("is_free", Boolean),
    Column("status", String(16), nullable=False),
    Column("sectors", JSON, nullable=False),
    Column("lat", Float),
    Column("lon", Float),
    Column("series_key", String(32)),
    Index("ix_event_sectors_id", "id"),
    sqlite_with_rowid=False,
)

crawl_runs = Table(
    "crawl_runs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("source", String(128), nullable=False),
    Column("type", String(32), nullable=False),
    Column("started", UTCDateTime, nullable=False),
    Column("finished", UTCDateTime, nullable=False),
    Column("outcome", String(16), nullable=False),
    # A clean crawl is a snapshot: the source's complete list at that time.
    Column("clean", Boolean, nullable=False),
    Column("http_status", Integer),
    Column("found", Integer, nullable=False),
    Column("stored", Integer, nullable=False),
    Column("inserted", Integer, nullable=False),
    Column("changed", Integer, nullable=False),
    Column("vanished", Integer, nullable=False),
    Column("cancelled", Integer, nullable=False),
    Column("dropped", JSON, nullable=False),
    Column("errors", JSON, nullable=False),
    Column("last_error", Text),
    Column("note", Text),
    Index("ix_crawl_runs_source_finished", "source", "finished"),
)

# The operator's word on crawled events, kept apart from what the crawl writes (migration 0010).
corrections = Table(
    "corrections",
    metadata,
    Column("event_id", String(64), primary_key=True),
    Column("source", String(128), nullable=False),
    # None: the classifier's answer stands.
    Column("kind", String(32)),
    Column("sectors", JSON(none_as_null=True)),
    Column("hidden", Boolean, nullable=False, server_default="0"),
    # Approved out of a holding source: later crawls store it straight away.
    Column("approved", Boolean, nullable=False, server_default="0"),
    # What the classifier read, kept so that corrections can serve as its examples.
    Column("title", Text, nullable=False),
    Column("description", Text),
    Column("updated", UTCDateTime, nullable=False),
    Index("ix_corrections_source", "source"),
)

held_events = Table(
    "held_events",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("source", String(128), nullable=False),
    Column("title", Text, nullable=False),
    Column("start", UTCDateTime, nullable=False),
    # The whole event as the crawl made it, stored on approval.
    Column("record", JSON, nullable=False),
    Column("held", UTCDateTime, nullable=False),
    Index("ix_held_events_source_start", "source", "start"),
)

suggestions = Table(
    "suggestions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("url", Text, nullable=False),
    Column("note", Text),
    Column("status", String(16), nullable=False),
    Column("created", UTCDateTime, nullable=False),
    Column("decided", UTCDateTime),
    Index("ix_suggestions_status_created", "status", "created"),
)

# Who runs events, merged across sources by website or name (migration 0011).
hosts = Table(
    "hosts",
    metadata,
    Column("slug", String(80), primary_key=True),
    Column("name", Text, nullable=False),
    Column("website", Text),
    # The website's host name (with the group's path on a platform such as Meetup).
    Column("site_key", String(255)),
    # The name folded: case, punctuation and a leading "the" do not count.
    Column("name_key", String(255), nullable=False),
    Column("first_seen", UTCDateTime, nullable=False),
    Column("updated", UTCDateTime, nullable=False),
    Index("ix_hosts_site_key", "site_key"),
    Index("ix_hosts_name_key", "name_key"),
)

# Hosts a digest subscriber follows: their events join the weekly digest.
host_follows = Table(
    "host_follows",
    metadata,
    Column("subscription_id", Integer, primary_key=True),
    Column("host", String(80), primary_key=True),
    Column("created", UTCDateTime, nullable=False),
)

# "I'm going" lists: private to whoever holds the token (or the subscription's token).
going_lists = Table(
    "going_lists",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("token", String(64), nullable=False, unique=True),
    Column("subscription_id", Integer, unique=True),
    Column("created", UTCDateTime, nullable=False),
)

going_marks = Table(
    "going_marks",
    metadata,
    Column("list_id", Integer, primary_key=True),
    Column("event_id", String(64), primary_key=True),
    Column("marked", UTCDateTime, nullable=False),
    Index("ix_going_marks_event", "event_id"),
)

crawl_schedule = Table(
    "crawl_schedule",
    metadata,
    # One row per source the scheduler has seen: when it is next due, what its feed asked
    # for, and which scheduler holds it (a lease: two never crawl one source at once).
    Column("source", String(128), primary_key=True),
    Column("next_due", UTCDateTime),
    Column("advised_seconds", Integer),
    Column("holder", String(128)),
    Column("lease_until", UTCDateTime),
)

# The change counters that triggers bump (service.store.changes): row 1 counts every write on
# PostgreSQL and, on SQLite, every change a reader can be shown; row 2 (PostgreSQL) the latter.
store_generation = Table(
    "store_generation",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("generation", BigInteger, nullable=False),
)

# A token bucket per limited action and client, shared by every worker (service.store.ratelimits).
rate_limits = Table(
    "rate_limits",
    metadata,
    Column("action", String(32), primary_key=True),
    Column("client", String(128), primary_key=True),
    Column("tokens", Float, nullable=False),
    # Seconds since 1970 when the bucket was last filled.
    Column("stamp", Float, nullable=False),
    # Whether the last take found a token.
    Column("allowed", Boolean, nullable=False),
    Index("ix_rate_limits_action_stamp", "action", "stamp"),
)
