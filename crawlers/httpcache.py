"""The crawl's HTTP cache on disk, safe against a crawl killed while it writes.

Scrapy's ``FilesystemCacheStorage`` writes an entry as several files, the
one that marks it present (``pickled_meta``) second; a crawl killed before
the body is written leaves an entry that every later crawl fails to read
(the source fails at each crawl until someone deletes the cache). Here an
entry is written in a folder of its own and renamed into place when
complete, so it is there whole or not at all; and an entry that cannot be
read (one left by an older version, a disk error) counts as not cached:
the page is fetched again.
"""

from __future__ import annotations

import logging
import os
import pickle
import shutil
import zlib
from pathlib import Path

from scrapy import Spider
from scrapy.extensions.httpcache import FilesystemCacheStorage
from scrapy.http import Request, Response

logger = logging.getLogger(__name__)

UNREADABLE = (OSError, EOFError, pickle.UnpicklingError, ValueError, KeyError, zlib.error)
"""What reading a damaged entry raises (gzip's BadGzipFile is an OSError)."""


class CrashSafeCacheStorage(FilesystemCacheStorage):
    """Scrapy's filesystem cache whose entries are written whole or not at all."""

    _staging: Path | None = None

    def _get_request_path(self, spider: Spider, request: Request) -> str:
        if self._staging is not None:
            return str(self._staging)
        return super()._get_request_path(spider, request)

    def store_response(self, spider: Spider, request: Request, response: Response) -> None:
        final = Path(self._get_request_path(spider, request))
        staging = final.with_name(f"{final.name}.{os.getpid()}.new")
        retired = final.with_name(f"{final.name}.{os.getpid()}.old")
        shutil.rmtree(staging, ignore_errors=True)
        self._staging = staging
        try:
            super().store_response(spider, request, response)
        finally:
            self._staging = None
        try:
            if final.exists():
                shutil.rmtree(retired, ignore_errors=True)
                os.replace(final, retired)
            os.replace(staging, final)
        except OSError as exc:  # another process stored it meanwhile: the cache is optional
            logger.warning("http cache: could not store %s: %s", request.url, exc)
            shutil.rmtree(staging, ignore_errors=True)
        shutil.rmtree(retired, ignore_errors=True)

    def retrieve_response(self, spider: Spider, request: Request) -> Response | None:
        try:
            return super().retrieve_response(spider, request)
        except UNREADABLE as exc:
            logger.warning(
                "http cache: unreadable entry for %s, fetching again: %s", request.url, exc
            )
            return None
