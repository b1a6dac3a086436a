"""HTTP caching for representations that change rarely: ETag, Last-Modified, 304, gzip, HEAD.

Calendar apps poll a feed for months. Answering an unchanged feed with a
304, and a changed one compressed once per version, is what keeps that
polling cheap for both sides.
"""

from __future__ import annotations

import gzip
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from typing import Generic, TypeVar

from fastapi import Request, Response

GZIP_MINIMUM_SIZE = 1024
"""Bytes below which gzip costs more than it saves."""
GZIP_LEVEL = 6
GZIP_KEPT_BYTES = 4 * 1024 * 1024
"""Compressed bodies kept per resource type, at most: every worker keeps its own."""
GZIP_SUFFIX = "-gzip"
"""Appended to the ETag of the gzip representation, which is other bytes than the identity one."""

K = TypeVar("K")
V = TypeVar("V")


class LRUCache(Generic[K, V]):
    """A bounded mapping that forgets the least recently used entry; safe across threads.

    FastAPI runs sync handlers in a thread pool, so two requests may read
    and fill the same cache at once.
    """

    def __init__(
        self,
        max_entries: int,
        *,
        max_bytes: int | None = None,
        weigh: Callable[[V], int] | None = None,
    ) -> None:
        """At most ``max_entries`` entries and, with ``weigh`` (the bytes an entry holds),
        at most ``max_bytes`` bytes of them."""
        if max_entries < 1:
            raise ValueError(f"max_entries must be 1 or more, got {max_entries}")
        if (max_bytes is None) != (weigh is None):
            raise ValueError("max_bytes and weigh go together")
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.bytes = 0
        self._weigh = weigh
        self._weights: dict[K, int] = {}
        self._entries: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: K) -> V | None:
        with self._lock:
            value = self._entries.get(key)
            if value is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return value

    def put(self, key: K, value: V) -> None:
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            if self._weigh is not None:
                size = self._weigh(value)
                self.bytes += size - self._weights.get(key, 0)
                self._weights[key] = size
            while len(self._entries) > self.max_entries or (
                self.max_bytes is not None and self.bytes > self.max_bytes and self._entries
            ):
                old, _ = self._entries.popitem(last=False)
                self.bytes -= self._weights.pop(old, 0)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._weights.clear()
            self.bytes = 0
            self.hits = self.misses = 0

    def __len__(self) -> int:
        return len(self._entries)


@dataclass(frozen=True, slots=True)
class Validators:
    """What a client sends back to ask "has it changed?".

    ``tag`` is the opaque part of the strong ETag of the identity
    representation; it must change whenever the body's bytes would.
    """

    tag: str
    last_modified: datetime | None = None


def strong_tag(parts: Iterable[object]) -> str:
    """A tag from the inputs a body is a pure function of (ids, versions, options)."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(repr(part).encode("utf-8"))
        digest.update(b"\x1f")
    return digest.hexdigest()[:40]


def http_date(moment: datetime) -> str:
    return format_datetime(moment.astimezone(UTC).replace(microsecond=0), usegmt=True)


def accepts_gzip(request: Request) -> bool:
    """Whether Accept-Encoding lists gzip (or ``*``) with a non-zero quality."""
    for item in request.headers.get("accept-encoding", "").split(","):
        coding, _, parameters = item.strip().partition(";")
        if coding.strip().lower() not in ("gzip", "x-gzip", "*"):
            continue
        quality = parameters.strip().lower().removeprefix("q=").strip()
        try:
            if quality and float(quality) <= 0:
                continue
        except ValueError:
            continue
        return True
    return False


def not_modified_tag(request: Request, validators: Validators) -> str | None:
    """The tag to answer a 304 with, or None when the client's copy is not current.

    RFC 9110 13.2.2: If-None-Match decides when present, else If-Modified-Since.
    The tag is the one the client holds, so its identity or gzip copy stays
    labelled as what it is.
    """
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None:
        return _matching_tag(if_none_match, validators.tag)
    if_modified_since = request.headers.get("if-modified-since")
    if not if_modified_since or validators.last_modified is None:
        return None
    try:
        since = parsedate_to_datetime(if_modified_since)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    if validators.last_modified.replace(microsecond=0) <= since:
        return validators.tag + (GZIP_SUFFIX if accepts_gzip(request) else "")
    return None


def _matching_tag(header: str, tag: str) -> str | None:
    """Weak comparison, as for GET: either representation of this version matches."""
    for item in header.split(","):
        candidate = item.strip()
        if candidate == "*":
            return tag
        opaque = candidate.removeprefix("W/").strip('"')
        if opaque in (tag, tag + GZIP_SUFFIX):
            return opaque
    return None


class Representations:
    """Builds the responses of one cacheable resource type (a media type and a max-age)."""

    def __init__(
        self,
        *,
        media_type: str,
        max_age: int,
        gzip_entries: int = 32,
        gzip_bytes: int = GZIP_KEPT_BYTES,
    ) -> None:
        self.media_type = media_type
        self.max_age = max_age
        self._gzipped: LRUCache[str, bytes] = LRUCache(
            gzip_entries, max_bytes=gzip_bytes, weigh=len
        )

    def respond(
        self,
        request: Request,
        validators: Validators,
        render: Callable[[], tuple[bytes, Validators]],
        *,
        headers: dict[str, str] | None = None,
    ) -> Response:
        """A 304 when the client's copy is current, else the body (none for HEAD).

        ``render`` returns the body with its own validators: what was rendered
        may be newer than what ``validators`` were computed from.
        """
        unchanged = self.not_modified(request, validators, headers=headers)
        if unchanged is not None:
            return unchanged
        data, validators = render()
        return self.present(request, data, validators, headers=headers)

    def not_modified(
        self, request: Request, validators: Validators, *, headers: dict[str, str] | None = None
    ) -> Response | None:
        """The 304 for a client whose copy is current, else None."""
        current = not_modified_tag(request, validators)
        if current is None:
            return None
        return Response(status_code=304, headers=self._headers(validators, current, headers))

    def kept(
        self, request: Request, validators: Validators, *, headers: dict[str, str] | None = None
    ) -> Response | None:
        """The body of this version as :meth:`present` last gave it, without building it again;
        None when none is kept.

        Kept compressed: a client that does not take gzip gets it decompressed,
        a few milliseconds for a feed of a thousand events where joining and
        rendering its blocks again costs hundreds once they are evicted.
        """
        compressed = self._gzipped.get(validators.tag)
        if compressed is None:
            return None
        if accepts_gzip(request):
            return self._response(request, compressed, validators, gzipped=True, headers=headers)
        data = gzip.decompress(compressed)
        return self._response(request, data, validators, gzipped=False, headers=headers)

    def present(
        self,
        request: Request,
        data: bytes,
        validators: Validators,
        *,
        headers: dict[str, str] | None = None,
    ) -> Response:
        """The body, gzipped once per version (and kept so) when it is worth it, sent gzipped
        when the client takes it; headers only for HEAD."""
        if len(data) < GZIP_MINIMUM_SIZE:
            return self._response(request, data, validators, gzipped=False, headers=headers)
        compressed = self._compress(validators.tag, data)
        if accepts_gzip(request):
            return self._response(request, compressed, validators, gzipped=True, headers=headers)
        return self._response(request, data, validators, gzipped=False, headers=headers)

    def _response(
        self,
        request: Request,
        data: bytes,
        validators: Validators,
        *,
        gzipped: bool,
        headers: dict[str, str] | None,
    ) -> Response:
        tag = validators.tag + (GZIP_SUFFIX if gzipped else "")
        response_headers = self._headers(validators, tag, headers)
        if gzipped:
            response_headers["Content-Encoding"] = "gzip"
        if request.method == "HEAD":
            response_headers["Content-Length"] = str(len(data))
            return Response(b"", media_type=self.media_type, headers=response_headers)
        return Response(data, media_type=self.media_type, headers=response_headers)

    def _compress(self, tag: str, data: bytes) -> bytes:
        cached = self._gzipped.get(tag)
        if cached is None:
            cached = gzip.compress(data, compresslevel=GZIP_LEVEL, mtime=0)
            self._gzipped.put(tag, cached)
        return cached

    def _headers(
        self, validators: Validators, tag: str, extra: dict[str, str] | None
    ) -> dict[str, str]:
        headers = {
            "ETag": f'"{tag}"',
            "Cache-Control": f"public, max-age={self.max_age}",
            "Vary": "Accept-Encoding",
            **(extra or {}),
        }
        if validators.last_modified is not None:
            headers["Last-Modified"] = http_date(validators.last_modified)
        return headers
