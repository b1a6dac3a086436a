"""Settings from ``MEETSCOUT_*`` environment variables.

Built on demand by :func:`get_settings` (cached) so that importing a module
never reads the environment; tests build their own :class:`Settings`.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MEETSCOUT_", extra="ignore")

    database_url: str = Field(
        default=f"sqlite:///{PROJECT_ROOT / 'var' / 'meetscout.db'}",
        description="SQLAlchemy URL of the store; a SQLite file by default.",
    )
    sources: Path = Field(
        default=PROJECT_ROOT / "sources.toml",
        description="The sources file the crawl reads.",
    )
    base_url: str = Field(
        default="http://127.0.0.1:8000",
        description="Public address of the service, used in feed and subscription links.",
    )
    host: str = Field(default="127.0.0.1", description="Address `meetscout serve` listens on.")
    port: int = Field(default=8000, description="Port `meetscout serve` listens on.")
    crawl_days_back: int = Field(
        default=7, ge=0, description="Crawl window: days before today to keep events from."
    )
    crawl_days_ahead: int = Field(
        default=365, ge=1, description="Crawl window: days after today to expand events to."
    )
    http_cache_dir: Path = Field(
        default=PROJECT_ROOT / "var" / "httpcache",
        description="Where the crawl keeps fetched pages for conditional re-fetching.",
    )
    log_level: str = Field(default="INFO", description="Log level of the crawl and the server.")


@lru_cache
def get_settings() -> Settings:
    return Settings()
