"""A token bucket per client, kept in the store, for endpoints that send email or guess secrets.

``POST /subscriptions`` sends a confirmation email to any address it is
given; without a limit it is a free mail cannon. The buckets live in the
store (:mod:`service.store.ratelimits`), so the limit holds however many
workers and machines serve it. Behind proxies, run uvicorn with
``--proxy-headers`` so that the client address is the real one.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from starlette.requests import Request

from service.store.ratelimits import RateLimitStore

MAX_CLIENT_CHARS = 128
"""A client's key as stored (an IPv6 address has at most 45 characters)."""


class StoreLimiter:
    """``burst`` requests at once, then ``per_hour`` spread over the hour, per key and action."""

    def __init__(
        self,
        store: RateLimitStore,
        *,
        action: str,
        burst: int,
        per_hour: float,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if burst < 1 or per_hour <= 0:
            raise ValueError("a rate limit needs burst >= 1 and per_hour > 0")
        self.store = store
        self.action = action
        self.burst = burst
        self.rate = per_hour / 3600.0
        self._clock = clock

    def take(self, key: str) -> float:
        """Spend one token for ``key``: 0 when allowed, else whole seconds until the next token."""
        wait = self.store.take(
            action=self.action,
            client=key[:MAX_CLIENT_CHARS],
            burst=self.burst,
            per_second=self.rate,
            now=self._clock(),
        )
        return 0.0 if wait == 0 else max(math.ceil(wait), 1)


TOO_MANY = "too many subscriptions from this address; try again later"


def wait_for(request: Request) -> float:
    """Seconds this client waits before its next sign-up (0: go ahead); takes a token.

    The app keeps one limiter (``app.state.subscribe_limiter``) for both faces.
    """
    limiter: StoreLimiter = request.app.state.subscribe_limiter
    client = request.client.host if request.client else "unknown"
    return limiter.take(client)
