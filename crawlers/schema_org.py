"""schema.org ``Event`` vocabulary: finding events in extracted data and reading their fields.

Pure functions over the dicts that JSON-LD, microdata and RDFa extraction
produce, so that every quirk seen on real pages (doubled seconds, offsets
without a colon, prices written as "Free", a venue page holding its events)
is handled once and unit-tested without Scrapy or a network.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit
from zoneinfo import ZoneInfo

from service.model import Attendance, Status, Venue, all_day_start

# schema.org subtypes of Event whose names do not end in "Event".
EVENT_SUBTYPES = frozenset({"CourseInstance", "EventSeries", "Festival", "Hackathon"})
# Subtypes that end in "Event" but are nothing a person can go to: a parcel
# delivery, a broadcast, a recording.
NOT_ATTENDABLE = frozenset({"DeliveryEvent", "BroadcastEvent", "OnDemandEvent", "PublicationEvent"})
# Placeholders some CMS plugins write where a name belongs ("performer": "Organization").
TYPE_PLACEHOLDERS = frozenset({"organization", "person", "performinggroup", "musicgroup", "thing"})
SCHEMA_PREFIXES = ("http://schema.org/", "https://schema.org/")
MAX_DEPTH = 40


class BadDate(ValueError):
    """A date or time that cannot be read without guessing."""


class MissingStart(ValueError):
    """An event node without a ``startDate``."""


# --- finding event nodes ----------------------------------------------------


def short_type(value: str) -> str:
    """``https://schema.org/MusicEvent``, ``schema:MusicEvent`` -> ``MusicEvent``."""
    return re.split(r"[/#:]", value.strip())[-1]


def node_types(node: Mapping[str, Any]) -> list[str]:
    raw = node.get("@type", node.get("type"))
    values = raw if isinstance(raw, list) else [raw]
    return [short_type(value) for value in values if isinstance(value, str) and value.strip()]


def is_event_type(name: str) -> bool:
    """Event and its subtypes, by name, whether or not we know the subtype."""
    if name in NOT_ATTENDABLE:
        return False
    return name.endswith("Event") or name in EVENT_SUBTYPES


def is_event(node: Mapping[str, Any]) -> bool:
    return any(is_event_type(name) for name in node_types(node))


def schema_type(node: Mapping[str, Any]) -> str | None:
    """The most specific event type of a node (``MusicEvent`` before ``Event``)."""
    names = [name for name in node_types(node) if is_event_type(name)]
    specific = [name for name in names if name != "Event"]
    chosen = specific or names
    return chosen[0] if chosen else None


def index_ids(nodes: Any) -> dict[str, dict[str, Any]]:
    """Every node with an ``@id`` and some content, so that references can be resolved."""
    index: dict[str, dict[str, Any]] = {}

    def visit(value: Any, depth: int) -> None:
        if depth > MAX_DEPTH:
            return
        if isinstance(value, list):
            for item in value:
                visit(item, depth + 1)
        elif isinstance(value, dict):
            node_id = value.get("@id")
            if isinstance(node_id, str) and len(value) > 1:
                index.setdefault(node_id, value)
            for item in value.values():
                visit(item, depth + 1)

    visit(nodes, 0)
    return index


def resolve(node: dict[str, Any], index: Mapping[str, dict[str, Any]]) -> dict[str, Any]:
    """A copy of ``node`` whose bare ``{"@id": ...}`` references point at the full nodes."""

    def lookup(value: Any) -> Any:
        if isinstance(value, dict) and set(value) == {"@id"}:
            return index.get(value["@id"], value)
        if isinstance(value, list):
            return [lookup(item) for item in value]
        return value

    return {key: lookup(value) for key, value in node.items()}


def find_events(nodes: Any) -> Iterator[dict[str, Any]]:
    """Every event node, wherever the page put it.

    Covers top-level arrays, ``@graph``, ``ItemList``/``ListItem`` wrappers, a
    ``Place`` (or any host) whose ``event`` property lists its events, and
    ``subEvent`` of a series that has no date of its own. An event with its
    own start is one thing to go to: its sessions are not listed apart. An
    event without a location takes its host ``Place``.
    """
    index = index_ids(nodes)
    seen: set[int] = set()

    def walk(value: Any, place: dict[str, Any] | None, depth: int) -> Iterator[dict[str, Any]]:
        if depth > MAX_DEPTH:
            return
        if isinstance(value, list):
            for item in value:
                yield from walk(item, place, depth + 1)
            return
        if not isinstance(value, dict) or id(value) in seen:
            return
        seen.add(id(value))
        if is_event(value):
            event = resolve(value, index)
            if place is not None and not event.get("location"):
                event["location"] = place
            subs = [event.get(key) for key in ("subEvent", "subEvents") if event.get(key)]
            if subs and not event.get("startDate"):
                host = event.get("location") if isinstance(event.get("location"), dict) else place
                yield from walk(subs, host, depth + 1)
                return
            yield event
            return
        host = value if _is_place(value) else place
        for key, item in value.items():
            if key.startswith("@") and key != "@graph":
                continue
            yield from walk(item, host, depth + 1)

    yield from walk(nodes, None, 0)


def _is_place(node: Mapping[str, Any]) -> bool:
    types = node_types(node)
    return any(name.endswith(("Place", "Venue")) for name in types) or (
        bool(node.get("event") or node.get("events"))
        and bool(node.get("address") or node.get("geo"))
    )


def compact_rdfa(nodes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """RDFa comes out of extraction as expanded JSON-LD; make it look like the compact form.

    ``{"@type": ["http://schema.org/Event"], "http://schema.org/name": [{"@value": "x"}]}``
    becomes ``{"@type": "Event", "name": "x"}``; references to other nodes are
    inlined (a few levels deep) and properties outside schema.org are left out.
    """
    by_id = {node["@id"]: node for node in nodes if isinstance(node.get("@id"), str)}

    def convert(node: dict[str, Any], depth: int, path: frozenset[str]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        types = [
            short_type(t)
            for t in node.get("@type", [])
            if isinstance(t, str) and t.startswith(SCHEMA_PREFIXES)
        ]
        if types:
            out["@type"] = types[0] if len(types) == 1 else types
        node_id = node.get("@id")
        if isinstance(node_id, str) and not node_id.startswith("_:"):
            out["@id"] = node_id
        for key, values in node.items():
            if not key.startswith(SCHEMA_PREFIXES) or not isinstance(values, list):
                continue
            converted = []
            for value in values:
                if not isinstance(value, dict):
                    continue
                if "@value" in value:
                    converted.append(value["@value"])
                elif isinstance(value.get("@id"), str):
                    ref = value["@id"]
                    target = by_id.get(ref)
                    if target is not None and depth < 4 and ref not in path:
                        converted.append(convert(target, depth + 1, path | {ref}))
                    elif not ref.startswith("_:"):
                        converted.append(ref)
            if converted:
                out[short_type(key)] = converted[0] if len(converted) == 1 else converted
        return out

    return [
        convert(node, 0, frozenset({str(node.get("@id"))}))
        for node in nodes
        if any(isinstance(t, str) and t.startswith(SCHEMA_PREFIXES) for t in node.get("@type", []))
    ]


# --- small readers ----------------------------------------------------------


def text(value: Any) -> str | None:
    """The first non-empty string of a value (microdata repeats properties as lists)."""
    if isinstance(value, list):
        for item in value:
            found = text(item)
            if found:
                return found
        return None
    if isinstance(value, dict):
        return text(value.get("name") or value.get("@value") or value.get("@id"))
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, str):
        return " ".join(value.split()) or None
    return None


def _items(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _name(value: Any) -> str | None:
    """A person's or organisation's name, never a type placeholder or a bare URL."""
    name = text(value.get("name") if isinstance(value, dict) else value)
    if not name or name.casefold() in TYPE_PLACEHOLDERS:
        return None
    if name.startswith(("http://", "https://")):
        return None
    return name


# --- dates and times --------------------------------------------------------

DATE_ONLY = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
DATE_TIME = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})[T ](.+)$")
OFFSET = re.compile(r"(Z|[+-]\d{2}(?::?\d{2})?|[+-]\d:\d{2})$")
CLOCK = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2})(?::(\d{2}))?)?(?:[.,](\d+))?$")
# WordPress "2019-9-18T10-10-00-00": the hour twice, then minutes and seconds.
HYPHEN_CLOCK = re.compile(r"^(\d{1,2})-(\d{1,2})-(\d{2})-(\d{2})$")


def parse_datetime(value: str) -> date | datetime:
    """Read an ISO 8601 date or date-time, repairing only what has one reading.

    Repaired: offsets without a colon (``+0100``) or with a one-digit hour
    (``+0:00``), non-padded fields (``2019-9-18T10:00``), OutSavvy's doubled seconds
    (``12:30:00:00+01:00``) and WordPress's doubled hour
    (``2019-9-18T10-10-00-00``). Anything else raises :class:`BadDate`.
    """
    raw = value.strip()
    try:
        match = DATE_ONLY.match(raw)
        if match:
            return date(*(int(part) for part in match.groups()))
        match = DATE_TIME.match(raw)
        if not match:
            raise BadDate(f"not an ISO 8601 date: {value!r}")
        day = date(*(int(part) for part in match.groups()[:3]))
        clock = match.group(4).strip()
        hyphen = HYPHEN_CLOCK.match(clock)
        if hyphen:
            first, hour, minute, second = (int(part) for part in hyphen.groups())
            if first != hour:
                raise BadDate(f"ambiguous hour in {value!r}")
            return datetime(day.year, day.month, day.day, hour, minute, second)  # noqa: DTZ001
        zone: tzinfo | None = None
        offset = OFFSET.search(clock)
        if offset and ":" in clock[: offset.start()]:
            zone = _offset(offset.group(1))
            clock = clock[: offset.start()]
        parts = CLOCK.match(clock)
        if not parts:
            raise BadDate(f"unreadable time in {value!r}")
        hour, minute = int(parts.group(1)), int(parts.group(2))
        second = int(parts.group(3) or 0)
        if parts.group(4) is not None and parts.group(4) != parts.group(3):
            raise BadDate(f"ambiguous seconds in {value!r}")
        micro = int((parts.group(5) or "0")[:6].ljust(6, "0"))
        return datetime(day.year, day.month, day.day, hour, minute, second, micro, tzinfo=zone)
    except ValueError as exc:
        if isinstance(exc, BadDate):
            raise
        raise BadDate(f"impossible date {value!r}: {exc}") from exc


def _offset(text_: str) -> tzinfo:
    if text_ == "Z":
        return UTC
    sign = -1 if text_[0] == "-" else 1
    if ":" in text_:
        hour_text, minute_text = text_[1:].split(":")
        hours, minutes = int(hour_text), int(minute_text)
    else:
        hours, minutes = int(text_[1:3]), int(text_[3:5] or 0)
    if hours > 23 or minutes > 59:
        raise BadDate(f"impossible offset {text_!r}")
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


@dataclass(frozen=True, slots=True)
class Times:
    start: datetime
    end: datetime | None
    all_day: bool
    timezone: str | None
    floating: bool


def parse_times(node: Mapping[str, Any], zone: str | None) -> Times:
    """Start, end, all-day flag and IANA zone of an event node.

    ``zone`` is the source's zone. A naive time is in that zone (UTC when
    unknown, ``timezone`` left None and ``floating`` set so that a later
    stage can place it). A time with an offset keeps its instant; it takes
    ``zone`` only when the offset agrees with it. A date alone is an all-day
    event whose end is exclusive (the day after ``endDate``).
    """
    raw_start = text(node.get("startDate"))
    if not raw_start:
        raise MissingStart("no startDate")
    first = parse_datetime(raw_start)
    raw_end = text(node.get("endDate"))
    try:
        last = parse_datetime(raw_end) if raw_end else None
    except BadDate:
        last = None
    if not isinstance(first, datetime):
        return _all_day_times(first, last, zone)
    floating = first.tzinfo is None and zone is None
    start, tz_name = _place_in_zone(first, zone)
    end: datetime | None = None
    if isinstance(last, datetime):
        # A naive end shares the start's zone; an end with its own offset keeps its instant.
        end = last.replace(tzinfo=start.tzinfo) if last.tzinfo is None else last
        end = end.astimezone(start.tzinfo)
    elif isinstance(last, date):
        end = all_day_start(last + timedelta(days=1), tz_name)
    if end is not None and end < start:
        end = None
    return Times(start, end, False, tz_name, floating)


def _all_day_times(first: date, last: date | None, zone: str | None) -> Times:
    start = all_day_start(first, zone)
    end_day = last.date() if isinstance(last, datetime) else last
    end = all_day_start(end_day + timedelta(days=1), zone) if end_day else None
    if end is None or end <= start:
        end = start + timedelta(days=1)
    return Times(start, end, True, zone, False)


def _place_in_zone(value: datetime, zone: str | None) -> tuple[datetime, str | None]:
    if value.tzinfo is None:
        return value.replace(tzinfo=ZoneInfo(zone) if zone else UTC), zone
    if zone:
        local = value.astimezone(ZoneInfo(zone))
        if local.utcoffset() == value.utcoffset():
            return local, zone
    return value, None


def instant_key(start: datetime, all_day: bool) -> str:
    """The start as identity: the day for all-day events, else the UTC instant."""
    if all_day:
        return start.date().isoformat()
    return start.astimezone(UTC).isoformat()


# --- the other fields -------------------------------------------------------


def parse_title(node: Mapping[str, Any]) -> str | None:
    return text(node.get("name"))


def parse_status(node: Mapping[str, Any]) -> tuple[Status, str | None]:
    """Status and, for a rescheduled or moved event, a note for ``details``."""
    value = text(node.get("eventStatus"))
    name = short_type(value) if value else ""
    if name == "EventCancelled":
        return Status.CANCELLED, None
    if name == "EventPostponed":
        return Status.POSTPONED, None
    if name == "EventRescheduled":
        previous = text(node.get("previousStartDate"))
        return Status.SCHEDULED, f"rescheduled (was {previous})" if previous else "rescheduled"
    if name == "EventMovedOnline":
        return Status.SCHEDULED, "moved online"
    return Status.SCHEDULED, None


def parse_attendance(node: Mapping[str, Any]) -> Attendance:
    """From ``eventStatus`` (moved online), ``eventAttendanceMode``, or the kinds of location."""
    status = text(node.get("eventStatus"))
    if status and short_type(status) == "EventMovedOnline":
        return Attendance.ONLINE
    mode = text(node.get("eventAttendanceMode"))
    name = short_type(mode) if mode else ""
    if name.startswith("Online"):
        return Attendance.ONLINE
    if name.startswith("Mixed"):
        return Attendance.MIXED
    if name.startswith("Offline"):
        return Attendance.IN_PERSON
    locations = _items(node.get("location"))
    virtual = [loc for loc in locations if _is_virtual(loc)]
    if virtual and len(virtual) == len(locations):
        return Attendance.ONLINE
    if virtual:
        return Attendance.MIXED
    return Attendance.IN_PERSON


def _is_virtual(location: Any) -> bool:
    if isinstance(location, dict):
        return "VirtualLocation" in node_types(location)
    return isinstance(location, str) and location.strip().startswith(("http://", "https://"))


def parse_venue(node: Mapping[str, Any]) -> Venue:
    """The first physical location: a ``Place``, a ``PostalAddress`` or a plain string."""
    for location in _items(node.get("location")):
        if _is_virtual(location):
            continue
        if isinstance(location, str):
            label = text(location)
            if label:
                return Venue(name=label.split(",")[0].strip() or None, address=label)
            continue
        if not isinstance(location, dict):
            continue
        venue = Venue()
        if "PostalAddress" in node_types(location):
            _parse_address(location, venue)
        else:
            venue.name = _place_name(location, venue)
            _parse_address(location.get("address"), venue)
        venue.lat, venue.lon = parse_geo(location)
        if not venue.is_empty():
            return venue
    return Venue()


def _place_name(place: Mapping[str, Any], venue: Venue) -> str | None:
    """The name; a name with the address on its next lines (GrowthZone) is split."""
    raw = place.get("name")
    value = raw[0] if isinstance(raw, list) and raw else raw
    if not isinstance(value, str):
        return text(value)
    lines = [" ".join(line.split()) for line in value.splitlines() if line.strip()]
    if not lines:
        return None
    if len(lines) > 1 and not place.get("address"):
        venue.address = ", ".join(lines[1:])
    return lines[0]


def _parse_address(address: Any, venue: Venue) -> None:
    if isinstance(address, list):
        address = next((item for item in address if item), None)
    if isinstance(address, str):
        venue.address = text(address) or venue.address
        return
    if not isinstance(address, dict):
        return
    street = text(address.get("streetAddress"))
    postcode = text(address.get("postalCode"))
    parts = [part for part in (street, postcode) if part]
    if parts:
        venue.address = ", ".join(parts)
    venue.city = text(address.get("addressLocality"))
    venue.region = text(address.get("addressRegion"))
    venue.country = text(address.get("addressCountry"))


def parse_geo(place: Mapping[str, Any]) -> tuple[float | None, float | None]:
    """``geo`` (GeoCoordinates) or the place's own latitude/longitude; out of range is dropped."""
    geo = place.get("geo")
    if isinstance(geo, list):
        geo = geo[0] if geo else None
    source = geo if isinstance(geo, dict) else place
    lat, lon = _number(source.get("latitude")), _number(source.get("longitude"))
    if lat is None or lon is None or not (-90 <= lat <= 90) or not (-180 <= lon <= 180):
        return None, None
    if lat == 0 and lon == 0:
        return None, None
    return lat, lon


def _number(value: Any) -> float | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            return None
        return number if number == number and abs(number) != float("inf") else None
    return None


PRICE = re.compile(r"\d[\d,]*(?:\.\d+)?")


def parse_price(value: Any) -> tuple[float | None, bool]:
    """A price and whether it says "free"; ``"£5.00"``, ``"1,200"`` and ``"Free"`` all read."""
    if isinstance(value, bool) or value is None:
        return None, False
    if isinstance(value, (int, float)):
        return (float(value), False) if value >= 0 else (None, False)
    if not isinstance(value, str):
        return None, False
    cleaned = value.strip()
    if not cleaned:
        return None, False
    if cleaned.casefold() in ("free", "gratis", "gratuit", "kostenlos"):
        return 0.0, True
    match = PRICE.search(cleaned)
    if not match:
        return None, False
    number = match.group(0)
    if re.fullmatch(r"\d+,\d{2}", number):
        number = number.replace(",", ".")
    return float(number.replace(",", "")), False


def parse_offers(node: Mapping[str, Any]) -> tuple[float | None, str | None, bool | None]:
    """Lowest price, its currency and whether the event is free.

    An ``AggregateOffer`` gives ``lowPrice``; a list of offers gives its
    cheapest. Price 0 or "Free" means free; no price at all means unknown.
    """
    best: tuple[float, str | None] | None = None
    for offer in _items(node.get("offers")):
        if not isinstance(offer, dict):
            continue
        price, _ = parse_price(offer.get("lowPrice"))
        if price is None:
            price, _ = parse_price(offer.get("price"))
        currency = text(offer.get("priceCurrency"))
        if price is None and offer.get("offers"):
            nested = parse_offers(offer)
            if nested[0] is not None:
                price, currency = nested[0], nested[1] or currency
        if price is not None and (best is None or price < best[0]):
            best = (price, currency)
    if best is None:
        if str(node.get("isAccessibleForFree", "")).casefold() in ("true", "1"):
            return 0.0, None, True
        return None, None, None
    return best[0], best[1], best[0] == 0


def parse_organizer(node: Mapping[str, Any]) -> str | None:
    return parse_host(node)[0]


def parse_host(node: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """The first organizer's name and website (its ``url``, else a bare URL given as it)."""
    for organizer in _items(node.get("organizer")):
        name = _name(organizer)
        website = None
        if isinstance(organizer, dict):
            website = _web_address(organizer.get("url")) or _web_address(organizer.get("@id"))
        elif isinstance(organizer, str):
            website = _web_address(organizer)
        if name or website:
            return name, website
    return None, None


def _web_address(value: Any) -> str | None:
    address = text(value[0] if isinstance(value, list) and value else value)
    if address and address.startswith(("http://", "https://")) and "#" not in address:
        return address
    return None


def parse_performer(node: Mapping[str, Any]) -> str | None:
    """Performers' names joined; else the author of the featured work (a book signing)."""
    names = _names(node.get("performer") or node.get("performers"))
    if not names:
        for work in _items(node.get("workFeatured")) + _items(node.get("workPerformed")):
            if isinstance(work, dict):
                names += _names(work.get("author"))
    if not names:
        names = _names(node.get("author"))
    return ", ".join(dict.fromkeys(names)) or None


def _names(value: Any) -> list[str]:
    return [name for name in (_name(item) for item in _items(value)) if name]


TRACKING = re.compile(r"^(utm_|fbclid$|gclid$|mc_)")


def canonical_url(url: str) -> str:
    """The URL without its fragment or tracking parameters, for ids and revisits."""
    parts = urlsplit(url.strip())
    query = [
        (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not TRACKING.match(k)
    ]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))


def parse_url(node: Mapping[str, Any], page_url: str) -> str | None:
    """The event's own http(s) URL, resolved against the page."""
    for value in _items(node.get("url")):
        raw = value.get("@id") if isinstance(value, dict) else value
        if not isinstance(raw, str) or not raw.strip():
            continue
        url = urljoin(page_url, raw.strip())
        if url.startswith(("http://", "https://")):
            return canonical_url(url)
    return None


def parse_identifier(node: Mapping[str, Any], page_url: str) -> str | None:
    """The event's ``@id`` when it names the event itself (not a blank node)."""
    raw = node.get("@id")
    if not isinstance(raw, str) or not raw.strip() or raw.startswith("_:"):
        return None
    return urljoin(page_url, raw.strip())


def parse_description(node: Mapping[str, Any]) -> str | None:
    """The longest description (microdata often repeats a teaser and the full text)."""
    values = [v for v in _items(node.get("description")) if isinstance(v, str) and v.strip()]
    return max(values, key=len).strip() if values else None
