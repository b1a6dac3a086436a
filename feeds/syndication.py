"""A search as a reading list: Atom (RFC 4287), JSON Feed 1.1 and CSV.

Built like the iCalendar feed (:mod:`feeds.ical`): each event becomes one
block of finished bytes that depends only on the event's version, the
options' :meth:`SyndicationOptions.block_key` and its "why" lines, so a
server may keep blocks per event version and join them again; the feed
around them (:func:`assemble`) adds the head and, for Atom, the newest
``updated``. Nothing depends on the moment of rendering.

Every text value is stripped of what XML cannot hold; CSV cells that a
spreadsheet would run as a formula are quoted with a leading apostrophe.

Pure: the standard library, ``service.model`` and ``service.text`` only.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal
from urllib.parse import quote, urlsplit
from xml.etree import ElementTree

from service.model import Event, Status
from service.text import labels, phrases, syndication
from service.text.labels import KIND_LABELS, STATUS_LABELS

Format = Literal["atom", "json", "csv"]
FORMATS: tuple[Format, ...] = ("atom", "json", "csv")

ATOM_NS = "http://www.w3.org/2005/Atom"
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"
SUMMARY_LIMIT = 2000
"""Characters of the source's description kept; the event's page has the rest."""

CSV_COLUMNS: tuple[str, ...] = (
    "id",
    "title",
    "kind",
    "sectors",
    "start",
    "end",
    "timezone",
    "all_day",
    "attendance",
    "status",
    "venue_name",
    "address",
    "city",
    "region",
    "country",
    "lat",
    "lon",
    "url",
    "organizer",
    "price",
    "currency",
    "is_free",
    "source",
    "first_seen",
    "updated",
    "page_url",
    "why",
)
"""The columns of the CSV, in order: the event's JSON names, flattened."""

SOURCE_FILES: tuple[Path, ...] = (
    Path(__file__),
    *(Path(str(module.__file__)) for module in (labels, phrases, syndication)),
)
"""Every file whose code or words decide these feeds' bytes."""

_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class SyndicationOptions:
    """The feed's own facts: its format, name, where it lives and where its page is."""

    format: Format
    name: str = "meetscout events"
    description: str = ""
    feed_url: str = "http://127.0.0.1:8000/feeds/events.atom"
    home_url: str = "http://127.0.0.1:8000/"
    base_url: str = "http://127.0.0.1:8000"
    updated_floor: datetime | None = None
    """Atom's feed ``updated`` when no event is newer (when the feed's window last moved)."""

    def __post_init__(self) -> None:
        if self.format not in FORMATS:
            raise ValueError(f"format must be one of {', '.join(FORMATS)}, got {self.format!r}")
        for name in ("feed_url", "home_url", "base_url"):
            if urlsplit(getattr(self, name)).scheme not in ("http", "https"):
                raise ValueError(f"{name} must be an http(s) URL, got {getattr(self, name)!r}")

    def block_key(self) -> tuple[object, ...]:
        """What one event's block depends on besides the event: not the feed's name or URL."""
        return (self.format, self.base_url)


@dataclass(frozen=True, slots=True)
class EntryBlock:
    """One event's entry, item or row as finished bytes, and when the event last changed."""

    data: bytes = b""
    updated: datetime | None = None


def render_block(
    event: Event,
    *,
    now: datetime | None = None,
    options: SyndicationOptions,
    why: Sequence[str] | None = None,
) -> EntryBlock:
    """One event in the options' format; ``now`` is unused (the bytes never depend on it)."""
    del now
    lines = [_clean(line) for line in why or () if _clean(line)]
    if options.format == "atom":
        data = _atom_entry(event, options, lines)
    elif options.format == "json":
        data = json.dumps(_json_item(event, options, lines), ensure_ascii=False).encode()
    else:
        data = _csv_line([_csv_row(event, options, lines)])
    return EntryBlock(data=data, updated=event.updated)


def assemble(blocks: Iterable[EntryBlock], *, options: SyndicationOptions) -> bytes:
    """The whole feed around ``blocks``, in their order."""
    kept = [block for block in blocks if block.data]
    if options.format == "csv":
        return _csv_line([list(CSV_COLUMNS)]) + b"".join(block.data for block in kept)
    if options.format == "json":
        head = json.dumps(_json_head(options), ensure_ascii=False)
        items = b",\n".join(block.data for block in kept)
        return head[:-1].encode() + b', "items": [\n' + items + b"\n]}\n"
    moments = [block.updated for block in kept if block.updated is not None]
    if options.updated_floor is not None:
        moments.append(options.updated_floor)
    updated = max(moments) if moments else datetime(1970, 1, 1, tzinfo=UTC)
    return b"".join(
        [
            b'<?xml version="1.0" encoding="utf-8"?>\n',
            _atom_head(options, updated),
            *(block.data for block in kept),
            b"</feed>\n",
        ]
    )


def render_feed(
    events: Iterable[Event],
    *,
    options: SyndicationOptions,
    why: dict[str, list[str]] | None = None,
) -> bytes:
    """A whole feed of ``events`` in their order (for callers that keep no blocks)."""
    reasons = why or {}
    return assemble(
        (render_block(event, options=options, why=reasons.get(event.id)) for event in events),
        options=options,
    )


# What every format says about an event


def page_url(event: Event, options: SyndicationOptions) -> str:
    """The event on meetscout, for people."""
    return f"{options.base_url.rstrip('/')}/e/{quote(event.id, safe='')}"


def _clean(value: object) -> str:
    return _NOT_XML.sub("", str(value)) if value is not None else ""


def _title(event: Event) -> str:
    title = " ".join(_clean(event.title).split())
    status = STATUS_LABELS.get(event.status)
    return f"{status}: {title}" if status and event.status == Status.CANCELLED else title


def _summary(event: Event, lines: Sequence[str]) -> str:
    """When, where, what and why, then the source's own description."""
    head = [
        phrases.when_text(event, event.zone),
        phrases.where_text(event),
        KIND_LABELS[event.kind],
    ]
    price = phrases.price_text(event)
    if price:
        head.append(price)
    if event.organizer:
        head.append(syndication.HOSTED_BY.format(name=_clean(event.organizer)))
    text = "\n".join(_clean(line) for line in head)
    if lines:
        text += "\n" + syndication.WHY.format(reasons="; ".join(lines))
    note = labels.STATUS_NOTES.get(event.status)
    if note:
        text = f"{note}\n{text}"
    description = _clean(event.description).strip()
    if description:
        text += "\n\n" + description[:SUMMARY_LIMIT]
    return text


def _moment(value: datetime | None) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z") if value else ""


def _url(value: str | None) -> str | None:
    if not value:
        return None
    cleaned = _clean(value).strip()
    return cleaned if urlsplit(cleaned).scheme in ("http", "https") else None


# Atom


def _element(parent: ElementTree.Element, tag: str, text: str = "", **attrs: str) -> None:
    child = ElementTree.SubElement(parent, tag, attrs)
    if text:
        child.text = text


def _atom_entry(event: Event, options: SyndicationOptions, lines: Sequence[str]) -> bytes:
    entry = ElementTree.Element("entry")
    url = page_url(event, options)
    _element(entry, "id", url)
    _element(entry, "title", _title(event))
    _element(entry, "updated", _moment(event.updated or event.start))
    if event.first_seen is not None:
        _element(entry, "published", _moment(event.first_seen))
    _element(entry, "link", rel="alternate", type="text/html", href=url)
    external = _url(event.url)
    if external:
        _element(entry, "link", rel="related", type="text/html", href=external)
    if event.organizer:
        author = ElementTree.SubElement(entry, "author")
        _element(author, "name", " ".join(_clean(event.organizer).split()))
    _element(entry, "category", term=event.kind.value, label=KIND_LABELS[event.kind])
    for sector in event.sectors:
        _element(entry, "category", term=_clean(sector))
    _element(entry, "summary", _summary(event, lines), type="text")
    return ElementTree.tostring(entry, encoding="unicode").encode() + b"\n"


def _atom_head(options: SyndicationOptions, updated: datetime) -> bytes:
    feed = ElementTree.Element("feed", xmlns=ATOM_NS)
    _element(feed, "id", options.feed_url)
    _element(feed, "title", _clean(options.name))
    if options.description:
        _element(feed, "subtitle", _clean(options.description))
    _element(feed, "updated", _moment(updated))
    _element(feed, "link", rel="self", type="application/atom+xml", href=options.feed_url)
    _element(feed, "link", rel="alternate", type="text/html", href=options.home_url)
    author = ElementTree.SubElement(feed, "author")
    _element(author, "name", "meetscout")
    _element(feed, "generator", "meetscout")
    text = ElementTree.tostring(feed, encoding="unicode")
    return text.removesuffix("</feed>").encode() + b"\n"


# JSON Feed 1.1


def _json_head(options: SyndicationOptions) -> dict[str, object]:
    head: dict[str, object] = {
        "version": JSON_FEED_VERSION,
        "title": _clean(options.name),
        "home_page_url": options.home_url,
        "feed_url": options.feed_url,
        "authors": [{"name": "meetscout"}],
    }
    if options.description:
        head["description"] = _clean(options.description)
    return head


def _json_item(
    event: Event, options: SyndicationOptions, lines: Sequence[str]
) -> dict[str, object]:
    item: dict[str, object] = {
        "id": event.id,
        "url": page_url(event, options),
        "title": _title(event),
        "content_text": _summary(event, lines),
        "date_published": _moment(event.first_seen or event.updated or event.start),
        "date_modified": _moment(event.updated or event.start),
        "tags": list(dict.fromkeys([event.kind.value, *map(_clean, event.sectors)])),
    }
    external = _url(event.url)
    if external:
        item["external_url"] = external
    if event.organizer:
        item["authors"] = [{"name": " ".join(_clean(event.organizer).split())}]
    item["_meetscout"] = {
        "start": event.start.isoformat(),
        "end": event.end.isoformat() if event.end else None,
        "timezone": event.timezone,
        "all_day": event.all_day,
        "kind": event.kind.value,
        "attendance": event.attendance.value,
        "status": event.status.value,
        "venue": {
            "name": event.venue.name,
            "address": event.venue.address,
            "city": event.venue.city,
            "region": event.venue.region,
            "country": event.venue.country,
            "lat": event.venue.lat,
            "lon": event.venue.lon,
        },
        "is_free": event.is_free,
        "price": event.price,
        "currency": event.currency,
        "why": list(lines),
    }
    return item


# CSV


def _csv_row(event: Event, options: SyndicationOptions, lines: Sequence[str]) -> list[str]:
    venue = event.venue
    values: dict[str, object] = {
        "id": event.id,
        "title": _text_cell(event.title),
        "kind": event.kind.value,
        "sectors": ";".join(event.sectors),
        "start": event.start.isoformat(),
        "end": event.end.isoformat() if event.end else "",
        "timezone": event.timezone,
        "all_day": "true" if event.all_day else "false",
        "attendance": event.attendance.value,
        "status": event.status.value,
        "venue_name": _text_cell(venue.name),
        "address": _text_cell(venue.address),
        "city": _text_cell(venue.city),
        "region": _text_cell(venue.region),
        "country": _text_cell(venue.country),
        "lat": "" if venue.lat is None else repr(venue.lat),
        "lon": "" if venue.lon is None else repr(venue.lon),
        "url": _url(event.url),
        "organizer": _text_cell(event.organizer),
        "price": "" if event.price is None else repr(event.price),
        "currency": _text_cell(event.currency),
        "is_free": "" if event.is_free is None else ("true" if event.is_free else "false"),
        "source": _text_cell(event.source),
        "first_seen": event.first_seen.isoformat() if event.first_seen else "",
        "updated": event.updated.isoformat() if event.updated else "",
        "page_url": page_url(event, options),
        "why": _text_cell("; ".join(lines)),
    }
    return ["" if values[name] is None else str(values[name]) for name in CSV_COLUMNS]


def _text_cell(value: str | None) -> str:
    """Text a spreadsheet shows as text: a leading ``=``, ``+``, ``-`` or ``@`` gets a quote."""
    if not value:
        return ""
    cleaned = _clean(value)
    return "'" + cleaned if cleaned.startswith(_FORMULA_START) else cleaned


def _csv_line(rows: Iterable[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode()
