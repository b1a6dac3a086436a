"""Events as the API shows them: local times, links.

Links and local times cost more than the search that found the events, and
the same events come back page after page; so how a search result's event
is shown is kept with the event while the store is unchanged (see
:meth:`KeptEvents.derived`), and the per-search parts are added to it.
"""

from __future__ import annotations

from datetime import datetime
from functools import partial
from typing import Any

from service.api.schemas import (
    EventOut,
    HostRefOut,
    PlaceOut,
    RecordingOut,
    SearchResultOut,
    SeriesOut,
    VenueOut,
)
from service.links import absolute, event_ics_url, google_calendar_url, public_url
from service.model import Event
from service.places.gazetteer import Place
from service.search import SearchResult, Series
from service.search.kept_events import KeptEvents
from service.text.recording import recording_notice

DISTANCE_DIGITS = 3


def event_out(event: Event, *, base_url: str) -> EventOut:
    return EventOut(**_fields(event, base_url=base_url))


def _fields(event: Event, *, base_url: str) -> dict[str, Any]:
    """An event's fields as the API names them; validated once, by the model they go into."""
    venue = event.venue
    return dict(
        id=event.id,
        title=event.title,
        kind=event.kind,
        sectors=event.sectors,
        start=event.local_start(),
        end=event.local_end(),
        timezone=event.timezone,
        all_day=event.all_day,
        attendance=event.attendance,
        venue=VenueOut(
            name=venue.name,
            address=venue.address,
            city=venue.city,
            region=venue.region,
            country=venue.country,
            lat=venue.lat,
            lon=venue.lon,
        ),
        url=public_url(event.url),
        organizer=event.organizer,
        host=host_ref(event, base_url=base_url),
        performer=event.performer,
        description=event.description,
        price=event.price,
        currency=event.currency,
        is_free=event.is_free,
        status=event.status,
        source=event.source,
        source_url=public_url(event.source_url),
        categories=event.categories,
        sources=event.sources,
        details=event.details,
        first_seen=event.first_seen,
        last_seen=event.last_seen,
        updated=event.updated,
        sequence=event.sequence,
        ics_url=event_ics_url(base_url, event),
        google_calendar_url=google_calendar_url(event),
    )


def host_ref(event: Event, *, base_url: str) -> HostRefOut | None:
    if event.host is None:
        return None
    return HostRefOut(
        slug=event.host,
        name=event.organizer or event.host,
        url=absolute(base_url, f"/hosts/{event.host}"),
        page_url=absolute(base_url, f"/h/{event.host}"),
    )


def search_result_out(result: SearchResult, *, base_url: str, kept: KeptEvents) -> SearchResultOut:
    """The event as shown (validated once, kept with the event) with how the search found it."""
    distance = result.distance_km
    shown = kept.derived(result.event, ("api", base_url), partial(event_out, base_url=base_url))
    return SearchResultOut.model_construct(
        **shown.__dict__,
        distance_km=round(float(distance), DISTANCE_DIGITS) if distance is not None else None,
        score=float(result.score),
        why=[str(line) for line in result.why],
        series=series_out(result.series, result.event),
    )


def series_out(series: Series | None, event: Event) -> SeriesOut | None:
    """The series' dates in the event's own zone, as its ``start`` is."""
    if series is None:
        return None
    starts = [start.astimezone(event.zone) for start in series.starts]
    return SeriesOut(rhythm=series.rhythm, next=starts[0], count=series.count, starts=starts)


def place_out(place: Place) -> PlaceOut:
    return PlaceOut(
        name=place.name, label=place.label, lat=place.lat, lon=place.lon, timezone=place.timezone
    )


def recording_out(replay_at: datetime | None) -> RecordingOut | None:
    """What a list answer says while a recording is replayed; None when live."""
    if replay_at is None:
        return None
    return RecordingOut(recorded_at=replay_at, notice=recording_notice(replay_at))
