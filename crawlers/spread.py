"""A crawl spread over processes and machines that share a Redis (``MEETSCOUT_REDIS_URL``).

Every ``meetscout crawl`` started with the same sources joins one run: a
list of the sources' names in Redis that each process takes from, so each
source is crawled by one process. Taking a source is taking its lease, a
Redis key that expires unless its process renews it (a heartbeat thread):
a process that dies gives its sources back when their leases end, and a
process with nothing left to take crawls them again from the start (what
the dead one fetched and parsed was in its memory, and a source's
snapshot must be whole). A run's keys are deleted when its last source is
concluded, so the next crawl starts a new run.

Within a source, requests go through scrapy-redis's scheduler and
duplicate filter, keyed by the run and the source: two unrelated crawls
never share either, and both are deleted when the source's crawl ends.
Why pages stay with the process that took their source is in
``ARCHITECTURE.md``.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Literal

from crawlers.sources import Source

if TYPE_CHECKING:
    import redis  # the optional extra ``meetscout[redis]``: imported when a crawl is shared

LEASE = timedelta(seconds=60)
"""How long a source stays taken without a heartbeat: a dead process's sources wait this long."""
RUN_TTL = timedelta(days=1)
"""A run that every process left unfinished is forgotten after this long."""

logger = logging.getLogger(__name__)

# Take the next source: a listed one whose lease is free, else one whose taker's lease ran
# out before it was concluded; or say to wait, or that every source is concluded.
NEXT = """
local run, leases, holder, ms, ttl = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local total = redis.call('GET', run .. ':total')
if not total then return {'finished', ''} end
local todo = run .. ':todo'
for _ = 1, redis.call('LLEN', todo) do
  local name = redis.call('LPOP', todo)
  if redis.call('SET', leases .. name, holder, 'NX', 'PX', ms) then
    redis.call('HSET', run .. ':claimed', name, holder)
    redis.call('EXPIRE', run .. ':claimed', ttl)
    return {'crawl', name}
  end
  redis.call('RPUSH', todo, name)
end
local claimed = redis.call('HGETALL', run .. ':claimed')
for i = 1, #claimed, 2 do
  local name = claimed[i]
  if redis.call('SISMEMBER', run .. ':done', name) == 0
     and redis.call('SET', leases .. name, holder, 'NX', 'PX', ms) then
    redis.call('HSET', run .. ':claimed', name, holder)
    return {'retake', name}
  end
end
if redis.call('SCARD', run .. ':done') >= tonumber(total) then return {'finished', ''} end
return {'wait', ''}
"""

# Join the run of these sources, or start it with every name listed.
JOIN = """
local pointer, run, ttl = KEYS[1], ARGV[1], ARGV[2]
local current = redis.call('GET', pointer)
if current then return current end
redis.call('SET', pointer, run, 'EX', ttl)
redis.call('SET', run .. ':total', #ARGV - 2, 'EX', ttl)
for i = 3, #ARGV do redis.call('RPUSH', run .. ':todo', ARGV[i]) end
redis.call('EXPIRE', run .. ':todo', ttl)
return run
"""

# A concluded source: done, and its lease given back (only by the one holding it).
DONE = """
local run, leases, holder, name, ttl = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
if redis.call('GET', leases .. name) ~= holder then return 0 end
redis.call('SADD', run .. ':done', name)
redis.call('EXPIRE', run .. ':done', ttl)
redis.call('HDEL', run .. ':claimed', name)
redis.call('EXPIRE', run .. ':claimed', ttl)
redis.call('DEL', leases .. name)
return 1
"""

RENEW = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
return redis.call('PEXPIRE', KEYS[1], ARGV[2])
"""

RELEASE = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
return redis.call('DEL', KEYS[1])
"""


class SharedCrawlError(RuntimeError):
    """The shared Redis cannot be reached: nothing is crawled."""


def connect(url: str) -> redis.Redis:
    """A client of the shared Redis, answering in text; refused when it does not answer."""
    import redis

    client = redis.Redis.from_url(url, decode_responses=True, socket_timeout=30)
    try:
        client.ping()
    except redis.RedisError as error:
        client.close()
        where = redis.connection.parse_url(url).get("host", url)
        raise SharedCrawlError(f"the Redis of MEETSCOUT_REDIS_URL ({where}): {error}") from None
    return client


def scheduler_settings(url: str, namespace: str) -> dict[str, Any]:
    """Scrapy settings for scrapy-redis's scheduler and duplicate filter under ``namespace``.

    Each source's queue and fingerprints are its own (``%(spider)s`` is the
    source's name): two sources that link one page each fetch it, as they
    would alone. Flushed when a crawl starts (a source taken again starts
    over) and deleted when it ends.
    """
    return {
        "SCHEDULER": "scrapy_redis.scheduler.Scheduler",
        "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
        "SCHEDULER_PERSIST": False,
        "SCHEDULER_FLUSH_ON_START": True,
        "SCHEDULER_QUEUE_KEY": f"{namespace}:%(spider)s:requests",
        "SCHEDULER_DUPEFILTER_KEY": f"{namespace}:%(spider)s:dupefilter",
        "REDIS_URL": url,
    }


class Leases:
    """Sources this process has taken, each a Redis key that ends unless renewed.

    A heartbeat thread renews them every third of the lease, so a process
    busy parsing keeps its sources and a killed one loses them.
    """

    def __init__(
        self, client: redis.Redis, *, prefix: str, holder: str, lease: timedelta = LEASE
    ) -> None:
        self.client = client
        self.key_prefix = f"{prefix}:lease:"
        self.holder = holder
        self.lease = lease
        self.held: set[str] = set()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._beat: threading.Thread | None = None

    @property
    def milliseconds(self) -> int:
        return max(1, int(self.lease.total_seconds() * 1000))

    def key(self, name: str) -> str:
        return self.key_prefix + name

    def take(self, name: str) -> bool:
        """Take ``name`` when nobody holds it: True when it is now ours."""
        taken = self.client.set(self.key(name), self.holder, nx=True, px=self.milliseconds)
        if taken:
            self.add(name)
        return bool(taken)

    def add(self, name: str) -> None:
        with self._lock:
            self.held.add(name)
        self.start()

    def holder_of(self, name: str) -> str | None:
        value = self.client.get(self.key(name))
        return str(value) if value is not None else None

    def ours(self, name: str) -> bool:
        return self.holder_of(name) == self.holder

    def drop(self, name: str) -> None:
        with self._lock:
            self.held.discard(name)

    def release(self, name: str) -> None:
        self.drop(name)
        self.client.eval(RELEASE, 1, self.key(name), self.holder)

    def renew(self) -> None:
        with self._lock:
            names = list(self.held)
        for name in names:
            kept = self.client.eval(RENEW, 1, self.key(name), self.holder, self.milliseconds)
            if not kept:
                logger.warning("%s: its lease ran out and another process took it", name)
                self.drop(name)

    def start(self) -> None:
        if self._beat is None:
            self._beat = threading.Thread(target=self._heartbeat, name="leases", daemon=True)
            self._beat.start()

    def _heartbeat(self) -> None:
        from redis import RedisError

        while not self._stop.wait(self.lease.total_seconds() / 3):
            try:
                self.renew()
            except RedisError:  # Redis away for a moment: the next beat tries again
                logger.warning("the leases could not be renewed", exc_info=True)

    def stop(self) -> None:
        self._stop.set()
        if self._beat is not None:
            self._beat.join(timeout=5)


@dataclass(frozen=True)
class Step:
    """What a process of the run does next."""

    kind: Literal["crawl", "retake", "wait", "finished"]
    name: str = ""


def run_key(prefix: str, sources: Iterable[Source]) -> str:
    """Where the run of these sources is found: crawls of other sources are other runs."""
    listed = sorted(f"{source.name}\t{source.type}\t{source.url}" for source in sources)
    digest = hashlib.sha256("\n".join(listed).encode()).hexdigest()[:16]
    return f"{prefix}:crawl:{digest}"


class SharedCrawl:
    """One process's part in a run: joins it, takes sources, marks them concluded, cleans up."""

    def __init__(
        self, client: redis.Redis, leases: Leases, sources: Sequence[Source], *, prefix: str
    ) -> None:
        self.client = client
        self.leases = leases
        self.names = [source.name for source in sources]
        self.pointer = run_key(prefix, sources)
        self.run = ""

    def join(self) -> str:
        """The run of these sources, started now if none is under way."""
        proposed = f"{self.pointer}:{uuid.uuid4().hex[:12]}"
        ttl = int(RUN_TTL.total_seconds())
        self.run = str(self.client.eval(JOIN, 1, self.pointer, proposed, ttl, *self.names))
        return self.run

    def next(self) -> Step:
        kind, name = self.client.eval(
            NEXT,
            0,
            self.run,
            self.leases.key_prefix,
            self.leases.holder,
            self.leases.milliseconds,
            int(RUN_TTL.total_seconds()),
        )
        step = Step(kind=kind, name=name)
        if step.kind in ("crawl", "retake"):
            self.leases.add(step.name)
        return step

    def done(self, name: str) -> bool:
        """``name`` is concluded: True when it was still ours to conclude."""
        ttl = int(RUN_TTL.total_seconds())
        marked = self.client.eval(
            DONE, 0, self.run, self.leases.key_prefix, self.leases.holder, name, ttl
        )
        self.leases.drop(name)
        return bool(marked)

    def holders(self) -> dict[str, str]:
        """Which process holds each source of the run not yet concluded."""
        run = self.client.get(self.pointer)
        if run is None:
            return {}
        claimed = self.client.hgetall(f"{run!s}:claimed")
        return {str(k): str(v) for k, v in claimed.items()}

    def clean(self) -> None:
        """Every source concluded: delete the run's keys, so the next crawl is a new run."""
        if self.client.get(self.pointer) == self.run:
            self.client.delete(self.pointer)
        leftover = list(self.client.scan_iter(match=f"{self.run}:*", count=500))
        if leftover:
            self.client.delete(*leftover)

    def scrapy_settings(self, url: str) -> dict[str, Any]:
        return scheduler_settings(url, self.run)
