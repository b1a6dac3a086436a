"""Reading hosts and their events; the hosts digest subscribers follow."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, delete, func, insert, select

from service.model import Event, Host, Status
from service.places.distance import RadiusCut, bounding_boxes
from service.store.events import _whole_events, row_to_event
from service.store.tables import events, host_follows, hosts

MAX_HOST_EVENTS = 500


@dataclass(frozen=True, slots=True)
class ActiveHost:
    """A host with upcoming events near a place: how many, and the nearest's distance."""

    host: Host
    upcoming: int
    nearest_km: float


def _host(row: Any) -> Host:
    m = row._mapping
    return Host(
        slug=m["slug"],
        name=m["name"],
        website=m["website"],
        first_seen=m["first_seen"],
        updated=m["updated"],
    )


_HOST_COLUMNS = (hosts.c.slug, hosts.c.name, hosts.c.website, hosts.c.first_seen, hosts.c.updated)


class HostStore:
    """Repository over ``hosts`` and ``host_follows``; keyword arguments only."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def get(self, *, slug: str) -> Host | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(*_HOST_COLUMNS).where(hosts.c.slug == slug)).first()
        return _host(row) if row is not None else None

    def many(self, *, slugs: Sequence[str]) -> dict[str, Host]:
        if not slugs:
            return {}
        with self.engine.connect() as conn:
            rows = conn.execute(select(*_HOST_COLUMNS).where(hosts.c.slug.in_(list(slugs))))
            return {row.slug: _host(row) for row in rows}

    def events(
        self,
        *,
        slugs: Sequence[str],
        start: datetime | None = None,
        end: datetime | None = None,
        newest_first: bool = False,
        limit: int = MAX_HOST_EVENTS,
    ) -> list[Event]:
        """The events of the hosts ``slugs`` ending after ``start`` and starting before ``end``."""
        if not slugs:
            return []
        stmt = _whole_events().where(events.c.host.in_(list(slugs)))
        if start is not None:
            stmt = stmt.where(events.c.end > start)
        if end is not None:
            stmt = stmt.where(events.c.start < end)
        order = (
            (events.c.start.desc(), events.c.id) if newest_first else (events.c.start, events.c.id)
        )
        with self.engine.connect() as conn:
            return [row_to_event(row) for row in conn.execute(stmt.order_by(*order).limit(limit))]

    def active_near(
        self, *, lat: float, lon: float, radius_km: float, now: datetime, limit: int = 50
    ) -> list[ActiveHost]:
        """Hosts with upcoming events within ``radius_km``: the busiest first, then the nearest."""
        cut = RadiusCut(lat, lon, radius_km)
        counts: dict[str, int] = {}
        nearest: dict[str, float] = {}
        with self.engine.connect() as conn:
            for box in bounding_boxes(lat, lon, radius_km):
                stmt = select(events.c.host, events.c.lat, events.c.lon).where(
                    events.c.host.is_not(None),
                    events.c.end > now,
                    events.c.status != Status.CANCELLED.value,
                    events.c.lat.between(box.min_lat, box.max_lat),
                    events.c.lon.between(box.min_lon, box.max_lon),
                )
                for slug, event_lat, event_lon in conn.execute(stmt):
                    distance = cut.distance(event_lat, event_lon)
                    if distance is None:
                        continue
                    counts[slug] = counts.get(slug, 0) + 1
                    nearest[slug] = min(nearest.get(slug, distance), distance)
        ranked = sorted(counts, key=lambda slug: (-counts[slug], nearest[slug], slug))[:limit]
        found = self.many(slugs=ranked)
        return [
            ActiveHost(found[slug], counts[slug], nearest[slug]) for slug in ranked if slug in found
        ]

    def count(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(hosts)).scalar_one())

    # Follows

    def follow(self, *, subscription_id: int, slug: str, now: datetime) -> bool:
        """Follow ``slug``; False when it was followed already."""
        with self.engine.begin() as conn:
            exists = conn.execute(
                select(host_follows.c.host).where(
                    host_follows.c.subscription_id == subscription_id, host_follows.c.host == slug
                )
            ).first()
            if exists is not None:
                return False
            conn.execute(
                insert(host_follows).values(subscription_id=subscription_id, host=slug, created=now)
            )
        return True

    def unfollow(self, *, subscription_id: int, slug: str) -> bool:
        with self.engine.begin() as conn:
            result = conn.execute(
                delete(host_follows).where(
                    host_follows.c.subscription_id == subscription_id, host_follows.c.host == slug
                )
            )
        return bool(result.rowcount)

    def followed(self, *, subscription_id: int) -> list[Host]:
        """The hosts a subscription follows, by name."""
        stmt = (
            select(*_HOST_COLUMNS)
            .join(host_follows, host_follows.c.host == hosts.c.slug)
            .where(host_follows.c.subscription_id == subscription_id)
            .order_by(hosts.c.name, hosts.c.slug)
        )
        with self.engine.connect() as conn:
            return [_host(row) for row in conn.execute(stmt)]
