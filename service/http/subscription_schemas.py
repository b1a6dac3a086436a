"""What ``/subscriptions`` reads and answers.

Input is strict: unknown fields, line breaks or control characters anywhere
(the way header injection starts), an address that is not one, a radius out
of range or an unknown sector are all a 422 naming the field. Output never
holds the address, only a masked hint of it.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from email_validator import EmailNotValidError, validate_email
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from service.classify.sectors import get_taxonomy
from service.model import Attendance, FreeTime, Kind
from service.search import DEFAULT_RADIUS_KM, MAX_QUERY_CHARS, MAX_RADIUS_KM

MIN_RADIUS_KM = 1.0
MAX_LIST = 25
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u0085\u2028\u2029]")


def _reject_controls(value: Any, path: str = "") -> None:
    """Raise on a line break or control character in any string of the input."""
    if isinstance(value, str):
        if _CONTROL.search(value):
            where = f" in {path}" if path else ""
            raise ValueError(f"line breaks and control characters are not allowed{where}")
    elif isinstance(value, dict):
        for key, item in value.items():
            _reject_controls(key, path)
            _reject_controls(item, str(key))
    elif isinstance(value, list | tuple):
        for item in value:
            _reject_controls(item, path)


def _sectors(values: list[str]) -> list[str]:
    taxonomy = get_taxonomy()
    for slug in values:
        if slug not in taxonomy:
            raise ValueError(
                f"unknown sector {slug[:50]!r}; known: {', '.join(taxonomy.slugs)} (see /sectors)"
            )
    return list(dict.fromkeys(values))


def _sector_slugs(schema: dict[str, Any]) -> None:
    """The schema of a list of sectors names the known slugs (they come from the taxonomy)."""
    items = schema.get("items")
    if isinstance(items, dict):
        items["enum"] = list(get_taxonomy().slugs)
    else:  # an optional list: anyOf [array, null]
        for option in schema.get("anyOf", []):
            if option.get("type") == "array":
                option["items"]["enum"] = list(get_taxonomy().slugs)


def _timezone(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {value[:64]!r}; use an IANA name") from exc
    return value


class _Preferences(BaseModel):
    """Fields a subscriber sets at creation and may change later."""

    model_config = ConfigDict(extra="forbid")

    near: str | None = Field(
        default=None,
        min_length=1,
        max_length=MAX_QUERY_CHARS,
        description='A place name: "Toronto", "Portland, OR". Or give `lat` and `lon`.',
    )
    # Strict: a number, not true or "12" (JSON's true would otherwise be read as 1.0).
    lat: float | None = Field(default=None, ge=-90, le=90, strict=True)
    lon: float | None = Field(default=None, ge=-180, le=180, strict=True)
    timezone: str | None = Field(
        default=None,
        max_length=64,
        description="IANA time zone of the week; default: the place's, or the nearest city's.",
    )

    @model_validator(mode="before")
    @classmethod
    def _no_control_characters(cls, data: Any) -> Any:
        _reject_controls(data)
        return data

    @model_validator(mode="after")
    def _one_place(self) -> _Preferences:
        if (self.lat is None) != (self.lon is None):
            raise ValueError("give lat and lon together")
        if self.near is not None and self.lat is not None:
            raise ValueError("give either near or lat and lon, not both")
        return self

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str | None) -> str | None:
        return _timezone(value)


class SubscriptionIn(_Preferences):
    """A new subscription; a confirmation email goes to ``email`` first."""

    # The schema says what the checks below say: a place name or both coordinates.
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"anyOf": [{"required": ["near"]}, {"required": ["lat", "lon"]}]},
    )

    email: str = Field(
        max_length=254,
        description="Where the digest goes; never shown again.",
        json_schema_extra={"format": "email"},
    )
    radius_km: float = Field(
        default=DEFAULT_RADIUS_KM, ge=MIN_RADIUS_KM, le=MAX_RADIUS_KM, strict=True
    )
    sectors: list[str] = Field(
        default_factory=list, max_length=MAX_LIST, json_schema_extra=_sector_slugs
    )
    kinds: list[Kind] = Field(default_factory=list, max_length=MAX_LIST)
    attendance: list[Attendance] = Field(default_factory=list, max_length=3)
    free_times: list[FreeTime] = Field(
        default_factory=list,
        max_length=len(FreeTime),
        description="When you can go: weekday_daytime, weekday_evenings, weekends (any if empty).",
    )

    @field_validator("email")
    @classmethod
    def _deliverable_form(cls, value: str) -> str:
        try:
            checked = validate_email(value, check_deliverability=False)
        except EmailNotValidError as exc:
            raise ValueError(f"not an email address: {exc}") from exc
        return checked.normalized

    @field_validator("sectors")
    @classmethod
    def _known_sectors(cls, values: list[str]) -> list[str]:
        return _sectors(values)

    @model_validator(mode="after")
    def _has_place(self) -> SubscriptionIn:
        if self.near is None and self.lat is None:
            raise ValueError("give near (a place name), or lat and lon")
        return self


class SubscriptionPatch(_Preferences):
    """Only the fields given change; the address cannot (subscribe it anew)."""

    radius_km: float | None = Field(default=None, ge=MIN_RADIUS_KM, le=MAX_RADIUS_KM, strict=True)
    sectors: list[str] | None = Field(
        default=None, max_length=MAX_LIST, json_schema_extra=_sector_slugs
    )
    kinds: list[Kind] | None = Field(default=None, max_length=MAX_LIST)
    attendance: list[Attendance] | None = Field(default=None, max_length=3)
    free_times: list[FreeTime] | None = Field(default=None, max_length=len(FreeTime))

    @field_validator("sectors")
    @classmethod
    def _known_sectors(cls, values: list[str] | None) -> list[str] | None:
        return None if values is None else _sectors(values)


class SubscriptionLinksOut(BaseModel):
    self: str = Field(description="This subscription: GET, PATCH, DELETE.")
    digest: str = Field(description="This week's digest as a page (`?format=` text, md, json).")
    feed: str = Field(description="The weekly digest as an Atom feed.")
    unsubscribe: str = Field(description="One-click unsubscribe (POST), or a page (GET).")


class SubscriptionOut(BaseModel):
    status: str = Field(description="pending (not confirmed yet), active or unsubscribed.")
    email: str = Field(description="The address, masked: j•••@e•••.org.")
    near: str | None
    lat: float
    lon: float
    radius_km: float
    timezone: str
    sectors: list[str]
    kinds: list[Kind]
    attendance: list[Attendance]
    free_times: list[FreeTime]
    created: datetime
    confirmed: datetime | None
    unsubscribed: datetime | None
    links: SubscriptionLinksOut


class SubscriptionCreated(BaseModel):
    token: str = Field(description="The key to this subscription: keep it; it is not shown again.")
    message: str
    subscription: SubscriptionOut


def mask_email(address: str) -> str:
    """Enough to recognise one's own address, not enough to read someone else's."""
    local, _, domain = address.rpartition("@")
    host, dot, tld = domain.rpartition(".")
    if not host:
        host, dot, tld = domain, "", ""
    return f"{local[:1]}•••@{host[:1]}•••{dot}{tld}"
