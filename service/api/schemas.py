"""API schemas: what the JSON says, separate from storage and the model."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from service.model import Attendance, Kind, Status


class VenueOut(BaseModel):
    name: str | None = None
    address: str | None = None
    city: str | None = None
    region: str | None = None
    country: str | None = None
    lat: float | None = None
    lon: float | None = None


class HostRefOut(BaseModel):
    """Who runs an event: their page on meetscout, merged across sources."""

    slug: str
    name: str
    url: str = Field(description="The host as JSON (`/hosts/{slug}`).")
    page_url: str = Field(description="The host's page for people (`/h/{slug}`).")


class EventOut(BaseModel):
    id: str
    title: str
    kind: Kind
    sectors: list[str]
    start: datetime = Field(description="ISO 8601 with the offset of the event's time zone.")
    end: datetime
    timezone: str | None = Field(description="IANA time zone of the venue, when known.")
    all_day: bool
    attendance: Attendance
    venue: VenueOut
    url: str | None
    organizer: str | None
    host: HostRefOut | None = Field(
        default=None, description="The host's page, where the source names who runs the event."
    )
    performer: str | None = Field(description="Who appears: the author at a book signing.")
    description: str | None
    price: float | None
    currency: str | None
    is_free: bool | None
    status: Status
    source: str
    source_url: str | None
    categories: list[str]
    sources: list[str] = Field(description="Every source that lists this event.")
    details: dict[str, str] = Field(
        description="Source facts without a field of their own (call for papers, languages)."
    )
    first_seen: datetime | None
    last_seen: datetime | None
    updated: datetime | None
    sequence: int
    ics_url: str = Field(description="This event alone as an iCalendar file.")
    google_calendar_url: str = Field(description="Adds this event to Google Calendar.")


class SeriesOut(BaseModel):
    """An event that repeats, listed once: its rhythm and its dates ahead that match."""

    rhythm: str = Field(description='How it repeats: "every Tuesday, 7:30 am".')
    next: datetime = Field(description="Its next date (the result's own `start`).")
    count: int = Field(description="How many of its dates match the search.")
    starts: list[datetime] = Field(description="Those dates, soonest first.")


class SearchResultOut(EventOut):
    """An event as a search found it: how far, how good a chance, and why."""

    series: SeriesOut | None = Field(
        default=None,
        description="Set when the event repeats: the list shows it once, at its next date "
        "(with `repeats=each`, every date is listed and this is null).",
    )

    distance_km: float | None = Field(
        description="Geodesic distance from the search's place; null without a place or online."
    )
    score: float = Field(description="The meet-someone-new score, 0 to 1; higher is better.")
    why: list[str] = Field(description='Why it ranks here: "3.2 km away", "in person, free".')


class PlaceOut(BaseModel):
    """A place from the gazetteer: what `near` resolved to, or an autocomplete suggestion."""

    name: str
    label: str = Field(description="Name, region and country: tells homonyms apart.")
    lat: float
    lon: float
    timezone: str = Field(description="IANA time zone of the place.")


class RecordingOut(BaseModel):
    """Said by every answer while a recording is replayed (``MEETSCOUT_REPLAY_AT``)."""

    recorded_at: datetime = Field(description="The moment the recording was made, taken as now.")
    notice: str = Field(description="The same in words, to show beside the results.")


class EventPage(BaseModel):
    """A page of search results and where to subscribe to the same search."""

    items: list[SearchResultOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page.")
    total: int = Field(
        description="How many events match, over all pages: exactly, or at least that many "
        "when `total_exact` is false."
    )
    total_exact: bool = Field(
        default=True,
        description="False when a search near a place has so many matches that counting them "
        "all was not worth the wait: `total` is then how many it saw, a lower bound.",
    )
    feed_url: str = Field(description="The same search as an iCalendar feed.")
    webcal_url: str = Field(description="The same feed for calendar apps (webcal://).")
    place: PlaceOut | None = Field(
        default=None, description="The place `near` resolved to (null without `near`)."
    )
    recording: RecordingOut | None = Field(
        default=None,
        description="Set when these events are a replayed recording, not live data (null when "
        "live).",
    )


class SectorOut(BaseModel):
    slug: str = Field(description="Pass as `sector` to filter a search.")
    label: str
    description: str
    keywords: list[str] | None = Field(
        default=None, description="Words that mark an event as in this sector (`vocabulary=1`)."
    )
    acronyms: list[str] | None = Field(
        default=None, description="Case-sensitive acronyms, such as IT or HR (`vocabulary=1`)."
    )


class SectorList(BaseModel):
    items: list[SectorOut]


class Health(BaseModel):
    status: str
    events: int


class SourceHealthOut(BaseModel):
    """A source as its last crawl left it."""

    name: str
    type: str
    outcome: str = Field(description="ok, partial or failed.")
    note: str | None = Field(description="Why a crawl was not trusted as a snapshot.")
    last_crawl_started: datetime
    last_crawl_finished: datetime
    last_clean_crawl: datetime | None
    http_status: int | None
    found: int
    stored: int
    new: int
    changed: int
    vanished: int = Field(description="Upcoming events the last clean crawl did not list.")
    cancelled: int = Field(description="Events cancelled because they vanished twice.")
    dropped: dict[str, int] = Field(description="Items dropped, by reason.")
    errors: dict[str, int]
    last_error: str | None
    events: int = Field(description="Events of this source in the store.")


class SourceList(BaseModel):
    items: list[SourceHealthOut]
