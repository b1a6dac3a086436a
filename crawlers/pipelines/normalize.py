"""Normalize: clean text, check times, keep only what is inside the crawl window."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from w3lib.html import remove_tags, remove_tags_with_content, replace_entities

from crawlers.pipelines.base import ReportingPipeline
from service.model import Event

MAX_TITLE = 300
MAX_DESCRIPTION = 20_000
# Control characters, and lone surrogates (which cannot be stored as UTF-8).
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
BLOCK_TAGS = re.compile(r"(?i)<\s*(br|/p|/div|/li|/h[1-6]|/tr)\s*/?\s*>")
SPACES = re.compile(r"[ \t\u00a0]+")
BLANK_LINES = re.compile(r"\n\s*\n\s*(\n\s*)+")


def clean_line(text: str | None) -> str | None:
    """One line of plain text: entities decoded, tags and control characters gone."""
    if text is None:
        return None
    text = CONTROL.sub(" ", replace_entities(remove_tags(text)))
    return " ".join(text.split()) or None


def html_to_text(text: str | None) -> str | None:
    """Plain text from what may be HTML, keeping paragraph breaks."""
    if text is None:
        return None
    text = remove_tags_with_content(text, which_ones=("script", "style"))
    text = BLOCK_TAGS.sub("\n", text.replace("\r\n", "\n"))
    text = replace_entities(remove_tags(text))
    text = CONTROL.sub(" ", text)
    lines = [SPACES.sub(" ", line).strip() for line in text.split("\n")]
    text = BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()
    return text[:MAX_DESCRIPTION] or None


class NormalizePipeline(ReportingPipeline):
    def process_item(self, item: Event) -> Event:
        title = clean_line(item.title)
        if not title:
            raise self.drop("missing_title", item.id)
        if item.timezone is not None and not _valid_zone(item.timezone):
            item.timezone = None
        if item.end is not None and item.end < item.start:
            raise self.drop("end_before_start", item.id)
        if item.effective_end < self.spider.window_start or item.start > self.spider.window_end:
            raise self.drop("outside_window", item.id)
        item.title = title[:MAX_TITLE]
        item.description = html_to_text(item.description)
        item.organizer = clean_line(item.organizer)
        item.organizer_url = _clean_url(item.organizer_url)
        self._default_host(item)
        for name in ("name", "address", "city", "region", "country"):
            setattr(item.venue, name, clean_line(getattr(item.venue, name)))
        item.categories = [c for c in (clean_line(c) for c in item.categories) if c]
        item.performer = clean_line(item.performer)
        item.url = _clean_url(item.url)
        item.source_url = _clean_url(item.source_url)
        item.details = {
            key: value
            for key, value in ((k, clean_line(v)) for k, v in item.details.items())
            if value is not None
        }
        return item

    def _default_host(self, item: Event) -> None:
        """The source's host (``host`` and ``host_url`` in sources.toml) where the event names
        none; its website where the event names the same host without one."""
        source = getattr(self.spider, "source", None)
        host = getattr(source, "host", None)
        if source is None or host is None:
            return
        if item.organizer is None and item.organizer_url is None:
            item.organizer, item.organizer_url = host, source.host_url
        elif item.organizer == host and item.organizer_url is None:
            item.organizer_url = source.host_url


def _clean_url(url: str | None) -> str | None:
    """A URL with nothing that cannot be stored or shown; empty becomes None."""
    if url is None:
        return None
    return CONTROL.sub("", url).strip() or None


def _valid_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True
