"""Reading one page for a feed, a platform, or schema.org events; a proposal with its evidence."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urljoin

from lxml import etree
from lxml import html as lxml_html

from crawlers import schema_org
from crawlers.discover import platforms
from crawlers.spiders.jsonld import extract

FEED_WORDS = ("subscribe", "ical", "icalendar", "export", "add to calendar", "webcal")


@dataclass(frozen=True)
class Guess:
    """One proposed value and where it was read."""

    value: str
    evidence: str


@dataclass
class Proposal:
    """What ``sources add`` would write, or why it cannot: plain data for any face."""

    page: str
    type: str | None = None
    url: str | None = None
    platform: str | None = None
    guesses: dict[str, Guess] = field(default_factory=dict)
    why_not: list[str] = field(default_factory=list)

    @property
    def crawlable(self) -> bool:
        return self.type is not None


def _links(tree: lxml_html.HtmlElement, base: str) -> tuple[list[str], list[tuple[str, str]]]:
    """Every href on the page (absolute) and the calendar-feed ones with their evidence."""
    hrefs: list[str] = []
    feeds: list[tuple[str, str]] = []
    for element in tree.iter("link"):
        kind = (element.get("type") or "").lower()
        href = element.get("href")
        if href and kind == "text/calendar":
            feeds.append((urljoin(base, href), '<link type="text/calendar">'))
    for element in tree.iter("a", "iframe"):
        href = element.get("href") or element.get("src")
        if not href:
            continue
        href = href.strip()
        absolute = "https:" + href[len("webcal:") :] if href.startswith("webcal:") else href
        absolute = urljoin(base, absolute)
        hrefs.append(absolute)
        text = " ".join(element.text_content().split()).lower()
        path = absolute.split("?")[0].split("#")[0].lower()
        if href.startswith("webcal:"):
            feeds.append((absolute, "a webcal: link"))
        elif path.endswith(".ics") or "ical=1" in absolute or "format=ical" in absolute:
            feeds.append((absolute, f"a link to {path.rsplit('/', 1)[-1] or absolute}"))
        elif any(word in text for word in FEED_WORDS) and "ical" in absolute.lower():
            feeds.append((absolute, f'a "{text[:40]}" link'))
    return hrefs, feeds


def propose(page_url: str, body: bytes, encoding: str = "utf-8") -> Proposal:
    """The best crawlable source behind one page: a feed, a platform's feed, or its events."""
    proposal = Proposal(page=page_url)
    try:
        tree = lxml_html.fromstring(body, parser=lxml_html.HTMLParser(encoding=encoding))
    except (etree.ParserError, ValueError):
        proposal.why_not.append("the page is not HTML")
        return proposal
    hrefs, feeds = _links(tree, page_url)
    title = " ".join((tree.findtext(".//title") or "").split())
    if title:
        proposal.guesses["name"] = Guess(title, "the page's <title>")
    site_feeds = [(url, why) for url, why in feeds if not _single_event(url)]
    if site_feeds:
        url, why = site_feeds[0]
        proposal.type, proposal.url = "ics", url
        proposal.guesses["type"] = Guess("ics", why)
        return proposal
    for reader in platforms.PLATFORMS:
        found = reader(page_url, hrefs)
        if found:
            name, url, evidence = found
            proposal.type, proposal.url, proposal.platform = "ics", url, name
            proposal.guesses["type"] = Guess("ics", f"{name}: {evidence}")
            return proposal
    events = list(
        schema_org.find_events([node for _, node in extract(body, page_url, encoding).nodes])
    )
    if events:
        proposal.type, proposal.url = "jsonld", page_url
        proposal.guesses["type"] = Guess("jsonld", f"{len(events)} schema.org Event(s) on the page")
        return proposal
    found = platforms.squarespace(page_url, hrefs, body)
    if found:
        name, url, evidence = found
        proposal.type, proposal.url, proposal.platform = "ics", url, name
        proposal.guesses["type"] = Guess("ics", f"{name}: {evidence}")
        return proposal
    if feeds:
        proposal.why_not.append(
            f"only single-event calendar files ({len(feeds)}), no feed of the whole calendar"
        )
    proposal.why_not.append(
        "no calendar feed linked, no platform recognised, no schema.org Event data on the page"
    )
    return proposal


def _single_event(url: str) -> bool:
    """A calendar file of one event (``/event/x.ics``, ``?ical=1`` on an event), not a feed."""
    lowered = url.lower()
    return bool(
        "/event/" in lowered
        or "/events/details/" in lowered
        or re.search(r"[?&](event)?id=", lowered)
        or re.search(r"-\d+\.ics$", lowered.split("?")[0])
        or re.search(r"/\d{4}/\d{1,2}/\d{1,2}/", lowered)
    )
