"""A small in-memory token bucket per client, for endpoints that send email.

``POST /subscriptions`` sends a confirmation email to any address it is
given; without a limit it is a free mail cannon. One process, one memory:
behind several workers or proxies, put the limit in the proxy too (and run
uvicorn with ``--proxy-headers`` so the client address is the real one).
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from starlette.requests import Request

MAX_CLIENTS = 10_000
"""Buckets kept; the least recently seen client is forgotten first (a full bucket anyway)."""


@dataclass(slots=True)
class _Bucket:
    tokens: float
    stamp: float


class TokenBucketLimiter:
    """``burst`` requests at once, then ``per_hour`` spread over the hour, per key."""

    def __init__(
        self,
        *,
        burst: int,
        per_hour: float,
        clock: Callable[[], float] = time.monotonic,
        max_clients: int = MAX_CLIENTS,
    ) -> None:
        if burst < 1 or per_hour <= 0:
            raise ValueError("a rate limit needs burst >= 1 and per_hour > 0")
        self.burst = burst
        self.rate = per_hour / 3600.0
        self._clock = clock
        self._max = max_clients
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, key: str) -> float:
        """Spend one token for ``key``: 0 when allowed, else seconds until the next token."""
        now = self._clock()
        with self._lock:
            bucket = self._buckets.pop(key, None)
            if bucket is None:
                bucket = _Bucket(tokens=float(self.burst), stamp=now)
            else:
                elapsed = max(now - bucket.stamp, 0.0)
                bucket.tokens = min(float(self.burst), bucket.tokens + elapsed * self.rate)
                bucket.stamp = now
            self._buckets[key] = bucket
            while len(self._buckets) > self._max:
                self._buckets.popitem(last=False)
            if bucket.tokens >= 1.0:
                bucket.tokens -= 1.0
                return 0.0
            return max(math.ceil((1.0 - bucket.tokens) / self.rate), 1)


TOO_MANY = "too many subscriptions from this address; try again later"


def wait_for(request: Request) -> float:
    """Seconds this client waits before its next sign-up (0: go ahead); takes a token.

    The app keeps one limiter (``app.state.subscribe_limiter``) for both faces.
    """
    limiter: TokenBucketLimiter = request.app.state.subscribe_limiter
    client = request.client.host if request.client else "unknown"
    return limiter.take(client)
