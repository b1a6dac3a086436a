"""The Redis a shared crawl runs on, and crawl processes that share it.

Tests of the crawl spread over processes use the Redis at
``MEETSCOUT_TEST_REDIS`` (default ``redis://127.0.0.1:6379/0``), each under
a key prefix of its own. Without a server those tests are skipped with the
reason, unless ``MEETSCOUT_TEST_REDIS_REQUIRED`` is set (CI sets it): then
a missing server fails them.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import pytest
import redis

REDIS_VARIABLE = "MEETSCOUT_TEST_REDIS"
REQUIRED_VARIABLE = "MEETSCOUT_TEST_REDIS_REQUIRED"
DEFAULT_URL = "redis://127.0.0.1:6379/0"

SHARED_CRAWL = """
import json, sys
from datetime import datetime, timedelta
from pathlib import Path
from crawlers.runner import run_crawl
from crawlers.sources import load_sources
from service.settings import Settings
database, sources, now, redis_url, prefix, lease = sys.argv[1:7]
settings = Settings(database_url=database, sources=Path(sources), log_level="WARNING",
                    http_cache_dir=Path(sources).parent / "httpcache",
                    redis_url=redis_url, redis_prefix=prefix)
reports = run_crawl(settings, load_sources(settings.sources), now=datetime.fromisoformat(now),
                    lease=timedelta(seconds=float(lease)))
print(json.dumps([{"source": r.source, "outcome": r.outcome.value, "stored": r.stored}
                  for r in reports]))
"""


def redis_url() -> str:
    return os.environ.get(REDIS_VARIABLE, DEFAULT_URL)


@contextmanager
def isolated_prefix() -> Iterator[tuple[redis.Redis, str]]:
    """A client of the test Redis and a key prefix no other test uses; its keys deleted after."""
    client = redis.Redis.from_url(redis_url(), decode_responses=True, socket_timeout=5)
    try:
        client.ping()
    except redis.RedisError as error:
        reason = f"no Redis at {redis_url()} ({error})"
        if os.environ.get(REQUIRED_VARIABLE):
            pytest.fail(f"{reason} (and {REQUIRED_VARIABLE} says one must)", pytrace=False)
        pytest.skip(reason)
    prefix = f"meetscout-test-{uuid.uuid4().hex[:12]}"
    try:
        yield client, prefix
    finally:
        leftover = list(client.scan_iter(match=f"{prefix}:*"))
        if leftover:
            client.delete(*leftover)
        client.close()


def start_shared_crawl(
    *, database: str, sources: Path, now: datetime, prefix: str, lease_seconds: float
) -> subprocess.Popen[str]:
    """``run_crawl`` with ``MEETSCOUT_REDIS_URL`` in a process of its own (output: its reports
    as JSON), allowed to fetch from 127.0.0.1."""
    return subprocess.Popen(
        [
            sys.executable,
            "-c",
            SHARED_CRAWL,
            database,
            str(sources),
            now.isoformat(),
            redis_url(),
            prefix,
            str(lease_seconds),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "MEETSCOUT_FETCH_ALLOW": "127.0.0.1"},
    )
