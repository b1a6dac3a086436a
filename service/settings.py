"""Settings from ``MEETSCOUT_*`` environment variables.

Built on demand by :func:`get_settings` (cached) so that importing a module
never reads the environment; tests build their own :class:`Settings`.
"""

from __future__ import annotations

import importlib.util
import ipaddress
import re
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from platformdirs import user_data_path
from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
"""The source checkout, or site-packages when meetscout is installed from a wheel."""
IN_CHECKOUT = (PROJECT_ROOT / "pyproject.toml").is_file()
BUNDLE = PROJECT_ROOT / ("data" if IN_CHECKOUT else "meetscout_bundle")
"""The bundled sources file, its recording (``snapshot/``) and the live example sources;
``data/`` of the checkout, installed as the ``meetscout_bundle`` package data."""
SOURCES_FILE = "sources.toml"


def default_data_dir() -> Path:
    """Where the store and the crawl's caches live when ``MEETSCOUT_DATA_DIR`` does not say.

    A checkout keeps them in its ``var/``; an installed meetscout in ``var/`` of the
    working folder when that folder has a sources file of its own (``meetscout init``),
    else in the platform's data folder (``~/.local/share/meetscout`` on Linux).
    """
    if IN_CHECKOUT:
        return PROJECT_ROOT / "var"
    if (Path.cwd() / SOURCES_FILE).is_file():
        return Path.cwd() / "var"
    return user_data_path("meetscout", appauthor=False)


def in_data_dir(folder: Path) -> dict[str, Any]:
    """The settings that default to a place in the data folder, there."""
    return {
        "database_url": f"sqlite:///{folder / 'meetscout.db'}",
        "http_cache_dir": folder / "httpcache",
        "geocoder_cache": folder / "geocode-cache.sqlite3",
    }


def default_sources() -> Path:
    """The sources file when ``MEETSCOUT_SOURCES`` does not say: the working folder's own
    ``sources.toml`` for an installed meetscout, else the bundled recording's."""
    if not IN_CHECKOUT and (Path.cwd() / SOURCES_FILE).is_file():
        return Path.cwd() / SOURCES_FILE
    return BUNDLE / SOURCES_FILE


HOST_NAME = re.compile(r"[a-z0-9]([a-z0-9-]{0,62}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,62}[a-z0-9])?)*")


def _is_network(entry: str) -> bool:
    try:
        ipaddress.ip_network(entry, strict=False)
    except ValueError:
        return False
    return True


class ScoreWeights(BaseModel):
    """How much each part counts; ``MEETSCOUT_SCORE_WEIGHTS`` takes them as JSON."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    proximity: float = Field(default=3.0, ge=0, le=100, description="Closer is better.")
    sector: float = Field(default=2.0, ge=0, le=100, description="Your sector is its main one.")
    soon: float = Field(default=1.5, ge=0, le=100, description="Sooner is better.")
    kind: float = Field(default=2.0, ge=0, le=100, description="A format where people talk.")
    in_person: float = Field(default=1.0, ge=0, le=100, description="In person beats online.")
    free: float = Field(default=0.5, ge=0, le=100, description="Free beats paid.")
    proximity_half_km: float = Field(
        default=10.0, gt=0, le=500, description="Distance at which proximity counts half."
    )
    soon_half_days: float = Field(
        default=14.0, gt=0, le=365, description="Days ahead at which soonness counts half."
    )

    @model_validator(mode="after")
    def _some_weight(self) -> ScoreWeights:
        if not any((self.proximity, self.sector, self.soon, self.kind, self.in_person, self.free)):
            raise ValueError("at least one weight must be above zero")
        return self


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MEETSCOUT_", extra="ignore")

    data_dir: Path = Field(
        default_factory=default_data_dir,
        description="Where the SQLite store, the crawl's HTTP cache and the geocoder's "
        "answers are kept: var/ of a checkout, or of the working folder when it has a "
        "sources.toml; else the platform's data folder.",
    )
    database_url: str = Field(
        default_factory=lambda: in_data_dir(default_data_dir())["database_url"],
        description="SQLAlchemy URL of the store; a SQLite file in the data folder by default.",
    )
    redis_url: str | None = Field(
        default=None,
        description="Spread the crawl over processes and machines with scrapy-redis: the Redis "
        "they share (redis://host:6379/0). Every `meetscout crawl` given the same sources "
        "takes its share of them; unset, each crawl works alone.",
    )
    redis_prefix: str = Field(
        default="meetscout",
        min_length=1,
        max_length=100,
        pattern=r"^[A-Za-z0-9_.:-]+$",
        description="What every Redis key of the crawl starts with: installs sharing a Redis "
        "set one each.",
    )
    sources: Path = Field(
        default_factory=default_sources,
        description="The sources file the crawl reads: the working folder's sources.toml "
        "(installed meetscout), else the bundled recording's.",
    )
    base_url: str = Field(
        default="http://127.0.0.1:8000",
        description="Public address of the service, used in feed and subscription links.",
    )
    host: str = Field(default="127.0.0.1", description="Address `meetscout serve` listens on.")
    port: int = Field(default=8000, description="Port `meetscout serve` listens on.")
    threads: int = Field(
        default=8,
        ge=1,
        le=256,
        description="Requests each server worker answers at once in threads (searches, feeds, "
        "pages); the others wait their turn. Every thread reads through a store connection "
        "with its own page cache and leaves heap of its own behind: more threads than cores "
        "cost a worker memory, not speed.",
    )
    search_cache_mb: float = Field(
        default=8,
        ge=0,
        le=4096,
        description="Server: memory each worker keeps for the whole events of result pages, "
        "read again when a search is asked again; 0 reads them from the store every time.",
    )
    feed_cache_mb: float = Field(
        default=6,
        ge=0,
        le=4096,
        description="Server: memory each worker keeps for calendar entries once rendered, "
        "rendered again when a feed is asked again; 0 renders them every time.",
    )
    crawl_days_back: int = Field(
        default=7, ge=0, description="Crawl window: days before today to keep events from."
    )
    crawl_days_ahead: int = Field(
        default=365, ge=1, description="Crawl window: days after today to expand events to."
    )
    crawl_refresh_minutes: int = Field(
        default=360,
        ge=15,
        le=43_200,
        description="Scheduled crawls: minutes between two crawls of a source whose sources.toml "
        "entry sets no refresh and whose feed asks for no REFRESH-INTERVAL.",
    )
    http_cache_dir: Path = Field(
        default_factory=lambda: in_data_dir(default_data_dir())["http_cache_dir"],
        description="Where the crawl keeps fetched pages for conditional re-fetching.",
    )
    feed_horizon_days: int = Field(
        default=180, ge=1, le=3660, description="Feeds: days ahead a calendar feed reaches."
    )
    feed_refresh_hours: int = Field(
        default=6,
        ge=1,
        le=168,
        description="Feeds: hours calendar apps and HTTP caches wait before polling again.",
    )
    smtp_url: SecretStr | None = Field(
        default=None,
        description="Digest: SMTP server, smtp://, smtp+starttls:// or smtps://user:pass@host:port.",
    )
    mail_from: str = Field(
        default="meetscout <meetscout@localhost>",
        description="Digest: the From address of digest and confirmation emails.",
    )
    subscribe_burst: int = Field(
        default=5, ge=1, le=10_000, description="Subscriptions one client may create at once."
    )
    subscribe_per_hour: float = Field(
        default=10, gt=0, le=100_000, description="Subscriptions one client may add per hour."
    )
    digest_retry_minutes: int = Field(
        default=30,
        ge=1,
        le=10_080,
        description="Digest: minutes before a send that a crashed run left unfinished is retried.",
    )
    digest_max_attempts: int = Field(
        default=5, ge=1, le=100, description="Digest: tries per subscription and week."
    )
    log_level: Literal["CRITICAL", "ERROR", "WARNING", "INFO", "DEBUG"] = Field(
        default="INFO",
        description="Log level of the crawl and the server: CRITICAL, ERROR, WARNING, INFO or "
        "DEBUG.",
    )
    geocoder: Literal["none", "nominatim"] = Field(
        default="none",
        description="Locating venues the offline gazetteer cannot: none, or OpenStreetMap's "
        "Nominatim (1 request a second, cached).",
    )
    contact: str | None = Field(
        default=None,
        min_length=3,
        max_length=200,
        description="How the sites crawled and Nominatim reach whoever runs this instance "
        "(a URL or an email address), sent in the crawl's User-Agent; needed for Nominatim.",
    )
    geocoder_cache: Path = Field(
        default_factory=lambda: in_data_dir(default_data_dir())["geocoder_cache"],
        description="Where Nominatim answers are kept, so each address is asked once.",
    )
    fetch_allow: Annotated[tuple[str, ...], NoDecode] = Field(
        default=(),
        description="Hosts or address ranges (CIDR) the crawl may fetch although they are "
        "private, loopback or link-local, comma-separated: an intranet calendar, "
        "e.g. calendar.corp.example,10.1.2.0/24.",
    )
    score_weights: ScoreWeights = Field(
        default_factory=ScoreWeights,
        description="Weights of the meet-someone-new score, as JSON.",
    )
    admin_token: SecretStr | None = Field(
        default=None,
        min_length=16,
        description="Turns on the operator's pages under /admin (sources, suggestions, held "
        "events, corrections) and the visitors' suggestion form: the secret the operator signs "
        "in with, 16 characters or more. Unset, those pages do not exist.",
    )
    suggest_burst: int = Field(
        default=3, ge=1, le=10_000, description="Calendar suggestions one client may send at once."
    )
    suggest_per_hour: float = Field(
        default=6, gt=0, le=100_000, description="Calendar suggestions one client may add per hour."
    )
    replay_at: datetime | None = Field(
        default=None,
        description="Replay a recording: the moment (ISO 8601 with its offset) the crawl, the "
        "search, the feeds and the digest take as now, every face saying it shows a recording "
        "made then. `make run` sets it for the bundled recording; unset, the real clock.",
    )

    def now(self) -> datetime:
        """What "now" is: the replayed recording's moment, else the real clock."""
        return self.replay_at if self.replay_at is not None else datetime.now(UTC)

    @model_validator(mode="before")
    @classmethod
    def _kept_in_the_data_dir(cls, values: Any) -> Any:
        """A data folder that is set moves what defaults to being kept in it."""
        if isinstance(values, dict) and values.get("data_dir"):
            defaults = in_data_dir(Path(values["data_dir"]))
            values = {**defaults, **{k: v for k, v in values.items() if v is not None}}
        return values

    @field_validator("log_level", mode="before")
    @classmethod
    def _level_in_any_case(cls, value: object) -> object:
        return value.strip().upper() if isinstance(value, str) else value

    @field_validator("database_url")
    @classmethod
    def _a_store_this_install_can_open(cls, value: str) -> str:
        """A URL SQLAlchemy reads, of a database whose driver is installed."""
        try:
            url = make_url(value)
        except ArgumentError:
            raise ValueError(
                "not a database URL; e.g. sqlite:////var/lib/meetscout.db or "
                "postgresql+psycopg://user@host/meetscout"
            ) from None
        if url.get_backend_name() not in ("sqlite", "postgresql"):
            raise ValueError(f"{url.get_backend_name()!r}: only sqlite and postgresql are stores")
        try:
            url.get_dialect().import_dbapi()
        except ImportError as error:
            raise ValueError(
                f"the driver for {url.drivername} is not installed ({error})"
            ) from None
        return value

    @field_validator("redis_url")
    @classmethod
    def _a_redis_with_scrapy_redis_installed(cls, value: str | None) -> str | None:
        """A Redis URL, and the optional scrapy-redis that crawls over it installed."""
        if value is None or not value.strip():
            return None
        if urlsplit(value).scheme not in ("redis", "rediss", "unix"):
            raise ValueError("a Redis URL, e.g. redis://127.0.0.1:6379/0")
        if importlib.util.find_spec("scrapy_redis") is None:
            raise ValueError("scrapy-redis is not installed: pip install 'meetscout[redis]'")
        return value

    @field_validator("base_url")
    @classmethod
    def _an_address_people_can_open(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError("an http:// or https:// address, e.g. https://events.example.org")
        return value

    @field_validator("fetch_allow", mode="before")
    @classmethod
    def _hosts_or_ranges(cls, value: object) -> object:
        """Comma-separated in the environment; each entry a host name or an address range."""
        if isinstance(value, str):
            value = [part for part in value.split(",")]
        if not isinstance(value, list | tuple):
            return value
        entries = tuple(str(part).strip().lower() for part in value if str(part).strip())
        for entry in entries:
            if not (_is_network(entry) or HOST_NAME.fullmatch(entry)):
                raise ValueError(f"{entry!r}: neither a host name nor an address range (CIDR)")
        return entries

    @field_validator("contact")
    @classmethod
    def _one_printable_line(cls, value: str | None) -> str | None:
        """Sent in a header (ASCII), inside the agent's parentheses."""
        if value is not None and any(
            not (char.isascii() and char.isprintable()) or char in "()" for char in value
        ):
            raise ValueError("one line of printable ASCII, without parentheses")
        return value

    @field_validator("replay_at")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        """A moment, not a wall-clock time: without its offset it would mean a different
        instant on every machine."""
        if value is not None and value.tzinfo is None:
            raise ValueError("give the offset too, e.g. 2026-08-22T02:23:29Z")
        return value.astimezone(UTC) if value is not None else None

    @model_validator(mode="after")
    def _nominatim_needs_a_contact(self) -> Settings:
        """Nominatim's usage policy asks every application to say who to contact."""
        if self.geocoder == "nominatim" and not self.contact:
            raise ValueError(
                "MEETSCOUT_GEOCODER=nominatim needs MEETSCOUT_CONTACT (a URL or an email "
                "address Nominatim's operators can reach you at)"
            )
        return self


@lru_cache
def get_settings() -> Settings:
    return Settings()
