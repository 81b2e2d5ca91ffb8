"""Rate limits per signed-in user and per anonymous client address, through the `limits` package.

Requests are counted, and so is what they cost (graphql/core/limits.py): one caller within 600
requests a minute kept four maximal ones running and the process saturated. So each caller
also has a cost budget (`rate_cost`, charged with the `limits` package's `cost=`) and at most
`in_flight` requests running at once in this process, one only while the process runs
`in_flight_busy` or more; the next is refused at once, not queued. With five callers each
running four maximal requests back to back, an everyday request shared the event loop and the
five database connections with twenty.

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


REFUSED_KEPT = 10_000  # callers remembered as refused before the expired ones are swept


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


def principal(tenant: str | None, subject: str | None, address: str | None) -> str:
    """Who a request's in-flight count and cost are charged to: the user, else his address."""
    return f"user:{tenant or '-'}:{subject}" if subject is not None else f"address:{address or 'unknown'}"


class RateLimiter:
    """`user`, `anonymous`, `guessing`, `public`, `public_reports` and `cost` budgets
    (Limits.rate_*), each a sliding window, and the requests in flight per caller in this process."""

    def __init__(self, limits: Limits, redis_url: str = "") -> None:
        self._items: dict[str, RateLimitItem] = {
            "user": parse(limits.rate_user),
            "anonymous": parse(limits.rate_anonymous),
            "guessing": parse(limits.rate_guessing),
            "public": parse(limits.rate_public),
            "public_reports": parse(limits.rate_public_reports),
            "cost": parse(limits.rate_cost),
        }
        self._in_flight_limit = limits.in_flight
        self._busy = limits.in_flight_busy
        self._in_flight: dict[str, int] = {}
        self._running = 0
        self._memory = SlidingWindowCounterRateLimiter(MemoryStorage())
        self._shared: SlidingWindowCounterRateLimiter | None = None
        if redis_url:
            storage = RedisStorage(
                "async+" + redis_url,
                implementation="redispy",
                wrap_exceptions=True,
                key_prefix="redgrid-rate",
                socket_timeout=REDIS_TIMEOUT_SECONDS,
                socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
            )
            self._shared = SlidingWindowCounterRateLimiter(storage)
        self._redis_failed_at: float | None = None
        self._redis_logged = False
        # (budget, key) → until when a refused caller is refused again here, with no round trip to
        # Redis (abusers retry at once, thousands of times a minute): at most his Retry-After, and
        # at most `rate_refusal_memory_seconds`, so a budget reset in Redis is soon seen.
        self._refused: dict[tuple[str, str], float] = {}
        self._refusal_memory = limits.rate_refusal_memory_seconds

    async def user(self, tenant: str | None, subject: str) -> None:
        await self.hit("user", f"{tenant or '-'}:{subject}")

    async def anonymous(self, address: str | None) -> None:
        await self.hit("anonymous", address or "unknown")

    async def guessing(self, tenant: str | None, subject: str) -> None:
        await self.hit("guessing", f"{tenant or '-'}:{subject}")

    async def public(self, address: str | None) -> None:
        """A resident's public operation (report, tracking view, rating): the tightest budget."""
        await self.hit("public", address or "unknown")

    async def public_report(self, address: str | None) -> None:
        """One more public report written by the client address today."""
        await self.hit("public_reports", address or "unknown")

    async def cost(self, caller: str, cost: int) -> None:
        """Charge an operation's cost to its caller (`principal`); RateLimited when it is spent."""
        if cost > 0:
            await self.hit("cost", caller, cost)

    def enter(self, caller: str) -> None:
        """One more request of `caller` running; RateLimited (retry in 1 s) past his places:
        `in_flight`, or one while the process is busy. Every `enter` that returns is followed
        by one `leave`."""
        running = self._in_flight.get(caller, 0)
        if running >= (self._in_flight_limit if self._running < self._busy else 1):
            metrics.RATE_LIMITED.labels("in_flight").inc()
            raise RateLimited(1)
        self._in_flight[caller] = running + 1
        self._running += 1

    def leave(self, caller: str) -> None:
        self._running -= 1
        running = self._in_flight.pop(caller, 1) - 1
        if running > 0:
            self._in_flight[caller] = running

    async def hit(self, budget: str, key: str, cost: int = 1) -> None:
        """Count `cost` against `budget` for `key`; RateLimited when it is spent."""
        now = time.monotonic()
        until = self._refused.get((budget, key))
        if until is not None:
            if now < until:
                metrics.RATE_LIMITED.labels(budget).inc()
                raise RateLimited(max(1, math.ceil(until - now)))
            del self._refused[(budget, key)]
        item = self._items[budget]
        limiter = self._current()
        try:
            retry_after = await self._count(limiter, item, budget, key, cost)
        except StorageError as exc:
            self._redis_down(exc)
            retry_after = await self._count(self._memory, item, budget, key, cost)
        else:
            if limiter is self._shared and self._redis_logged:
                self._redis_logged = False
                log.info("rate limits counted in Redis again")
        if retry_after is not None:
            if cost == 1 and self._refusal_memory:  # a count of requests (a cost budget may
                # still let a cheaper operation through)
                if len(self._refused) >= REFUSED_KEPT:
                    self._refused = {k: t for k, t in self._refused.items() if t > now}
                self._refused[(budget, key)] = now + min(retry_after, self._refusal_memory)
            metrics.RATE_LIMITED.labels(budget).inc()
            raise RateLimited(retry_after)

    @staticmethod
    async def _count(
        limiter: SlidingWindowCounterRateLimiter,
        item: RateLimitItem,
        budget: str,
        key: str,
        cost: int,
    ) -> int | None:
        """None when allowed, else the seconds until the window lets the next one in."""
        if await limiter.hit(item, budget, key, cost=cost):
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
            log.warning(
                "rate limits counted in memory: Redis unavailable",
                error=type(exc.storage_error).__name__,
                retry_seconds=REDIS_RETRY_SECONDS,
            )
        self._redis_failed_at = time.monotonic()
