"""An address a person typed, checked before anything is fetched from it.

Only the form is checked here: a web address, no credentials, not an
address inside a private network when written as one (an IP literal, a
single-label name, ``localhost``, ``.internal``). The fetch itself (the
discovery, the crawl) checks again, at every redirect and after DNS
resolution, so a public name pointing inside is refused there too.
``MEETSCOUT_FETCH_ALLOW`` hosts pass.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from urllib.parse import urlsplit, urlunsplit

from service.text.admin import (
    ADDRESS_EMPTY,
    ADDRESS_INSIDE,
    ADDRESS_NO_HOST,
    ADDRESS_NOT_WEB,
    ADDRESS_TOO_LONG,
    ADDRESS_WITH_LOGIN,
)

MAX_ADDRESS = 2000
CONTROL = re.compile(r"[\x00-\x20\x7f]")
NUMERIC_LABEL = re.compile(r"0x[0-9a-f]*|[0-9]+")
INSIDE_SUFFIXES = (".localhost", ".local", ".internal", ".intranet", ".lan", ".home.arpa")


class AddressError(ValueError):
    """The address cannot be suggested or added; the message says why, for a person."""


def check_address(text: str, *, allow: Iterable[str] = ()) -> str:
    """``text`` as a normalised http(s) address, or :class:`AddressError`.

    ``webcal://`` becomes ``https://``; an address without a scheme gets ``https://``.
    """
    text = text.strip()
    if not text:
        raise AddressError(ADDRESS_EMPTY)
    if len(text) > MAX_ADDRESS:
        raise AddressError(ADDRESS_TOO_LONG)
    if CONTROL.search(text):
        raise AddressError(ADDRESS_NOT_WEB)
    if "://" not in text:
        text = f"https://{text}"
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        raise AddressError(ADDRESS_NOT_WEB) from None
    scheme = parts.scheme.lower()
    if scheme == "webcal":
        scheme = "https"
    if scheme not in ("http", "https"):
        raise AddressError(ADDRESS_NOT_WEB)
    if parts.username is not None or parts.password is not None:
        raise AddressError(ADDRESS_WITH_LOGIN)
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise AddressError(ADDRESS_NO_HOST)
    allowed = {entry.strip().lower().rstrip(".") for entry in allow}
    if host not in allowed:
        kind = inside_kind(host)
        if kind is not None:
            raise AddressError(ADDRESS_INSIDE.format(kind=kind))
    netloc = host if ":" not in host else f"[{host}]"
    if port is not None:
        netloc = f"{netloc}:{port}"
    return urlunsplit((scheme, netloc, parts.path or "/", parts.query, ""))


def inside_kind(host: str) -> str | None:
    """Why ``host``, as written, names a machine off the public internet; None if it may not."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        if host == "localhost" or host.endswith(INSIDE_SUFFIXES):
            return "a local name"
        if all(NUMERIC_LABEL.fullmatch(label) for label in host.lower().split(".")):
            return "an address written in numbers"
        if "." not in host:
            return "a name without a domain"
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address.is_loopback:
        return "loopback"
    if address.is_link_local:
        return "link-local, where cloud metadata lives"
    if address.is_private:
        return "private"
    if not address.is_global:
        return "reserved"
    return None
