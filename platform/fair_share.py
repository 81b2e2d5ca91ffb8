"""Turns at the database, handed out fairly between callers.

Why: an operation holds one of the pool's few connections for its whole execution (one
transaction per operation). Under abuse (bench/abuse.py) six users each kept their four
in-flight places busy with the costliest operations their budgets allow, and asyncpg's pool
hands connections out first come, first served: an everyday request queued behind some twenty
of theirs. Here a caller waiting for a turn is served before any caller who already holds
more turns than he does (ties: the longest waiting first), so one who holds none, such as the
grid worker asking for his page, gets the next connection that frees, whoever else is queuing.

Per process, in memory: like the in-flight places, this shares out one process's connections.
"""

from __future__ import annotations

import asyncio
import itertools
from collections import Counter, deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager


class FairShare:
    """At most `places` turns at once; the next free one to the waiting caller holding fewest."""

    def __init__(self, places: int) -> None:
        self.places = places
        self._in_use = 0
        self._held: Counter[str] = Counter()
        self._waiting: dict[str, deque[tuple[int, asyncio.Future[None]]]] = {}
        self._order = itertools.count()

    @asynccontextmanager
    async def turn(self, caller: str) -> AsyncIterator[None]:
        await self._acquire(caller)
        try:
            yield
        finally:
            self._release(caller)

    async def _acquire(self, caller: str) -> None:
        if self._in_use < self.places and not self._waiting:
            self._grant(caller)
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        entry = (next(self._order), future)
        self._waiting.setdefault(caller, deque()).append(entry)
        try:
            await future
        except asyncio.CancelledError:
            if future.done() and not future.cancelled():  # granted as it was cancelled: give it back
                self._release(caller)
            else:
                self._forget(caller, entry)
            raise

    def _grant(self, caller: str) -> None:
        self._in_use += 1
        self._held[caller] += 1

    def _release(self, caller: str) -> None:
        self._in_use -= 1
        self._held[caller] -= 1
        if self._held[caller] <= 0:
            del self._held[caller]
        while self._in_use < self.places and self._waiting:
            chosen = min(self._waiting, key=lambda c: (self._held[c], self._waiting[c][0][0]))
            _, future = self._waiting[chosen].popleft()
            if not self._waiting[chosen]:
                del self._waiting[chosen]
            self._grant(chosen)
            future.set_result(None)

    def _forget(self, caller: str, entry: tuple[int, asyncio.Future[None]]) -> None:
        queue = self._waiting.get(caller)
        if queue is not None and entry in queue:
            queue.remove(entry)
            if not queue:
                del self._waiting[caller]
