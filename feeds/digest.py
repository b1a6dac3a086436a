"""The weekly digest as text, Markdown, JSON, HTML and Atom.

Pure renderers: a :class:`service.model.Digest` and its links in, a string
or bytes out. Everything an event source wrote passes through one cleaning
step (:func:`view`) that removes control characters, folds one-line fields
onto one line and keeps only http(s) links, so no title can become markup,
a header or a ``javascript:`` link. HTML is then autoescaped by Jinja2,
Markdown escaped by :func:`markdown_escape`, and Atom built as XML by
ElementTree (HTML content escaped a second time, as Atom ``type="html"``
requires).
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time
from functools import lru_cache
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from feeds.ical import safe_url
from service.model import Digest, DigestItem
from service.text.advice import GOING_LINK
from service.text.labels import CHANGE_LABELS, KIND_LABELS
from service.text.phrases import distance_text, km_text

TEMPLATES = Path(__file__).resolve().parent / "templates"
ATOM_NS = "http://www.w3.org/2005/Atom"
GENERATOR = "meetscout"

LINE_LIMIT = 300
TEXT_LIMIT = 600

_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_SPACES = re.compile(r"\s+")
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|~&])")
_MARKDOWN_LINE_START = re.compile(r"^(\s*)(\d*)([-+#>=.)])")


@dataclass(frozen=True)
class DigestLinks:
    """Where a reader goes from the digest; any may be missing (a preview has no token)."""

    page: str | None = None
    manage: str | None = None
    unsubscribe: str | None = None
    feed: str | None = None
    wider: str | None = None
    online: str | None = None
    going: str | None = None
    """The subscriber's private "I'm going" list: marks there drive the follow-up."""


LINK_NAMES = ("page", "manage", "unsubscribe", "feed", "wider", "online", "going")


# Cleaning


def line(value: object, limit: int = LINE_LIMIT) -> str:
    """One line of plain text: no control characters, runs of white space as one space."""
    if value is None:
        return ""
    text = _SPACES.sub(" ", _CONTROLS.sub("", str(value))).strip()
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text


def markdown_escape(value: object) -> str:
    """Text that Markdown shows as written: no emphasis, links or raw HTML."""
    escaped = _MARKDOWN_SPECIAL.sub(r"\\\1", str(value))
    return _MARKDOWN_LINE_START.sub(r"\1\2\\\3", escaped, count=1)


def markdown_url(value: object) -> str:
    """A URL inside ``<...>``: the characters that would end it are encoded."""
    return str(value).replace("<", "%3C").replace(">", "%3E").replace(" ", "%20")


def distance(value: float | None) -> str | None:
    return None if value is None else km_text(value)


def _item_view(item: DigestItem) -> dict[str, Any]:
    event, prep = item.event, item.preparation
    away = None if item.distance_km is None else distance_text(item.distance_km, event)
    return {
        "id": event.id,
        "role": item.role,
        "title": line(event.title),
        "url": safe_url(event.url) or safe_url(event.source_url),
        "when": line(item.when),
        "repeats": line(item.rhythm) or None,
        "where": line(item.where),
        "distance": away,
        # Said once, beside the place, as the web page does.
        "why": [line(reason) for reason in item.why if line(reason) and reason != away],
        "fits_free_time": item.fits_free_time,
        "is_new": item.is_new,
        "kind": KIND_LABELS[event.kind],
        "prepare": {
            "host": line(prep.host) or None,
            "host_url": safe_url(prep.host_url),
            "research": line(prep.research, TEXT_LIMIT),
            "opener": line(prep.opener, TEXT_LIMIT),
            "tip": line(prep.tip, TEXT_LIMIT),
            "ask": line(prep.ask, TEXT_LIMIT),
            "resume": line(prep.resume, TEXT_LIMIT),
        },
    }


def view(digest: Digest, links: DigestLinks = DigestLinks()) -> dict[str, Any]:
    """The digest as cleaned strings and safe links: what every template shows."""
    return {
        "title": line(digest.title),
        "week": digest.week,
        "place": line(digest.place),
        "radius": distance(digest.radius_km),
        "sectors": [line(sector) for sector in digest.sectors],
        "free_times": [line(value) for value in digest.free_times],
        "top_pick": _item_view(digest.top_pick) if digest.top_pick else None,
        "alternates": [_item_view(item) for item in digest.alternates],
        "online": [_item_view(item) for item in digest.online],
        "notice": line(digest.notice, TEXT_LIMIT) or None,
        "suggestions": [line(text, TEXT_LIMIT) for text in digest.suggestions],
        "changes": [
            {
                "kind": change.kind,
                "label": CHANGE_LABELS.get(change.kind, change.kind),
                "title": line(change.title),
                "url": safe_url(change.url),
                "was": line(change.was) or None,
                "now": line(change.now) or None,
            }
            for change in digest.changes
        ],
        "follow_ups": [
            {
                "title": line(follow_up.title),
                "when": line(follow_up.when),
                "host": line(follow_up.host) or None,
                "url": safe_url(follow_up.url),
                "going": follow_up.going,
            }
            for follow_up in digest.follow_ups
        ],
        "follow_up_steps": [line(step, TEXT_LIMIT) for step in digest.follow_up_steps],
        "follow_up_intro": line(digest.follow_up_intro) or None,
        "links": {name: safe_url(getattr(links, name)) for name in LINK_NAMES},
    }


# Templates


@lru_cache(maxsize=1)
def environment() -> Environment:
    """HTML templates (``*.html``) autoescaped; text and Markdown (``*.j2``) not."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(
            enabled_extensions=("html", "xml"),
            disabled_extensions=("txt.j2", "md.j2"),
            default_for_string=True,
            default=True,
        ),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["md"] = markdown_escape
    env.filters["mdurl"] = markdown_url
    env.globals["going_link"] = GOING_LINK
    return env


def _render(template: str, **context: Any) -> str:
    return environment().get_template(template).render(**context)


def render_text(digest: Digest, links: DigestLinks = DigestLinks()) -> str:
    """Plain text: the email's first part and the terminal preview."""
    return _render("digest.txt.j2", d=view(digest, links))


def render_markdown(digest: Digest, links: DigestLinks = DigestLinks()) -> str:
    return _render("digest.md.j2", d=view(digest, links))


def render_html(digest: Digest, links: DigestLinks = DigestLinks()) -> str:
    """A whole HTML page (also the email's HTML part): inline styles, no scripts."""
    return _render("digest.html", d=view(digest, links))


def render_html_body(digest: Digest, links: DigestLinks = DigestLinks()) -> str:
    """The digest's HTML without the page around it, for Atom content."""
    return _render("digest_body.html", d=view(digest, links))


def digest_json(digest: Digest, links: DigestLinks = DigestLinks()) -> dict[str, Any]:
    """The digest as JSON-ready data: the view plus dates and each event's fields."""
    data = view(digest, links)
    data.update(
        week_start=digest.week_start.isoformat(),
        week_end=digest.week_end.isoformat(),
        timezone=digest.timezone,
        radius_km=digest.radius_km,
        generated=digest.generated.isoformat(),
    )
    for key, items in (("alternates", digest.alternates), ("online", digest.online)):
        for shown, item in zip(data[key], items, strict=True):
            shown.update(_event_fields(item))
    if digest.top_pick is not None:
        data["top_pick"].update(_event_fields(digest.top_pick))
    return data


def _event_fields(item: DigestItem) -> dict[str, Any]:
    event = item.event
    return {
        "start": event.local_start().isoformat(),
        "end": event.local_end().isoformat(),
        "all_day": event.all_day,
        "attendance": event.attendance.value,
        "distance_km": None if item.distance_km is None else round(item.distance_km, 2),
        "score": round(item.score, 4),
        "organizer": line(event.organizer) or None,
        "sectors": list(event.sectors),
        "status": event.status.value,
    }


def render_json(digest: Digest, links: DigestLinks = DigestLinks()) -> str:
    return json.dumps(digest_json(digest, links), ensure_ascii=False, indent=2) + "\n"


# Atom


def atom_id(*parts: str) -> str:
    """A stable URN for the same parts on every render (RFC 4122 name-based UUID)."""
    return uuid.uuid5(uuid.NAMESPACE_URL, "/".join(parts)).urn


def _xml(value: object) -> str:
    return _CONTROLS.sub("", "" if value is None else str(value))


def _stamp(value: datetime) -> str:
    return value.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def digest_updated(digest: Digest) -> datetime:
    """When the digest's content last changed: its newest event change, else its week."""
    stamps = [
        stamp
        for item in digest.items
        for stamp in (item.event.updated, item.event.first_seen)
        if stamp is not None
    ]
    if stamps:
        return max(stamps)
    return datetime.combine(digest.week_start, time(0, 0), tzinfo=UTC)


def render_atom(
    digests: Sequence[Digest],
    *,
    feed_key: str,
    self_url: str,
    links: DigestLinks = DigestLinks(),
) -> bytes:
    """An Atom 1.0 feed with one entry per week's digest.

    ``feed_key`` names the feed for its ids (a subscription's public key,
    never an address): the same key and week always give the same entry id,
    so feed readers update an entry instead of adding a twin.
    """
    ET.register_namespace("", ATOM_NS)

    def sub(parent: ET.Element, tag: str, text: object = None, **attrs: str) -> ET.Element:
        cleaned = {name: _xml(value) for name, value in attrs.items()}
        element = ET.SubElement(parent, f"{{{ATOM_NS}}}{tag}", cleaned)
        if text is not None:
            element.text = _xml(text)
        return element

    feed = ET.Element(f"{{{ATOM_NS}}}feed")
    title = line(digests[0].title) if digests else "meetscout weekly digest"
    sub(feed, "id", atom_id("meetscout", "digest", feed_key))
    sub(feed, "title", "meetscout: " + (line(digests[0].place) if digests else "weekly digest"))
    sub(feed, "subtitle", "One place a week to meet someone new in your field.")
    updated = max((digest_updated(d) for d in digests), default=datetime(2000, 1, 1, tzinfo=UTC))
    sub(feed, "updated", _stamp(updated))
    sub(feed, "link", rel="self", type="application/atom+xml", href=safe_url(self_url) or "")
    if safe_url(links.page):
        sub(feed, "link", rel="alternate", type="text/html", href=safe_url(links.page) or "")
    author = sub(feed, "author")
    sub(author, "name", GENERATOR)
    sub(feed, "generator", GENERATOR)
    for digest in digests:
        entry = sub(feed, "entry")
        sub(entry, "id", atom_id("meetscout", "digest", feed_key, digest.week))
        sub(entry, "title", line(digest.title) or title)
        sub(entry, "updated", _stamp(digest_updated(digest)))
        sub(entry, "published", _stamp(datetime.combine(digest.week_start, time(0, 0), tzinfo=UTC)))
        if safe_url(links.page):
            sub(entry, "link", rel="alternate", type="text/html", href=safe_url(links.page) or "")
        summary = (
            f"Top pick: {line(digest.top_pick.event.title)}" if digest.top_pick else digest.notice
        )
        sub(entry, "summary", line(summary or "Nothing to suggest this week."), type="text")
        sub(entry, "content", render_html_body(digest, links), type="html")
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True) + b"\n"


def render_notice(
    title: str,
    paragraphs: Sequence[str],
    *,
    action: str | None = None,
    button: str | None = None,
    links: Sequence[tuple[str, str]] = (),
) -> str:
    """A short page around one message, with at most one button (confirm, unsubscribe).

    ``action`` is a path or URL on this service that the button POSTs to.
    """
    return _render(
        "notice.html",
        title=line(title),
        paragraphs=[line(text, TEXT_LIMIT) for text in paragraphs],
        action=action,
        button=line(button) or "Continue",
        links=[(line(label), href) for label, href in links if safe_url(href)],
    )
