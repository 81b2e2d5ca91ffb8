"""Rate limits per signed-in user and per anonymous client address, through the `limits` package.

Counters live in Redis when REDGRID_REDIS_URL is set, so every replica counts against the same
budget; in memory otherwise. Redis going away must not refuse every request: the limiter then
counts in this process's memory until Redis answers again, and says so once in the log.
"""

from __future__ import annotations

import math
import time

import structlog
from limits import RateLimitItem, parse
from limits.aio.storage import MemoryStorage, RedisStorage
from limits.aio.strategies import SlidingWindowCounterRateLimiter
from limits.errors import StorageError
from starlette.exceptions import HTTPException

from redgrid.platform import metrics
from redgrid.platform.limits import Limits

log = structlog.get_logger("redgrid.ratelimit")

# After Redis failed, counters stay in memory this long before Redis is tried again.
REDIS_RETRY_SECONDS = 10.0
# A rate-limit check must not wait long on Redis: it is in front of every request.
REDIS_TIMEOUT_SECONDS = 0.5


class RateLimited(Exception):
    """Too many requests: HTTP 429 with Retry-After; a GraphQL error coded RATE_LIMITED."""

    extensions = {"code": "RATE_LIMITED"}

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"too many requests: try again in {retry_after} s")
        self.retry_after = retry_after


class TooManyRequests(HTTPException):
    """The HTTP form of RateLimited, for Starlette routes and the GraphQL view."""

    def __init__(self, limited: RateLimited) -> None:
        super().__init__(429, str(limited), headers={"Retry-After": str(limited.retry_after)})
        self.retry_after = limited.retry_after


class RateLimiter:
    """`user`, `anonymous` and `guessing` budgets (Limits.rate_*), each a sliding window."""

    def __init__(self, limits: Limits, redis_url: str = "") -> None:
        self._items: dict[str, RateLimitItem] = {
            "user": parse(limits.rate_user),
            "anonymous": parse(limits.rate_anonymous),
            "guessing": parse(limits.rate_guessing),
        }
        self._memory = SlidingWindowCounterRateLimiter(MemoryStorage())
        self._shared: SlidingWindowCounterRateLimiter | None = None
        if redis_url:
            storage = RedisStorage(
                "async+" + redis_url, implementation="redispy", wrap_exceptions=True, key_prefix="redgrid-rate",
                socket_timeout=REDIS_TIMEOUT_SECONDS, socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
            )
            self._shared = SlidingWindowCounterRateLimiter(storage)
        self._redis_failed_at: float | None = None
        self._redis_logged = False

    async def user(self, tenant: str | None, subject: str) -> None:
        await self.hit("user", f"{tenant or '-'}:{subject}")

    async def anonymous(self, address: str | None) -> None:
        await self.hit("anonymous", address or "unknown")

    async def guessing(self, tenant: str | None, subject: str) -> None:
        await self.hit("guessing", f"{tenant or '-'}:{subject}")

    async def hit(self, budget: str, key: str) -> None:
        """Count one request against `budget` for `key`; RateLimited when it is spent."""
        item = self._items[budget]
        limiter = self._current()
        try:
            retry_after = await self._count(limiter, item, budget, key)
        except StorageError as exc:
            self._redis_down(exc)
            retry_after = await self._count(self._memory, item, budget, key)
        else:
            if limiter is self._shared and self._redis_logged:
                self._redis_logged = False
                log.info("rate limits counted in Redis again")
        if retry_after is not None:
            metrics.RATE_LIMITED.labels(budget).inc()
            raise RateLimited(retry_after)

    @staticmethod
    async def _count(
        limiter: SlidingWindowCounterRateLimiter, item: RateLimitItem, budget: str, key: str,
    ) -> int | None:
        """None when allowed, else the seconds until the window lets the next one in."""
        if await limiter.hit(item, budget, key):
            return None
        stats = await limiter.get_window_stats(item, budget, key)
        return max(1, math.ceil(stats.reset_time - time.time()))

    def _current(self) -> SlidingWindowCounterRateLimiter:
        if self._shared is None:
            return self._memory
        if self._redis_failed_at is not None and time.monotonic() - self._redis_failed_at < REDIS_RETRY_SECONDS:
            return self._memory
        return self._shared

    def _redis_down(self, exc: StorageError) -> None:
        """Logged once per outage, not once per request."""
        if not self._redis_logged:
            self._redis_logged = True
            log.warning("rate limits counted in memory: Redis unavailable",
                        error=type(exc.storage_error).__name__, retry_seconds=REDIS_RETRY_SECONDS)
        self._redis_failed_at = time.monotonic()
