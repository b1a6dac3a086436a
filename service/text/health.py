"""What a source's health says about its last crawl: why a fetch failed, why nothing changed.

Each is a short sentence an operator can act on without reading a log; the
crawl fills in the numbers, `meetscout sources`, ``/sources`` and the
operator's pages show it as it is.
"""

from __future__ import annotations

FETCH = {
    "timeout": "no complete answer within {seconds:g} s (timed out; a slow or stalled server)",
    "too_large": "the answer is larger than the {limit} download limit: not read",
    "bomb": (
        "the answer unpacks to more than the {limit} download limit "
        "(a compression bomb or a runaway page): not read"
    ),
    "redirect_loop": "a redirect loop: {url} leads back to an address already fetched",
    "too_many_redirects": "more than {count} redirects in a row: given up (a redirect loop?)",
    "untrusted_certificate": (
        "TLS error: the site's certificate is not trusted (self-signed, expired, "
        "or for another name)"
    ),
    "tls": "TLS error: no secure connection could be made ({detail})",
    "http": "the server answered {status} {reason}",
    "cut_short": "the answer was cut short before its end (connection lost)",
    "connection_refused": "the server refused the connection",
    "robots": "the site's robots.txt does not allow crawlers there: not fetched",
    "no_such_host": "the site's name does not resolve (no such host)",
}
"""Why a fetch failed, by kind; the crawl's ``last_error``."""

UNTRUSTED = {
    "empty": "the source listed no events: a suspect answer, nothing stored was changed",
    "shrunk": (
        "the source listed {stored} events, under half of the {previous} of its last clean "
        "crawl: a suspect answer, the events it left out are kept, none cancelled"
    ),
}
"""Why a crawl that fetched fine is not trusted as the source's complete list (its ``note``)."""


def size(limit: int) -> str:
    """A byte count as people say it: ``20 MB``, ``512 KB``."""
    for unit, scale in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if limit >= scale:
            return f"{limit / scale:.3g} {unit}"
    return f"{limit} bytes"
