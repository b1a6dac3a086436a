"""``sources.toml``: what to crawl, validated on load.

A source is data, not code: its ``type`` picks the spider, everything else
is that spider's input. Errors name the entry and the field.
"""

from __future__ import annotations

import re
import tomllib
from datetime import timedelta
from pathlib import Path
from typing import Literal
from urllib.parse import urlparse
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from service.model import Kind

SOURCE_TYPES = ("ics", "confs_tech", "jsonld", "deadlines", "tribe_api")
SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
SHORT_DURATION = re.compile(r"(?P<amount>\d{1,6})\s*(?P<unit>m|h|d)")
DURATION_UNITS = {"m": "minutes", "h": "hours", "d": "days"}
MIN_REFRESH = timedelta(minutes=15)
MAX_REFRESH = timedelta(days=30)


class SourcesError(ValueError):
    """``sources.toml`` is missing, unreadable or invalid."""


class Location(BaseModel):
    """Where a source's events are when the events themselves do not say."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = None
    address: str | None = None
    city: str | None = None
    region: str | None = None
    country: str | None = None
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)


class Source(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    type: Literal["ics", "confs_tech", "jsonld", "deadlines", "tribe_api"]
    url: str
    kind: Kind | None = None
    sectors: tuple[str, ...] = ()
    location: Location | None = None
    timezone: str | None = None
    days_back: int | None = Field(default=None, ge=0, le=3650)
    days_ahead: int | None = Field(default=None, ge=1, le=3650)
    years: tuple[int, ...] = ()
    topics: tuple[str, ...] = ()
    follow: str | None = None
    next: str | None = None
    max_pages: int = Field(default=20, ge=1, le=500)
    refresh: timedelta | None = None
    """How often the scheduler crawls it: "30m", "6h", "2d" or ISO 8601 ("PT6H"). Unset,
    what its feed asks for (``REFRESH-INTERVAL``), else ``MEETSCOUT_CRAWL_REFRESH_MINUTES``."""
    paused: bool = False
    """Left out of every crawl but one that names it (the operator's pause)."""
    hold: bool = False
    """New events wait for the operator's approval before anything shows them."""
    host: str | None = Field(default=None, min_length=1, max_length=200)
    """Who runs the events the source lists, when an event does not say."""
    host_url: str | None = None
    """That host's own website."""
    single_host: bool = False
    """The feed is one host's calendar: its own name (X-WR-CALNAME) names the host."""

    @field_validator("name")
    @classmethod
    def _slug(cls, value: str) -> str:
        if not SLUG.match(value):
            raise ValueError("must be a slug: lowercase letters, digits, '-' or '_'")
        return value

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        scheme = urlparse(value).scheme
        if scheme not in ("http", "https", "file"):
            raise ValueError(f"must be an http(s) or file URL, got {value!r}")
        return value

    @field_validator("host_url")
    @classmethod
    def _host_url(cls, value: str | None) -> str | None:
        if value is not None and urlparse(value).scheme not in ("http", "https"):
            raise ValueError(f"must be an http(s) URL, got {value!r}")
        return value

    @field_validator("refresh", mode="before")
    @classmethod
    def _short_durations(cls, value: object) -> object:
        """ "30m", "6h" and "2d" besides pydantic's ISO 8601 and seconds."""
        if isinstance(value, str):
            short = SHORT_DURATION.fullmatch(value.strip().lower())
            if short:
                return timedelta(**{DURATION_UNITS[short["unit"]]: int(short["amount"])})
        return value

    @field_validator("refresh")
    @classmethod
    def _sensible_refresh(cls, value: timedelta | None) -> timedelta | None:
        if value is not None and not (MIN_REFRESH <= value <= MAX_REFRESH):
            raise ValueError('between 15 minutes and 30 days, e.g. "6h"')
        return value

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown IANA time zone {value!r}") from exc
        return value


def load_sources(path: Path) -> list[Source]:
    """Read and validate every ``[[source]]`` of ``path``.

    Relative paths in ``url`` are resolved against the file's own folder and
    become ``file://`` URLs, so the bundled snapshot works from any directory.
    """
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise SourcesError(f"{path}: no such sources file") from exc
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise SourcesError(f"{path}: cannot read: {exc}") from exc
    entries = data.get("source", [])
    if not isinstance(entries, list):
        raise SourcesError(f"{path}: 'source' must be an array of tables ([[source]])")
    unknown = set(data) - {"source"}
    if unknown:
        raise SourcesError(f"{path}: unknown top-level keys {sorted(unknown)}")
    sources: list[Source] = []
    seen: set[str] = set()
    for index, entry in enumerate(entries, start=1):
        label = entry.get("name", f"#{index}") if isinstance(entry, dict) else f"#{index}"
        if isinstance(entry, dict) and isinstance(entry.get("url"), str):
            entry = {**entry, "url": _resolve(entry["url"], path.parent)}
        try:
            source = Source.model_validate(entry)
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in err['loc']) or 'entry'}: {err['msg']}"
                for err in exc.errors()
            )
            raise SourcesError(f"{path}: source {label!s}: {problems}") from None
        if source.name in seen:
            raise SourcesError(f"{path}: source {source.name}: name: used twice")
        seen.add(source.name)
        sources.append(source)
    return sources


def crawlable(sources: list[Source], *, named: str | None = None) -> list[Source]:
    """The sources a crawl runs: the one ``named`` (paused or not), else every unpaused one."""
    if named is not None:
        return [source for source in sources if source.name == named]
    return [source for source in sources if not source.paused]


def _resolve(url: str, base: Path) -> str:
    if "://" in url:
        return url
    return (base / url).resolve().as_uri()
