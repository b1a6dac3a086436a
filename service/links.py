"""Links a person follows from a result: feeds, webcal, one event's .ics, Google Calendar."""

from __future__ import annotations

import re
from datetime import UTC, timedelta
from string import ascii_letters, digits
from urllib.parse import quote_plus, unquote, urlsplit

from service.model import Event

GOOGLE_TEMPLATE = "https://calendar.google.com/calendar/render"
_SAFE = frozenset(ascii_letters + digits + "_.-~")
_PLUS_QUOTED = {code: chr(code) if chr(code) in _SAFE else f"%{code:02X}" for code in range(128)}
_PLUS_QUOTED[ord(" ")] = "+"


PUBLIC_SCHEMES = ("http", "https")
_FILE_URL = re.compile(r"file://[^\s'\"<>]*")
_QUOTED_PATH = re.compile(r"""(['"])(/[^'"]*)\1""")


def public_url(url: str | None) -> str | None:
    """``url`` when anyone can follow it (http or https), else None.

    A bundled source is a ``file://`` URL on the server: where the server
    keeps its files is no one else's business, and no one else could open it.
    """
    if not url:
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    return url if parts.scheme.lower() in PUBLIC_SCHEMES and parts.netloc else None


def without_local_paths(text: str | None) -> str | None:
    """A message (a source's last error) with the server's paths cut to file names."""
    if not text:
        return text
    text = _FILE_URL.sub(lambda found: _file_name(unquote(found.group(0))), text)
    return _QUOTED_PATH.sub(
        lambda found: found.group(1) + _file_name(found.group(2)) + found.group(1), text
    )


def _file_name(path: str) -> str:
    return path.rstrip("/").rsplit("/", 1)[-1]


def query_string(params: list[tuple[str, str]]) -> str:
    """``urlencode(params)``, at C speed for ASCII text: every search result carries two links.

    ASCII goes through one translation table; anything else through ``quote_plus``.
    """
    return "&".join(f"{_quote_plus(name)}={_quote_plus(value)}" for name, value in params)


def _quote_plus(text: str) -> str:
    return text.translate(_PLUS_QUOTED) if text.isascii() else quote_plus(text)


def absolute(base_url: str, path: str, params: list[tuple[str, str]] | None = None) -> str:
    url = base_url.rstrip("/") + path
    return f"{url}?{query_string(params)}" if params else url


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
    details = public_url(event.url) or public_url(event.source_url)
    if details:
        params.append(("details", details))
    location = event.venue.label()
    if location:
        params.append(("location", location))
    if event.timezone:
        params.append(("ctz", event.timezone))
    return f"{GOOGLE_TEMPLATE}?{query_string(params)}"
