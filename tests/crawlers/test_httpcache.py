"""The crawl's HTTP cache: an entry is there whole or not at all, a damaged one is fetched again."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from scrapy import Spider
from scrapy.extensions.httpcache import FilesystemCacheStorage
from scrapy.http import Request, Response
from scrapy.settings import Settings as ScrapySettings
from scrapy.utils.test import get_crawler

from crawlers.httpcache import CrashSafeCacheStorage

URL = "https://example.org/calendar.ics"
FEED = b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"


@pytest.fixture
def spider() -> Spider:
    crawler = get_crawler(Spider)
    return Spider.from_crawler(crawler, name="cached")


def storage(kind: type[FilesystemCacheStorage], folder: Path, spider: Spider) -> Any:
    settings = ScrapySettings({"HTTPCACHE_DIR": str(folder), "HTTPCACHE_GZIP": True})
    store = kind(settings)
    store.open_spider(spider)
    return store


def response(body: bytes) -> Response:
    return Response(URL, status=200, headers={"Content-Type": "text/calendar"}, body=body)


class Killed(BaseException):
    """The process dies here (a kill -9 runs no handler; nothing after it is written)."""


def test_an_entry_reads_back_as_stored(tmp_path: Path, spider: Spider) -> None:
    store = storage(CrashSafeCacheStorage, tmp_path, spider)
    store.store_response(spider, Request(URL), response(FEED))
    cached = store.retrieve_response(spider, Request(URL))
    assert (cached.status, cached.body) == (200, FEED)
    store.store_response(spider, Request(URL), response(FEED + b"\r\n"))
    assert store.retrieve_response(spider, Request(URL)).body == FEED + b"\r\n"


def dying_storage(folder: Path, spider: Spider) -> CrashSafeCacheStorage:
    """A storage whose process is killed when it starts writing a body."""
    dying = storage(CrashSafeCacheStorage, folder, spider)
    opener = dying._open

    def dies_at_the_body(path: Any, mode: str, *args: Any, **kwargs: Any) -> Any:
        if str(path).endswith("response_body") and "w" in mode:
            raise Killed  # the entry's marker and headers are written by now
        return opener(path, mode, *args, **kwargs)

    dying._open = dies_at_the_body
    return dying


def test_a_crawl_killed_while_storing_leaves_no_entry_or_the_previous_one_whole(
    tmp_path: Path, spider: Spider
) -> None:
    with pytest.raises(Killed):
        dying_storage(tmp_path, spider).store_response(spider, Request(URL), response(FEED))
    next_crawl = storage(CrashSafeCacheStorage, tmp_path, spider)
    assert next_crawl.retrieve_response(spider, Request(URL)) is None  # fetched again
    next_crawl.store_response(spider, Request(URL), response(FEED))
    with pytest.raises(Killed):
        dying_storage(tmp_path, spider).store_response(spider, Request(URL), response(b"half"))
    cached = storage(CrashSafeCacheStorage, tmp_path, spider).retrieve_response(
        spider, Request(URL)
    )
    assert cached.body == FEED


def test_an_entry_a_killed_crawl_left_half_written_is_fetched_again(
    tmp_path: Path, spider: Spider
) -> None:
    """What Scrapy's own storage leaves when killed after its marker, before the body."""
    plain = storage(FilesystemCacheStorage, tmp_path, spider)
    plain.store_response(spider, Request(URL), response(FEED))
    entry = Path(plain._get_request_path(spider, Request(URL)))
    (entry / "response_body").unlink()
    with pytest.raises(FileNotFoundError):
        plain.retrieve_response(spider, Request(URL))  # every later crawl of the source failed
    assert (
        storage(CrashSafeCacheStorage, tmp_path, spider).retrieve_response(spider, Request(URL))
        is None
    )


def test_a_truncated_body_is_fetched_again(tmp_path: Path, spider: Spider) -> None:
    store = storage(CrashSafeCacheStorage, tmp_path, spider)
    store.store_response(spider, Request(URL), response(FEED * 100))
    body = Path(store._get_request_path(spider, Request(URL))) / "response_body"
    body.write_bytes(body.read_bytes()[:20])
    assert store.retrieve_response(spider, Request(URL)) is None
