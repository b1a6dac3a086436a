"""``jsonld``: HTML pages that embed schema.org ``Event`` data (JSON-LD, microdata, RDFa).

The source URL is a listing or a detail page. Events come only from
structured data, never guessed from prose: a page without any is counted
in ``report.pages_without_events``. The spider follows pagination and, when
the source names a ``follow`` selector, links to detail pages, bounded by
``max_pages`` and never fetching a URL twice.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import AsyncIterator, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import urlsplit

import extruct
import jstyleson
import scrapy
from cssselect import SelectorError
from lxml import etree
from lxml import html as lxml_html
from scrapy.http import Response, TextResponse

from crawlers import schema_org
from crawlers.schema_org import BadDate, MissingStart, Times
from crawlers.spiders.base import SourceSpider
from service.model import Event, Kind, Venue, make_event_id, merge_events

SYNTAXES = ["json-ld", "microdata", "rdfa"]
# The single and double right-pointing angle quotes, escaped: they look like ">" in print.
NEXT_WORDS = frozenset(
    {
        "next",
        "next page",
        "\u203a",
        "\u00bb",
        "next \u203a",
        "next \u00bb",
        "next page \u203a",
        "next page \u00bb",
    }
)
NOT_HTML_TYPES = ("application/json", "application/ld+json", "image/", "audio/", "video/")
LISTING, DETAIL = "listing", "detail"


class PageError(ValueError):
    """The response is not an HTML page that could hold structured data."""


@dataclass
class Extraction:
    """Schema.org nodes of one page, with the syntax each came from."""

    nodes: list[tuple[str, Any]] = field(default_factory=list)
    invalid_scripts: int = 0


def check_page(response: Response) -> None:
    """Refuse what is empty, binary or JSON before handing it to an HTML parser."""
    body = response.body
    if not body.strip():
        raise PageError("empty response")
    content_type = (response.headers.get(b"Content-Type") or b"").decode("latin-1").lower()
    if content_type.startswith(NOT_HTML_TYPES):
        raise PageError(f"not HTML ({content_type.split(';')[0]})")
    if not isinstance(response, TextResponse):
        raise PageError("not a text response")
    head = body[:4096]
    if b"\x00" in head:
        raise PageError("binary content, not HTML")
    if head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"{", b"["):
        raise PageError("JSON, not HTML")
    if b"<" not in body:
        raise PageError("no markup, not HTML")


RDFA_EVENT = re.compile(
    rb"""typeof\s*=\s*["'][^"']*(event|festival|hackathon|courseinstance)""", re.IGNORECASE
)


def syntaxes_present(body: bytes) -> list[str]:
    """The syntaxes worth asking extruct for on this page.

    RDFa parsing dominates the cost of a large page, and most pages carry
    RDFa only for Open Graph metadata: it runs only where some ``typeof``
    names an event type. The other two are skipped when their markers are absent.
    """
    lowered = body.lower()
    present = []
    if b"application/ld+json" in lowered:
        present.append("json-ld")
    if b"itemscope" in lowered:
        present.append("microdata")
    if RDFA_EVENT.search(body):
        present.append("rdfa")
    return present


def extract(body: bytes, base_url: str, encoding: str) -> Extraction:
    """All schema.org nodes from JSON-LD, microdata and RDFa.

    extruct drops every JSON-LD script of a page when one of them fails to
    parse; then each script is read on its own and only the bad ones are
    lost (and counted). extruct is told to ignore its errors: its own log of
    them is a traceback in the middle of the crawl's progress, and the
    spider says what was skipped in one line.
    """
    syntaxes = syntaxes_present(body)
    if not syntaxes:
        return Extraction()
    try:
        data = extruct.extract(
            body,
            base_url=base_url,
            encoding=encoding,
            syntaxes=syntaxes,
            uniform=True,
            errors="ignore",
        )
    except Exception:  # extruct's uniform step can still raise on odd markup
        logging.getLogger(__name__).debug(
            "extruct failed on %s; reading syntaxes one by one", base_url
        )
        data = {}
        for syntax in syntaxes:
            try:
                data.update(
                    extruct.extract(
                        body,
                        base_url=base_url,
                        encoding=encoding,
                        syntaxes=[syntax],
                        uniform=True,
                        errors="ignore",
                    )
                )
            except Exception:  # one broken syntax must not cost the others
                continue
    result = Extraction()
    if "json-ld" in data:
        result.nodes += [("json-ld", node) for node in data["json-ld"]]
    else:
        scripts, result.invalid_scripts = read_jsonld_scripts(body, encoding)
        result.nodes += [("json-ld", node) for node in scripts]
        logging.getLogger(__name__).debug(
            "%s: JSON-LD read script by script: %d node(s), %d invalid script(s)",
            base_url,
            len(scripts),
            result.invalid_scripts,
        )
    result.nodes += [("microdata", node) for node in data.get("microdata", [])]
    rdfa = [node for node in data.get("rdfa", []) if isinstance(node, dict)]
    result.nodes += [("rdfa", node) for node in schema_org.compact_rdfa(rdfa)]
    return result


def read_jsonld_scripts(body: bytes, encoding: str) -> tuple[list[Any], int]:
    """Each ``application/ld+json`` script parsed on its own: the good ones and a count of bad."""
    try:
        tree = lxml_html.fromstring(body, parser=lxml_html.HTMLParser(encoding=encoding))
    except (etree.ParserError, ValueError):
        return [], 0
    nodes: list[Any] = []
    invalid = 0
    for script in tree.iter("script"):
        kind = (script.get("type") or "").strip().lower()
        if kind != "application/ld+json":
            continue
        content = script.text_content().strip()
        if not content:
            continue
        try:
            data = json.loads(content, strict=False)
        except ValueError:
            try:  # the same leniency extruct has: comments and trailing commas
                data = jstyleson.loads(content, strict=False)
            except ValueError:
                invalid += 1
                continue
        nodes.extend(data if isinstance(data, list) else [data])
    return nodes, invalid


class JsonLdSpider(SourceSpider):
    """Reads schema.org events from a listing page, its next pages and its detail pages."""

    name = "jsonld"
    source_type = "jsonld"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.visited: set[str] = set()
        self.pages = 1  # the source's own page

    async def start(self) -> AsyncIterator[Any]:
        self.visited.add(schema_org.canonical_url(self.source.url))
        yield scrapy.Request(
            self.source.url,
            callback=self.parse,
            errback=self.on_error,
            meta={"role": LISTING},
        )

    def parse(self, response: Response, **kwargs: Any) -> Iterator[Event | scrapy.Request]:
        self.record_response(response)
        self.visited.add(schema_org.canonical_url(response.url))
        try:
            check_page(response)
        except PageError as exc:
            self.logger.warning("%s: %s: %s", self.source.name, response.url, exc)
            self.report.fail("bad_page", f"{response.url}: {exc}"[:300])
            return
        self.report.fetched += 1
        encoding = getattr(response, "encoding", None) or "utf-8"
        extraction = extract(response.body, response.url, encoding)
        if extraction.invalid_scripts:
            self.logger.info(
                "%s: %s: skipped %d invalid JSON-LD script(s)",
                self.source.name,
                response.url,
                extraction.invalid_scripts,
            )
            self.report.dropped["invalid_jsonld"] += extraction.invalid_scripts
        yield from self.parse_page(extraction, response.url)
        if _role(response) == LISTING:
            yield from self.follow_links(response)

    def parse_page(self, extraction: Extraction, page_url: str) -> Iterator[Event]:
        """The page's events, one per occurrence even when two syntaxes describe it.

        Two records are one event when title and start agree and their URLs
        do not disagree (the JSON-LD and the microdata of the same listing);
        two listings with their own URLs stay apart for the de-duplicate stage.
        """
        found: dict[tuple[str, str], list[Event]] = {}
        nodes = 0
        for syntax in SYNTAXES:
            data = [node for origin, node in extraction.nodes if origin == syntax]
            for node in schema_org.find_events(data):
                nodes += 1
                self.report.found += 1
                event = self.parse_node(node, page_url, syntax)
                if event is None:
                    continue
                same = found.setdefault(
                    (event.title.casefold(), event.start.astimezone(UTC).isoformat()), []
                )
                for index, other in enumerate(same):
                    if None in (other.url, event.url) or other.url == event.url:
                        self.report.drop("duplicate_in_page")
                        same[index] = self._merge(other, event)
                        break
                else:
                    same.append(event)
        if nodes == 0:
            self.report.pages_without_events += 1
            self.logger.info("%s: %s: no schema.org events", self.source.name, page_url)
        for events in found.values():
            yield from events

    def _merge(self, first: Event, other: Event) -> Event:
        """``first`` completed by ``other``; an id from the page becomes one from the event URL."""
        merged = merge_events(first, other)
        if first.url is None and merged.url is not None:
            start = schema_org.instant_key(merged.start, merged.all_day)
            merged = merged.with_changes(id=make_event_id(self.source.name, merged.url, start))
        return merged

    def parse_node(self, node: dict[str, Any], page_url: str, syntax: str) -> Event | None:
        """One event node, or None (counted by reason) when it cannot be an event."""
        title = schema_org.parse_title(node)
        if not title:
            self.report.drop("missing_title")
            return None
        try:
            times = schema_org.parse_times(node, self.source.timezone)
        except MissingStart:
            self.report.drop("missing_start")
            return None
        except BadDate as exc:
            self.report.drop("bad_date")
            self.logger.info("%s: skipped %r: %s", self.source.name, title, exc)
            return None
        status, note = schema_org.parse_status(node)
        price, currency, is_free = schema_org.parse_offers(node)
        url = schema_org.parse_url(node, page_url)
        organizer, organizer_url = schema_org.parse_host(node)
        return Event(
            id=self._parse_id(node, times, url, page_url, title),
            title=title,
            start=times.start,
            end=times.end,
            timezone=times.timezone,
            all_day=times.all_day,
            kind=self.source.kind or Kind.OTHER,
            sectors=list(self.source.sectors),
            attendance=schema_org.parse_attendance(node),
            venue=self._parse_venue(node),
            url=url,
            organizer=organizer,
            organizer_url=organizer_url,
            performer=schema_org.parse_performer(node),
            description=schema_org.parse_description(node),
            price=price,
            currency=currency,
            is_free=is_free,
            status=status,
            source=self.source.name,
            source_url=page_url,
            details=self._parse_details(node, times, note, syntax),
        )

    def _parse_id(
        self, node: dict[str, Any], times: Times, url: str | None, page_url: str, title: str
    ) -> str:
        """The event's own URL or ``@id`` plus its start: series pages share one URL."""
        start = schema_org.instant_key(times.start, times.all_day)
        identity = url or schema_org.parse_identifier(node, page_url)
        if identity:
            return make_event_id(self.source.name, identity, start)
        return make_event_id(self.source.name, _page_identity(page_url), start, title)

    def _parse_venue(self, node: dict[str, Any]) -> Venue:
        venue = self.default_venue()
        found = schema_org.parse_venue(node)
        for name in ("name", "address", "city", "region", "country"):
            value = getattr(found, name)
            if value is not None:
                setattr(venue, name, value)
        if found.lat is not None and found.lon is not None:
            own = (found.address, found.city, found.region)
            self.place_at(venue, found.lat, found.lon, where=", ".join(p for p in own if p))
        return venue

    @staticmethod
    def _parse_details(
        node: dict[str, Any], times: Times, note: str | None, syntax: str
    ) -> dict[str, str]:
        details = {"syntax": syntax}
        kind = schema_org.schema_type(node)
        if kind:
            details["schema_type"] = kind
        if note:
            details["status_note"] = note
        if times.floating:
            details["floating_time"] = "no zone given; read as UTC"
        return details

    # --- following ----------------------------------------------------------

    def follow_links(self, response: Response) -> Iterator[scrapy.Request]:
        """Detail pages named by ``follow``, then the next page of the listing."""
        if self.source.follow:
            for url in self._select(response, self.source.follow):
                request = self._request(response, url, DETAIL)
                if request is not None:
                    yield request
        for url in self._next_candidates(response):
            request = self._request(response, url, LISTING, same_host=not self.source.next)
            if request is not None:
                yield request
                break

    def _next_candidates(self, response: Response) -> Iterable[str]:
        if self.source.next:
            yield from self._select(response, self.source.next)
            return
        yield from response.css("link[rel~=next]::attr(href), a[rel~=next]::attr(href)").getall()
        for anchor in response.css("a[href]"):
            label = " ".join(" ".join(anchor.css("::text").getall()).split()).casefold()
            if label in NEXT_WORDS:
                yield anchor.attrib["href"]

    def _select(self, response: Response, selector: str) -> list[str]:
        """Hrefs of the elements a CSS selector names (or of the links inside them)."""
        try:
            elements = response.css(selector)
        except (SelectorError, ValueError) as exc:
            self.report.fail("bad_selector", f"{selector!r}: {exc}"[:300])
            return []
        hrefs = []
        for element in elements:
            href = element.attrib.get("href") or element.css("a::attr(href)").get()
            if href:
                hrefs.append(href)
        return hrefs

    def _request(
        self, response: Response, href: str, role: str, *, same_host: bool = False
    ) -> scrapy.Request | None:
        """A request for a page not seen yet, within ``max_pages`` and the source's scheme.

        A next page found by guessing (``rel=next``, a "next" anchor) must stay
        on the listing's host; links named by the source's own selectors may leave it.
        """
        url = response.urljoin(href.strip())
        if not _same_scheme_family(url, self.source.url):
            return None
        if same_host and urlsplit(url).netloc != urlsplit(response.url).netloc:
            return None
        key = schema_org.canonical_url(url)
        if key in self.visited:
            return None
        if self.pages >= self.source.max_pages:
            if not self.report.partial_reason:
                self.report.partial_reason = (
                    f"stopped at max_pages ({self.source.max_pages}): the listing goes on"
                )
                self.logger.info("%s: %s", self.source.name, self.report.partial_reason)
            return None
        self.visited.add(key)
        self.pages += 1
        return scrapy.Request(url, callback=self.parse, errback=self.on_error, meta={"role": role})


def _role(response: Response) -> str:
    try:
        return str(response.meta.get("role", LISTING))
    except AttributeError:  # a response built without a request (tests, tools)
        return LISTING


def _page_identity(page_url: str) -> str:
    """The page as part of an id; a local file by its name, wherever the checkout lives."""
    if urlsplit(page_url).scheme == "file":
        return "file:" + PurePosixPath(urlsplit(page_url).path).name
    return schema_org.canonical_url(page_url)


def _same_scheme_family(url: str, source_url: str) -> bool:
    """A local snapshot never reaches out to the web; a web source never reads local files."""
    scheme, source_scheme = urlsplit(url).scheme, urlsplit(source_url).scheme
    if source_scheme == "file":
        return scheme == "file"
    return scheme in ("http", "https")
