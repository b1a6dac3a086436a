"""Hosts merged across sources: the keys that tell two names for one host, and the merge.

A source names an event's host by name (an iCalendar ``ORGANIZER``'s CN,
schema.org ``organizer.name``, a single-host calendar's own name, the
source's default) and sometimes by website. Two records are one host when
their websites have the same key, or their names the same key while at
most one of them has a website: two "Rotary Club" pages with different
websites are two clubs.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from datetime import datetime
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import Connection, insert, select, update

from service.store.tables import hosts

SLUG_LENGTH = 60
KEYS_KEPT = 4096
"""Keys computed once per name or website: a crawl's events share a handful of hosts."""
NAME_KEY_LENGTH = 255
PLATFORM_HOSTS = frozenset(
    {
        "meetup.com",
        "eventbrite.com",
        "eventbrite.ca",
        "eventbrite.co.uk",
        "facebook.com",
        "lu.ma",
        "luma.com",
        "linkedin.com",
        "instagram.com",
        "twitter.com",
        "x.com",
        "tockify.com",
        "sites.google.com",
        "github.com",
    }
)
"""Sites that host many organisations: there the first folder of the path names the host."""
PLATFORM_FOLDERS = frozenset(
    {"o", "e", "c", "u", "org", "orgs", "group", "groups", "pages", "company", "user", "users"}
)
"""Folders a platform puts before the organisation's own (``eventbrite.com/o/<name>``)."""

_NOT_WORD = re.compile(r"[^\w]+")
_LEADING_THE = re.compile(r"^the\s+")


@lru_cache(maxsize=KEYS_KEPT)
def site_key(url: str | None) -> str | None:
    """The website's host name without ``www.`` (and the group's folder on a platform)."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
        hostname = parts.hostname
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not hostname:
        return None
    hostname = hostname.lower().removeprefix("www.").rstrip(".")
    if hostname in PLATFORM_HOSTS:
        folder = next(
            (part for part in parts.path.split("/") if part and part not in PLATFORM_FOLDERS), ""
        )
        if not folder:
            return None
        return f"{hostname}/{folder.lower()}"[:NAME_KEY_LENGTH]
    return hostname[:NAME_KEY_LENGTH]


@lru_cache(maxsize=KEYS_KEPT)
def name_key(name: str) -> str:
    """The name with case, accents, punctuation and a leading "the" folded away."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode() or name
    words = _NOT_WORD.sub(" ", folded.casefold().replace("&", " and ")).strip()
    return _LEADING_THE.sub("", words)[:NAME_KEY_LENGTH]


def slug_of(name: str) -> str:
    """A page's slug from a name: lowercase ASCII words joined by hyphens."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = _NOT_WORD.sub("-", folded.lower().replace("&", " and ")).strip("-_")
    slug = slug.replace("_", "-")[:SLUG_LENGTH].strip("-")
    return slug or "host"


def host_name(organizer: str | None, organizer_url: str | None) -> str | None:
    """What to call the host: its name, else its website's host name."""
    if organizer and organizer.strip():
        return " ".join(organizer.split())
    key = site_key(organizer_url)
    return key.split("/", 1)[-1] if key else None


class _Known:
    """The hosts a batch has seen, by their keys, so that one batch reads each once."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.by_site: dict[str, dict[str, Any]] = {}
        self.by_name: dict[str, list[dict[str, Any]]] = {}
        self.slugs: set[str] = set()

    def load(self, sites: set[str], names: set[str]) -> None:
        if not sites and not names:
            return
        clauses = []
        if sites:
            clauses.append(hosts.c.site_key.in_(sorted(sites)))
        if names:
            clauses.append(hosts.c.name_key.in_(sorted(names)))
        stmt = select(hosts).where(clauses[0] if len(clauses) == 1 else clauses[0] | clauses[1])
        for row in self.conn.execute(stmt.order_by(hosts.c.first_seen, hosts.c.slug)):
            self.remember(dict(row._mapping))

    def remember(self, record: dict[str, Any]) -> None:
        if record["site_key"]:
            self.by_site.setdefault(record["site_key"], record)
        self.by_name.setdefault(record["name_key"], []).append(record)
        self.slugs.add(record["slug"])

    def find(self, site: str | None, name: str) -> dict[str, Any] | None:
        if site is not None and site in self.by_site:
            return self.by_site[site]
        for record in self.by_name.get(name, []):
            if site is None or record["site_key"] is None or record["site_key"] == site:
                return record
        return None

    def free_slug(self, name: str) -> str:
        base = slug_of(name)
        taken = self.slugs | {
            slug
            for (slug,) in self.conn.execute(
                select(hosts.c.slug).where(
                    (hosts.c.slug == base) | hosts.c.slug.like(f"{base}-%", escape="\\")
                )
            )
        }
        if base not in taken:
            return base
        number = 2
        while f"{base}-{number}" in taken:
            number += 1
        return f"{base}-{number}"


def assign_hosts(conn: Connection, rows: Iterable[dict[str, Any]], *, now: datetime) -> None:
    """Set each event row's ``host`` to its host's slug, creating or completing hosts."""
    wanted: list[tuple[dict[str, Any], str, str | None, str]] = []
    for row in rows:
        name = host_name(row.get("organizer"), row.get("organizer_url"))
        if name is None or not name_key(name):
            row["host"] = None
            continue
        wanted.append((row, name, site_key(row.get("organizer_url")), name_key(name)))
    if not wanted:
        return
    known = _Known(conn)
    known.load({site for _, _, site, _ in wanted if site}, {key for _, _, _, key in wanted})
    for row, name, site, key in wanted:
        record = known.find(site, key)
        if record is None:
            record = {
                "slug": known.free_slug(name),
                "name": name,
                "website": row.get("organizer_url") if site else None,
                "site_key": site,
                "name_key": key,
                "first_seen": now,
                "updated": now,
            }
            conn.execute(insert(hosts).values(**record))
            known.remember(record)
        elif site is not None and record["site_key"] is None:
            # A name known so far without a website: this source gives it.
            record.update(website=row.get("organizer_url"), site_key=site, updated=now)
            conn.execute(
                update(hosts)
                .where(hosts.c.slug == record["slug"])
                .values(website=record["website"], site_key=site, updated=now)
            )
            known.by_site.setdefault(site, record)
        row["host"] = record["slug"]
