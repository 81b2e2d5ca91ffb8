"""Periodic work shared by the replicas: one of them at a time runs each job, under a Redis
lock with a lease (redis-py's Lock); the jobs themselves are also safe to run twice, so a lost
lease costs work, never correctness."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

import structlog
from redis.asyncio import Redis
from redis.exceptions import LockError, RedisError

from redgrid.platform.logging import brief

log = structlog.get_logger("redgrid.scheduler")


class Scheduler:
    def __init__(self, redis: Redis | None, interval_seconds: float) -> None:
        self._redis = redis
        self._interval = interval_seconds
        self._jobs: list[tuple[str, Callable[[], Awaitable[int]]]] = []
        self._task: asyncio.Task[None] | None = None

    def add(self, name: str, job: Callable[[], Awaitable[int]]) -> None:
        self._jobs.append((name, job))

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="redgrid-scheduler")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self._interval)
            for name, job in self._jobs:
                try:
                    await self.run_once(name, job)
                except Exception as exc:  # noqa: BLE001 - next round; say why
                    log.warning("job failed", job=name, error=brief(exc))

    async def run_once(self, name: str, job: Callable[[], Awaitable[int]]) -> int | None:
        """Run `job` if no other replica is running it now; None when it was skipped."""
        if self._redis is None:
            return await job()
        lock = self._redis.lock(f"redgrid:job:{name}", timeout=max(30.0, self._interval * 4), blocking=False)
        try:
            if not await lock.acquire():
                return None
        except RedisError as exc:
            log.warning("job skipped: no lock", job=name, error=str(exc))
            return None
        try:
            return await job()
        finally:
            with contextlib.suppress(LockError, RedisError):
                await lock.release()
