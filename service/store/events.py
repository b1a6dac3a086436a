"""Reading and writing events: upsert by id, filtered queries.

Writes happen in batches, one transaction each. ``first_seen`` is kept from
the first crawl that saw an event, ``last_seen`` moves on every crawl, and
``updated`` and ``sequence`` move only when the content really changed, so
that calendar apps see a change exactly when there is one.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    Engine,
    Select,
    String,
    Text,
    bindparam,
    func,
    select,
    type_coerce,
    update,
)

from service.classify.dedupe import Fingerprint
from service.model import Attendance, Event, Kind, Status, Venue
from service.places.cells import cell_of, row_of
from service.store import dialects
from service.store.corrections import apply_correction, held_record, read_corrections
from service.store.host_records import assign_hosts
from service.store.query import EventQuery
from service.store.readers import reading
from service.store.series_keys import series_key
from service.store.statements import prepare
from service.store.tables import events as table
from service.store.tables import held_events

BATCH_SIZE = 500
# Consecutive clean snapshots an upcoming event may be missing from before it is cancelled.
MISSES_TO_CANCEL = 2

# Changes to these make calendar apps re-read the event (RFC 5545 SEQUENCE).
SCHEDULE_FIELDS = ("title", "start", "end", "all_day", "timezone", "status", "venue_key")
# Never overwritten by an upsert: they belong to the event's history.
KEPT_ON_UPSERT = {"first_seen"}
# Stored timestamps kept parsed (about 100 bytes each).
KEPT_MOMENTS = 8192


_AT = bindparam("at", type_=table.c.end.type)
# Asked on most searches: built once (see service.store.statements).
_LAST_START = select(func.max(table.c.start))
_REPEATED_SERIES = (
    select(table.c.series_key)
    .where(dialects.one_of(table.c.series_key, "keys"))
    .group_by(table.c.series_key)
    .having(func.count() > 1)
)
"""Read from the (series_key, start) index alone: no event row is visited."""
_RUNNING = select(func.min(table.c.start), func.min(table.c.end)).where(
    table.c.start < _AT, table.c.end >= _AT
)
_NEXT_START = select(func.min(table.c.start)).where(table.c.start >= _AT)


def _event_ids() -> Select[Any]:
    return select(table.c.id)


def _event_versions() -> Select[Any]:
    return select(table.c.id, table.c.sequence, table.c.updated)


def _series_dates() -> Select[Any]:
    c = table.c
    return select(c.series_key, c.id, c.start, c.lat, c.lon)


def _event_count() -> Select[Any]:
    return select(func.count()).select_from(table)


def _event_count_and_first_end() -> Select[Any]:
    return select(func.count(), func.min(table.c.end)).select_from(table)  # type: ignore[return-value]


def _series_count_and_first_end() -> Select[Any]:
    """How many series (a single event is a series of one), and the first end."""
    series = func.coalesce(table.c.series_key, table.c.id)
    return select(func.count(series.distinct()), func.min(table.c.end)).select_from(table)  # type: ignore[return-value]


@dataclass(frozen=True)
class UpsertResult:
    inserted: int = 0
    changed: int = 0
    unchanged: int = 0
    held: int = 0
    """New events of a holding source, kept out of sight until approved."""
    hidden: int = 0
    """Events the operator hid, not written."""

    @property
    def stored(self) -> int:
        return self.inserted + self.changed + self.unchanged

    def __add__(self, other: UpsertResult) -> UpsertResult:
        return UpsertResult(
            self.inserted + other.inserted,
            self.changed + other.changed,
            self.unchanged + other.unchanged,
            self.held + other.held,
            self.hidden + other.hidden,
        )


def _digest(values: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(values, sort_keys=True, default=str).encode()).hexdigest()


LIMITED = {
    column.name: column.type.length
    for column in table.columns
    if isinstance(column.type, String) and column.type.length
}
"""Columns of a declared length. PostgreSQL refuses a longer value (and with it the whole
batch); SQLite would keep it whole. Both store it cut to the length."""


def event_to_row(event: Event) -> dict[str, Any]:
    row = _event_row(event)
    for name, length in LIMITED.items():
        value = row.get(name)
        if isinstance(value, str) and len(value) > length:
            row[name] = value[:length]
    return row


def _event_row(event: Event) -> dict[str, Any]:
    venue = event.venue
    return {
        "id": event.id,
        "title": event.title,
        "kind": event.kind.value,
        "sectors": list(event.sectors),
        "categories": list(event.categories),
        "start": event.start,
        "end": event.effective_end,
        "timezone": event.timezone,
        "all_day": event.all_day,
        "attendance": event.attendance.value,
        "venue_name": venue.name,
        "venue_address": venue.address,
        "city": venue.city,
        "region": venue.region,
        "country": venue.country,
        "lat": venue.lat,
        "lon": venue.lon,
        "url": event.url,
        "organizer": event.organizer,
        "organizer_url": event.organizer_url,
        "performer": event.performer,
        "description": event.description,
        "price": event.price,
        "currency": event.currency,
        "is_free": event.is_free,
        "status": event.status.value,
        "source": event.source,
        "source_url": event.source_url,
        "sources": list(event.sources),
        "details": dict(event.details),
        "sector_evidence": {key: list(words) for key, words in event.sector_evidence.items()},
        "kind_reason": event.kind_reason,
    }


def row_hashes(row: dict[str, Any]) -> tuple[str, str]:
    """(content hash, schedule hash) of an event row: what tells a change, and a reschedule."""
    content = {key: row[key] for key in row if key not in ("id",)}
    schedule = {key: row.get(key) for key in SCHEDULE_FIELDS if key != "venue_key"}
    schedule["venue_key"] = [row["venue_name"], row["venue_address"], row["city"], row["country"]]
    return _digest(content), _digest(schedule)


EVENT_COLUMNS = (
    "id",
    "title",
    "kind",
    "sectors",
    "categories",
    "start",
    "end",
    "timezone",
    "all_day",
    "attendance",
    "venue_name",
    "venue_address",
    "city",
    "region",
    "country",
    "lat",
    "lon",
    "url",
    "organizer",
    "organizer_url",
    "performer",
    "description",
    "price",
    "currency",
    "is_free",
    "status",
    "source",
    "source_url",
    "sources",
    "details",
    "sector_evidence",
    "kind_reason",
    "first_seen",
    "last_seen",
    "updated",
    "sequence",
    "host",
)
"""What an :class:`Event` is read from, in the order :func:`row_to_event` unpacks."""
_AS_STORED = frozenset(
    {"sectors", "categories", "sources", "details", "sector_evidence"}
    | {"start", "end", "first_seen", "last_seen", "updated"}
)
"""JSON and timestamps, read as stored: converting them here is several times cheaper than
the column types' generic processing, and most of the JSON is an empty list."""


def _whole_events() -> Select[Any]:
    return select(
        *(
            type_coerce(table.c[name], Text).label(name) if name in _AS_STORED else table.c[name]
            for name in EVENT_COLUMNS
        )
    )


def _json(value: Any) -> Any:
    """A JSON column's value: SQLite gives its text, other databases the decoded value."""
    if not isinstance(value, str):
        return value
    if value == "[]":
        return []
    if value == "{}":
        return {}
    return json.loads(value)


def _moment(value: Any) -> datetime | None:
    """A stored timestamp (naive UTC) as an aware one: SQLite gives ISO text."""
    if value is None:
        return None
    if isinstance(value, str):
        return _parsed_moment(value)
    return value.replace(tzinfo=UTC)  # type: ignore[no-any-return]


@lru_cache(maxsize=KEPT_MOMENTS)
def _parsed_moment(text: str) -> datetime:
    """Stored text parsed once: the events of a crawl share their seen and updated times,
    and many share a start (datetimes are immutable, so sharing one is safe)."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


_KINDS = {kind.value: kind for kind in Kind}
_ATTENDANCES = {mode.value: mode for mode in Attendance}
_STATUSES = {status.value: status for status in Status}
"""Enum members by stored value: a dictionary lookup costs a tenth of calling the enum."""


def row_to_event(row: Any) -> Event:
    """An event from a row of :func:`_whole_events` (booleans as stored: 0 and 1 are taken)."""
    (
        event_id,
        title,
        kind,
        sectors,
        categories,
        start,
        end,
        timezone,
        all_day,
        attendance,
        venue_name,
        venue_address,
        city,
        region,
        country,
        lat,
        lon,
        url,
        organizer,
        organizer_url,
        performer,
        description,
        price,
        currency,
        is_free,
        status,
        source,
        source_url,
        sources,
        details,
        sector_evidence,
        kind_reason,
        first_seen,
        last_seen,
        updated,
        sequence,
        host,
    ) = row
    return Event(
        id=event_id,
        title=title,
        kind=_KINDS.get(kind) or Kind(kind),
        sectors=_json(sectors) or [],
        categories=_json(categories) or [],
        start=_moment(start),  # type: ignore[arg-type]
        end=_moment(end),
        timezone=timezone,
        all_day=bool(all_day),
        attendance=_ATTENDANCES.get(attendance) or Attendance(attendance),
        venue=Venue(
            name=venue_name,
            address=venue_address,
            city=city,
            region=region,
            country=country,
            lat=lat,
            lon=lon,
        ),
        url=url,
        organizer=organizer,
        organizer_url=organizer_url,
        performer=performer,
        description=description,
        price=price,
        currency=currency,
        is_free=None if is_free is None else bool(is_free),
        status=_STATUSES.get(status) or Status(status),
        source=source,
        source_url=source_url,
        sources=_json(sources) or [],
        details=_json(details) or {},
        sector_evidence=_json(sector_evidence) or {},
        kind_reason=kind_reason,
        first_seen=_moment(first_seen),
        last_seen=_moment(last_seen),
        updated=_moment(updated),
        sequence=sequence,
        host=host,
    )


def _held_row(row: dict[str, Any], now: datetime) -> dict[str, Any]:
    return {
        "id": row["id"],
        "source": row["source"],
        "title": row["title"],
        "start": row["start"],
        "record": held_record(row),
        "held": now,
    }


class EventStore:
    """Repository over the ``events`` table; every method takes keyword arguments."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.reader = reading(engine)
        """Reads go through this (see :mod:`service.store.readers`); writes through ``engine``."""

    def upsert_many(
        self, events: Iterable[Event], *, now: datetime, hold: bool = False
    ) -> UpsertResult:
        """Insert or update ``events`` by id, in batches of one transaction each.

        The operator's corrections are laid over each event and hidden events
        skipped; with ``hold``, events not stored yet and not approved wait in
        ``held_events`` instead, out of every read of the events.
        """
        total = UpsertResult()
        batch: dict[str, Event] = {}
        for event in events:
            batch[event.id] = event
            if len(batch) >= BATCH_SIZE:
                total += self._upsert_batch(list(batch.values()), now=now, hold=hold)
                batch = {}
        if batch:
            total += self._upsert_batch(list(batch.values()), now=now, hold=hold)
        return total

    def _upsert_batch(self, batch: list[Event], *, now: datetime, hold: bool) -> UpsertResult:
        ids = [event.id for event in batch]
        with self.engine.begin() as conn:
            corrected = read_corrections(conn, ids)
            existing = {
                row.id: row
                for row in conn.execute(
                    select(
                        table.c.id,
                        table.c.content_hash,
                        table.c.schedule_hash,
                        table.c.sequence,
                        table.c.updated,
                    ).where(table.c.id.in_(ids))
                )
            }
            rows, held, inserted, changed, hidden = [], [], 0, 0, 0
            for event in batch:
                correction = corrected.get(event.id)
                if correction is not None and correction.hidden:
                    hidden += 1
                    continue
                row = apply_correction(event_to_row(event), correction)
                if (
                    hold
                    and event.id not in existing
                    and not (correction is not None and correction.approved)
                ):
                    held.append(_held_row(row, now))
                    continue
                content_hash, schedule_hash = row_hashes(row)
                old = existing.get(event.id)
                if old is None:
                    inserted += 1
                    sequence, updated = 0, now
                else:
                    sequence = old.sequence + (old.schedule_hash != schedule_hash)
                    if old.content_hash != content_hash:
                        changed += 1
                        updated = now
                    else:
                        updated = old.updated
                row.update(
                    missing_snapshots=0,
                    first_seen=now,
                    last_seen=now,
                    updated=updated,
                    sequence=sequence,
                    content_hash=content_hash,
                    schedule_hash=schedule_hash,
                    geo_cell=cell_of(row["lat"], row["lon"]),
                    geo_row=row_of(row["lat"]) if row["lon"] is not None else None,
                )
                rows.append(row)
            # Derived, so outside the hashes: a merge of two hosts changes no event's content.
            assign_hosts(conn, rows, now=now)
            for row in rows:
                row["series_key"] = series_key(row)
            if rows:
                conn.execute(dialects.upsert(self.engine, table, keep=KEPT_ON_UPSERT), rows)
            if held:
                conn.execute(dialects.upsert(self.engine, held_events, keep={"held"}), held)
        return UpsertResult(inserted, changed, len(rows) - inserted - changed, len(held), hidden)

    def mark_missing(
        self, *, source: str, seen_ids: set[str], start: datetime, end: datetime, now: datetime
    ) -> tuple[int, int]:
        """Count a clean snapshot of ``source`` against its upcoming events.

        Events of the source starting in [start, end] that the snapshot did not
        list get one more miss; at the second consecutive miss they become
        cancelled (never deleted). Returns (missed, newly cancelled).
        """
        with self.engine.begin() as conn:
            rows = conn.execute(
                select(table.c.id, table.c.missing_snapshots, table.c.status).where(
                    table.c.source == source,
                    table.c.start >= start,
                    table.c.start <= end,
                    table.c.status != Status.CANCELLED.value,
                )
            ).all()
            missing = [row for row in rows if row.id not in seen_ids]
            to_cancel = [row.id for row in missing if row.missing_snapshots + 1 >= MISSES_TO_CANCEL]
            to_count = [row.id for row in missing if row.missing_snapshots + 1 < MISSES_TO_CANCEL]
            if to_count:
                conn.execute(
                    update(table)
                    .where(table.c.id.in_(to_count))
                    .values(missing_snapshots=table.c.missing_snapshots + 1)
                )
            if to_cancel:
                conn.execute(
                    update(table)
                    .where(table.c.id.in_(to_cancel))
                    .values(
                        missing_snapshots=table.c.missing_snapshots + 1,
                        status=Status.CANCELLED.value,
                        sequence=table.c.sequence + 1,
                        updated=now,
                    )
                )
        return len(missing), len(to_cancel)

    def match_candidates(
        self, *, start: datetime, end: datetime, exclude_source: str
    ) -> list[Fingerprint]:
        """Other sources' events starting in [start, end], as matching fingerprints.

        Loading a handful of columns keeps de-duplicating a large crawl cheap;
        the full record is read only for the twins actually found. Each crawled
        source reads the others' events again, so fingerprints come from the
        process-wide cache (``Fingerprint.cached``) rather than being recomputed.
        """
        stmt = select(
            table.c.id,
            table.c.source,
            table.c.title,
            table.c.start,
            table.c.timezone,
            table.c.all_day,
            table.c.url,
            table.c.city,
            table.c.attendance,
            table.c.venue_name,
        ).where(table.c.start >= start, table.c.start <= end, table.c.source != exclude_source)
        with self.reader.connect() as conn:
            return [
                Fingerprint.cached(
                    id=id_,
                    source=source,
                    title=title,
                    start=start_,
                    timezone=timezone,
                    all_day=bool(all_day),
                    url=url,
                    city=city,
                    online=attendance == Attendance.ONLINE.value,
                    venue_name=venue_name,
                )
                for (
                    id_,
                    source,
                    title,
                    start_,
                    timezone,
                    all_day,
                    url,
                    city,
                    attendance,
                    venue_name,
                ) in conn.execute(stmt)
            ]

    def count_by_source(self) -> dict[str, int]:
        stmt = select(table.c.source, func.count()).group_by(table.c.source)
        with self.reader.connect() as conn:
            return {source: int(count) for source, count in conn.execute(stmt)}

    def get(self, *, event_id: str) -> Event | None:
        found = self.search(query=EventQuery(ids=[event_id]))
        return found[0] if found else None

    def search(self, *, query: EventQuery) -> list[Event]:
        """Whole events matching ``query``, by start then id (after ``query.after``, at most
        ``query.limit``)."""
        prepared = prepare(_whole_events, query, in_order=True)
        return [row_to_event(row) for row in prepared.rows(self.engine)]

    def ids(self, *, query: EventQuery) -> list[str]:
        """The ids :meth:`search` would return, in its order: a page whose events may be kept."""
        prepared = prepare(_event_ids, query, in_order=True)
        with self.reader.connect() as conn:
            return list(prepared.run(conn).scalars())

    def versions(self, *, query: EventQuery) -> list[tuple[str, int, datetime]]:
        """(id, SEQUENCE, updated) of the events :meth:`search` would return, in its order:
        what a feed's cached blocks are keyed by, without reading whole events."""
        prepared = prepare(_event_versions, query, in_order=True)
        with self.reader.connect() as conn:
            rows: Sequence[Any] = prepared.run(conn).all()
        return [(row[0], row[1], row[2]) for row in rows]

    def series_dates(
        self, *, query: EventQuery
    ) -> list[tuple[str, str, datetime, float | None, float | None]]:
        """(series key, id, start, lat, lon) of the events of ``query`` (by start, then id):
        the dates of the series it names in ``series_keys``."""
        prepared = prepare(_series_dates, query, in_order=True)
        return [
            (row[0], row[1], _moment(row[2]), row[3], row[4])  # type: ignore[misc]
            for row in prepared.rows(self.engine)
        ]

    def repeated_series(self, keys: Collection[str]) -> set[str]:
        """Which of ``keys`` name more than one stored event: only those can have dates to
        list (most events are the only one of their series)."""
        if not keys:
            return set()
        with self.reader.connect() as conn:
            return set(conn.execute(_REPEATED_SERIES, {"keys": list(keys)}).scalars())

    def count(self, *, query: EventQuery) -> int:
        prepared = prepare(_event_count, query)
        with self.reader.connect() as conn:
            return int(prepared.run(conn).scalar_one())

    def count_until(
        self, *, query: EventQuery, series: bool = False
    ) -> tuple[int, datetime | None]:
        """How many events match ``query`` (with ``series``, how many series: the dates of
        one count once), and the first end among them (None when none match): the count
        holds for every later start up to that end."""
        base = _series_count_and_first_end if series else _event_count_and_first_end
        prepared = prepare(base, query)
        with self.reader.connect() as conn:
            row: Any = prepared.run(conn).one()
        return int(row[0]), row[1]

    def last_start(self) -> datetime | None:
        """The latest start in the store (read from the start index)."""
        with self.reader.connect() as conn:
            return conn.execute(_LAST_START).scalar_one()  # type: ignore[no-any-return]

    def earliest_start_until(self, *, at: datetime) -> tuple[datetime, datetime | None]:
        """The earliest start of the events ending at or after ``at`` (``at`` if none began
        before), and the last moment it holds for (None: until the store changes).

        With events running at ``at``, their earliest start holds until the first of
        them ends; with none, ``at`` stays a bound (an event starting later starts after
        it) and is exact until the next start. Reads the (start, id, end) index.
        """
        with self.reader.connect() as conn:
            first, first_end = conn.execute(_RUNNING, {"at": at}).one()
            if first is not None:
                return first, first_end
            return at, conn.execute(_NEXT_START, {"at": at}).scalar_one()

    def ping(self) -> None:
        """Raise if the store cannot answer a trivial query."""
        with self.reader.connect() as conn:
            conn.execute(select(func.count()).select_from(table).limit(1))
