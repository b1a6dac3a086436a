"""Event platforms recognised from a page's address or links, and the feed each publishes.

To add a platform: one function that takes the page's URL and its links and
returns ``(feed URL, evidence)`` or None, listed in ``PLATFORMS``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from urllib.parse import parse_qs, quote, unquote, urlsplit

Found = tuple[str, str, str] | None
"""(platform, feed URL, the evidence it was read from), or nothing."""


def meetup(url: str, links: Sequence[str]) -> Found:
    for candidate in (url, *links):
        match = re.match(r"https?://(?:www\.)?meetup\.com/([A-Za-z0-9_-]+)/?", candidate)
        if match and match.group(1).lower() not in ("find", "topics", "cities", "apps", "login"):
            group = match.group(1)
            return "Meetup", f"https://www.meetup.com/{group}/events/ical/", candidate
    return None


def google_calendar(url: str, links: Sequence[str]) -> Found:
    for candidate in (url, *links):
        parts = urlsplit(candidate)
        if parts.netloc.endswith("calendar.google.com") and "/calendar/" in parts.path:
            ids = parse_qs(parts.query).get("src") or parse_qs(parts.query).get("cid")
            if ids:
                calendar = quote(unquote(ids[0]), safe="")
                return (
                    "Google Calendar",
                    f"https://calendar.google.com/calendar/ical/{calendar}/public/basic.ics",
                    candidate,
                )
    return None


def outlook(url: str, links: Sequence[str]) -> Found:
    for candidate in (url, *links):
        match = re.match(
            r"(https://outlook\.(?:office365|live)\.com/owa/calendar/[^?#]+/)", candidate
        )
        if match and candidate.endswith(".html"):
            return "Outlook", candidate[: -len(".html")] + ".ics", candidate
    return None


def events_calendar(url: str, links: Sequence[str]) -> Found:
    """The Events Calendar for WordPress: its iCal export is ``?ical=1`` of the listing."""
    for candidate in links:
        if "ical=1" in candidate and ("/events" in candidate or "tribe" in candidate):
            return "The Events Calendar (WordPress)", candidate, candidate
    return None


def squarespace(url: str, links: Sequence[str], body: bytes = b"") -> Found:
    if b"static1.squarespace.com" in body or b"Squarespace" in body[:200_000]:
        feed = url.split("?")[0] + "?format=ical"
        return "Squarespace", feed, "the page is built with Squarespace"
    return None


LinkReader = Callable[[str, Sequence[str]], Found]
PLATFORMS: tuple[LinkReader, ...] = (meetup, google_calendar, outlook, events_calendar)
