"""Reading one page for a feed, a platform, or schema.org events; a proposal with its evidence.

Discovery reads the page it was given and, when that holds nothing to
crawl, a few pages it links to on the same site that look like event pages
(one hop, at most :data:`LINKED_PAGES`; the caller fetches them, through the
guard). What it proposes comes with guesses for the source's defaults (time
zone, location, sectors), each with what it was read from.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from lxml import etree
from lxml import html as lxml_html

from crawlers import schema_org
from crawlers.discover import platforms
from crawlers.discover.platforms import Found, Hint, Read
from crawlers.spiders.jsonld import extract

FEED_WORDS = ("subscribe", "ical", "icalendar", "export", "add to calendar", "webcal")
FEED_ADDRESS = re.compile(r"(?<![a-z])(i?cal(endar)?|webcal|ics)(?![a-z])", re.IGNORECASE)
"""An address that names a calendar as a word: "ical", "ics" ("medical", "technical" do not)."""
LINKED_PAGES = 3
"""Pages linked from the given one that discovery reads at most (one hop, same site)."""
EVENT_PATH = re.compile(r"/(events?|calendar|programs?|whats-on|happenings)/[^/?#]+", re.I)
NOT_PAGES = re.compile(r"\.(ics|pdf|jpe?g|png|gif|svg|webp|css|js|xml|json|zip|docx?)$", re.I)
ZONE_NAME = re.compile(
    r"\b((?:America|Europe|Australia|Asia|Africa|Pacific|Atlantic|Indian)"
    r"(?:\\?/[A-Z][A-Za-z_-]+){1,2})\b"
)


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
    follow: str | None = None
    timezone: str | None = None
    location: dict[str, str] = field(default_factory=dict)
    sectors: tuple[str, ...] = ()
    guesses: dict[str, Guess] = field(default_factory=dict)
    why_not: list[str] = field(default_factory=list)

    @property
    def crawlable(self) -> bool:
        return self.type is not None


def _parse(body: bytes, encoding: str) -> lxml_html.HtmlElement | None:
    try:
        return lxml_html.fromstring(body, parser=lxml_html.HTMLParser(encoding=encoding))
    except (etree.ParserError, ValueError):
        return None


def _links(tree: lxml_html.HtmlElement, base: str) -> tuple[list[str], list[tuple[str, str]]]:
    """Every href on the page (absolute) and the calendar-feed ones with their evidence."""
    hrefs: list[str] = []
    feeds: list[tuple[str, str]] = []
    for element in tree.iter("link"):
        kind = (element.get("type") or "").lower()
        href = element.get("href")
        if href and kind == "text/calendar":
            feeds.append((urljoin(base, href.strip()), '<link type="text/calendar">'))
    for element in tree.iter("a", "iframe"):
        href = element.get("href") or element.get("src")
        if not href:
            continue
        href = href.strip()
        absolute = "https:" + href[len("webcal:") :] if href.startswith("webcal:") else href
        try:
            absolute = urljoin(base, absolute)
        except ValueError:  # a malformed address (an unclosed IPv6 bracket): not a link
            continue
        hrefs.append(absolute)
        text = " ".join(element.text_content().split()).lower()
        path = absolute.split("?")[0].split("#")[0].lower()
        if href.startswith("webcal:"):
            feeds.append((absolute, "a webcal: link"))
        elif path.endswith(".ics") or "ical=1" in absolute or "format=ical" in absolute:
            feeds.append((absolute, f"a link to {path.rsplit('/', 1)[-1] or absolute}"))
        elif any(word in text for word in FEED_WORDS) and FEED_ADDRESS.search(absolute):
            feeds.append((absolute, f'a "{text[:40]}" link'))
    return hrefs, feeds


def linked_event_pages(page_url: str, body: bytes, encoding: str = "utf-8") -> list[str]:
    """The pages worth reading one hop away: same site, addresses like an event's, a few."""
    tree = _parse(body, encoding)
    if tree is None:
        return []
    hrefs, _ = _links(tree, page_url)
    site = urlsplit(page_url).netloc
    own = page_url.split("#")[0].rstrip("/")
    chosen: list[str] = []
    for href in hrefs:
        url = href.split("#")[0]
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or parts.netloc != site:
            continue
        if url.rstrip("/") == own or NOT_PAGES.search(parts.path) or url in chosen:
            continue
        if "ical" in url.lower() or not EVENT_PATH.search(parts.path):
            continue
        chosen.append(url)
        if len(chosen) == LINKED_PAGES:
            break
    return chosen


def _events(body: bytes, url: str, encoding: str) -> list[Any]:
    return list(schema_org.find_events([node for _, node in extract(body, url, encoding).nodes]))


def propose(
    page_url: str,
    body: bytes,
    encoding: str = "utf-8",
    linked: Mapping[str, bytes] | None = None,
) -> Proposal:
    """The best crawlable source behind one page: a feed, a platform's feed, or its events.

    ``linked`` holds pages of :func:`linked_event_pages` already fetched (address to
    bytes): read only when the page itself holds nothing to crawl.
    """
    proposal = Proposal(page=page_url)
    tree = _parse(body, encoding)
    if tree is None:
        proposal.why_not.append("the page is not HTML")
        return proposal
    hrefs, feeds = _links(tree, page_url)
    title = " ".join((tree.findtext(".//title") or "").split())
    if title:
        proposal.guesses["name"] = Guess(title, "the page's <title>")
    page = Read(url=page_url, links=hrefs, body=body)
    events = _events(body, page_url, encoding)
    hints: list[Hint] = []
    chosen = _choose(proposal, page, feeds, events, hints, linked or {}, encoding)
    if not chosen:
        if feeds:
            proposal.why_not.append(
                f"only single-event calendar files ({len(feeds)}), no feed of the whole calendar"
            )
        proposal.why_not.extend(f"{hint.platform}: {hint.advice}" for hint in hints)
        searched = "no schema.org Event data on the page"
        if linked:
            searched += f" or on {len(linked)} event page(s) it links to"
        proposal.why_not.append(f"no calendar feed linked, no platform recognised, {searched}")
        return proposal
    guess_defaults(proposal, tree, body, events)
    return proposal


def _choose(
    proposal: Proposal,
    page: Read,
    feeds: list[tuple[str, str]],
    events: list[Any],
    hints: list[Hint],
    linked: Mapping[str, bytes],
    encoding: str,
) -> bool:
    api = platforms.events_calendar_api(page)
    if isinstance(api, Found):
        _take_found(proposal, api)
        return True
    site_feeds = [
        (url, why) for url, why in feeds if not _single_event(url) and not _item_of(page.url, url)
    ]
    if site_feeds:
        url, why = site_feeds[0]
        _take(proposal, "ics", url, why)
        return True
    for reader in platforms.PLATFORMS:
        found = reader(page)
        if isinstance(found, Found):
            _take_found(proposal, found)
            return True
        if isinstance(found, Hint):
            hints.append(found)
    if events:
        _take(proposal, "jsonld", page.url, f"{len(events)} schema.org Event(s) on the page")
        return True
    for reader in platforms.LATE_PLATFORMS:
        found = reader(page)
        if isinstance(found, Found):
            _take_found(proposal, found)
            return True
        if isinstance(found, Hint):
            hints.append(found)
    with_events = [url for url, data in linked.items() if _events(data, url, encoding)]
    if with_events:
        selector = follow_selector(page.url, with_events)
        _take(
            proposal,
            "jsonld",
            page.url,
            f"schema.org Event data on {len(with_events)} of the {len(linked)} event page(s) "
            f"it links to ({with_events[0]})",
        )
        proposal.follow = selector
        proposal.guesses["follow"] = Guess(selector, "what those pages' addresses share")
        return True
    return False


def _take(proposal: Proposal, kind: str, url: str, evidence: str) -> None:
    proposal.type, proposal.url = kind, url
    proposal.guesses["type"] = Guess(kind, evidence)


def _take_found(proposal: Proposal, found: Found) -> None:
    _take(proposal, found.type, found.url, f"{found.platform}: {found.evidence}")
    proposal.platform = found.platform
    if found.follow:
        proposal.follow = found.follow
        proposal.guesses["follow"] = Guess(found.follow, f"{found.platform}'s event pages")


def follow_selector(page_url: str, urls: Sequence[str]) -> str:
    """A CSS selector for links like ``urls``: the longest path start they share."""
    paths = [urlsplit(url).path.rstrip("/").split("/")[:-1] for url in urls]  # without the item
    shared: list[str] = []
    for index, part in enumerate(paths[0]):
        if all(len(p) > index and p[index] == part for p in paths):
            shared.append(part)
        else:
            break
    prefix = "/".join(shared) + "/"
    if prefix in ("/", "//"):
        match = EVENT_PATH.search(urlsplit(urls[0]).path)
        prefix = f"/{match.group(1)}/" if match else "/"
    return f'a[href*="{prefix}"]'


def _item_of(page_url: str, url: str) -> bool:
    """A link one level below the listing's own path (``/events/x?format=ical`` from
    ``/events/``): the calendar file of one of its items."""
    page, link = urlsplit(page_url), urlsplit(url)
    base = page.path.rstrip("/") + "/"
    return (
        link.netloc == page.netloc
        and base != "/"
        and link.path.startswith(base)
        and bool(link.path[len(base) :].strip("/"))
    )


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


# --- the source's defaults, guessed from what was read --------------------------------------


def guess_defaults(
    proposal: Proposal, tree: lxml_html.HtmlElement, body: bytes, events: list[Any]
) -> None:
    """Time zone, location and sectors for the entry, each with its evidence; none if unsure."""
    _guess_location(proposal, events)
    _guess_timezone(proposal, body)
    _guess_sectors(proposal, tree)


def _guess_location(proposal: Proposal, events: list[Any]) -> None:
    towns: Counter[tuple[str, str, str]] = Counter()
    for event in events:
        for place in _as_list(event.get("location") if isinstance(event, dict) else None):
            address = place.get("address") if isinstance(place, dict) else None
            if isinstance(address, dict):
                town = _text(address.get("addressLocality"))
                if town:
                    towns[
                        (
                            town,
                            _text(address.get("addressRegion")),
                            _text(_country(address.get("addressCountry"))),
                        )
                    ] += 1
    if not towns:
        return
    (town, region, country), count = towns.most_common(1)[0]
    if count * 2 < sum(towns.values()):
        return  # no town holds most of the events: a default would be wrong for many
    proposal.location = {
        key: value
        for key, value in (("city", town), ("region", region), ("country", country))
        if value
    }
    label = ", ".join(part for part in (town, region, country) if part)
    proposal.guesses["location"] = Guess(
        label, f"the town of {count} of the {len(events)} events on the page"
    )


def _guess_timezone(proposal: Proposal, body: bytes) -> None:
    text = body[:2_000_000].decode("utf-8", "replace")
    named: Counter[str] = Counter()
    for match in ZONE_NAME.finditer(text):
        zone = match.group(1).replace("\\/", "/")
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            continue
        named[zone] += 1
    if named:
        zone, count = named.most_common(1)[0]
        proposal.timezone = zone
        proposal.guesses["timezone"] = Guess(
            zone, f'the page names "{zone}" ({count} time{"s" if count > 1 else ""})'
        )
        return
    city = proposal.location.get("city")
    if city:
        from service.places.gazetteer import get_gazetteer

        place = get_gazetteer().resolve_parts(
            city, proposal.location.get("region"), proposal.location.get("country")
        )
        if place is not None:
            proposal.timezone = place.timezone
            proposal.guesses["timezone"] = Guess(place.timezone, f"the time zone of {place.label}")


def _guess_sectors(proposal: Proposal, tree: lxml_html.HtmlElement) -> None:
    from service.classify.sectors import classify

    title = proposal.guesses["name"].value if "name" in proposal.guesses else ""
    description = ""
    for meta in tree.iter("meta"):
        if (meta.get("name") or meta.get("property") or "").lower() in (
            "description",
            "og:description",
        ):
            description = meta.get("content") or ""
            break
    found = classify(title=title, description=description, model=None)
    if not found.sectors:
        return
    proposal.sectors = tuple(found.sectors[:2])
    words = "; ".join(
        f"{sector}: {', '.join(found.evidence.get(sector, [])[:3])}" for sector in proposal.sectors
    )
    proposal.guesses["sectors"] = Guess(
        ", ".join(proposal.sectors), f"words of the page's title and description ({words})"
    )


def _as_list(value: object) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _text(value: object) -> str:
    return " ".join(str(value).split()) if isinstance(value, str | int) else ""


def _country(value: object) -> object:
    return value.get("name") if isinstance(value, dict) else value
