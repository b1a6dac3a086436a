"""What ``/hosts`` and ``/going`` say as JSON."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from service.api.schemas import EventOut, PlaceOut


class LinkOut(BaseModel):
    label: str
    url: str


class CountOut(BaseModel):
    key: str = Field(description="A sector's slug or a kind.")
    label: str
    events: int = Field(description="How many of the host's recent and upcoming events.")


class HostOut(BaseModel):
    """A host: who they are, where to read about them, what they run, their feed."""

    slug: str
    name: str
    website: str | None
    read_about: list[LinkOut] = Field(
        description="Their own pages (website, event pages), without tracking parameters."
    )
    sectors: list[CountOut]
    kinds: list[CountOut]
    cities: list[str]
    upcoming_total: int
    upcoming: list[EventOut]
    recent: list[EventOut]
    page_url: str
    feed_url: str = Field(description="Every event of the host as an iCalendar feed.")
    webcal_url: str
    follow_url: str = Field(
        description='POST `{"host": slug}` to `/subscriptions/{token}/hosts` to follow.'
    )


class ActiveHostOut(BaseModel):
    slug: str
    name: str
    website: str | None
    upcoming: int = Field(description="Upcoming events within the radius.")
    nearest_km: float
    url: str
    page_url: str


class HostsPage(BaseModel):
    items: list[ActiveHostOut]
    total: int
    place: PlaceOut
    radius_km: float


class FollowIn(BaseModel):
    host: str = Field(min_length=1, max_length=80, pattern=r"^[a-z0-9-]+$")


class HostBriefOut(BaseModel):
    slug: str
    name: str
    website: str | None
    url: str
    page_url: str


class FollowsOut(BaseModel):
    hosts: list[HostBriefOut]


class GoingIn(BaseModel):
    event_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")
    token: str | None = Field(
        default=None,
        min_length=20,
        max_length=64,
        pattern=r"^[A-Za-z0-9_-]+$",
        description="A going list's token or a digest subscription's; none starts a new list.",
    )


class MarkedOut(BaseModel):
    marked: datetime
    event: EventOut


class GoingOut(BaseModel):
    """A private going list: keep ``token`` and the URLs to yourself."""

    token: str
    page_url: str = Field(description="The list as a web page, with one-click unmark and delete.")
    feed_url: str = Field(description="The list as a private calendar with a reminder alarm.")
    webcal_url: str
    events: list[MarkedOut]
