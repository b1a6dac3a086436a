"""Links a person follows from a result: feeds, webcal, one event's .ics, Google Calendar."""

from __future__ import annotations

from datetime import UTC, timedelta
from urllib.parse import urlencode

from service.model import Event

GOOGLE_TEMPLATE = "https://calendar.google.com/calendar/render"


def absolute(base_url: str, path: str, params: list[tuple[str, str]] | None = None) -> str:
    url = base_url.rstrip("/") + path
    return f"{url}?{urlencode(params)}" if params else url


def webcal(url: str) -> str:
    """The same URL with the scheme calendar apps open as a subscription."""
    for scheme in ("https://", "http://"):
        if url.startswith(scheme):
            return "webcal://" + url[len(scheme) :]
    return url


def event_ics_url(base_url: str, event: Event) -> str:
    return absolute(base_url, f"/events/{event.id}.ics")


def google_calendar_url(event: Event) -> str:
    """Google Calendar's documented "add event" template link."""
    if event.all_day:
        first = event.local_start().date()
        last = event.local_end().date()
        if last <= first:
            last = first + timedelta(days=1)
        dates = f"{first:%Y%m%d}/{last:%Y%m%d}"
    else:
        start = event.start.astimezone(UTC)
        end = event.effective_end.astimezone(UTC)
        dates = f"{start:%Y%m%dT%H%M%SZ}/{end:%Y%m%dT%H%M%SZ}"
    params = [("action", "TEMPLATE"), ("text", event.title), ("dates", dates)]
    details = event.url or event.source_url
    if details:
        params.append(("details", details))
    location = event.venue.label()
    if location:
        params.append(("location", location))
    if event.timezone:
        params.append(("ctz", event.timezone))
    return f"{GOOGLE_TEMPLATE}?{urlencode(params)}"
