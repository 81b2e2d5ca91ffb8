"""Idempotency keys: a mutation retried with the same key runs once.

A phone that lost its signal cannot know whether its request arrived; it sends the same
request again with the same `Idempotency-Key`. The record is kept in the database, scoped by
tenant, caller and key, in the transaction of the mutation itself:

1. `claim` inserts the key's row before the mutation runs. A concurrent request with the same
   key waits on the unique index until the first one commits (then it finds the row and
   replays) or rolls back (then it inserts and runs itself): two never both run.
2. `record` stores the response in the same transaction, so a crash leaves either the writes
   and their record or neither; a mutation that failed is rolled back with its row, and a
   retry runs again.

A row older than the retention window is a stranger's: `claim` deletes it and starts afresh,
and `purge_expired` (a scheduler job) removes such rows everywhere.
"""

from __future__ import annotations

import hashlib
import re
import time
from datetime import UTC, datetime, timedelta

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from redgrid.platform.database import tenant_transaction
from redgrid.platform.models import IdempotentRequest, Tenant

HEADER = "idempotency-key"
KEY_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,64}")
# How often, at most, one process purges expired keys (the scheduler ticks every few seconds).
PURGE_EVERY_SECONDS = 3600.0


class IdempotencyRefused(Exception):
    """A key the request may not use; answered before anything runs, with `status` and `code`."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.extensions = {"code": code}  # graphql-core copies it onto the error


def key_problem(key: str) -> str | None:
    """Why `key` is not a usable idempotency key, or None."""
    if KEY_PATTERN.fullmatch(key) is None:
        return "the Idempotency-Key header must be 1 to 64 characters of A-Z, a-z, 0-9, '_' and '-'"
    return None


def invalid_key(key: str) -> IdempotencyRefused | None:
    problem = key_problem(key)
    return IdempotencyRefused(400, "INVALID_IDEMPOTENCY_KEY", problem) if problem else None


def caller_key(subject: str) -> str:
    """The caller as the row stores him: his subject, or its digest when it is longer than the column."""
    return subject if len(subject) <= 64 else hashlib.sha256(subject.encode()).hexdigest()


async def claim(tenant_id: int, subject: str, key: str, request_hash: str, retention: timedelta) -> str | None:
    """Inside the caller's tenant transaction: take `key` for this request (None: run it) or
    return the response stored for it by an earlier request (replay it). The same key with
    another request is refused (IDEMPOTENCY_KEY_REUSED)."""
    subject = caller_key(subject)
    await IdempotentRequest.filter(
        tenant_id=tenant_id, subject=subject, key=key, created_at__lt=datetime.now(UTC) - retention
    ).delete()
    try:
        async with in_transaction("default"):  # a savepoint: the transaction goes on after a conflict
            await IdempotentRequest.create(tenant_id=tenant_id, subject=subject, key=key, request_hash=request_hash)
        return None
    except IntegrityError as exc:
        if "unique" not in str(exc).lower():
            raise
    # Another request took the key and has committed (the insert waited for it).
    row = await IdempotentRequest.get(tenant_id=tenant_id, subject=subject, key=key)
    if row.request_hash != request_hash or row.response is None:
        raise IdempotencyRefused(
            422, "IDEMPOTENCY_KEY_REUSED", "this Idempotency-Key was used for another request: send a new key"
        )
    return row.response


async def record(tenant_id: int, subject: str, key: str, response: str) -> None:
    """Store the response of the request that claimed `key`, in its transaction."""
    await IdempotentRequest.filter(tenant_id=tenant_id, subject=caller_key(subject), key=key).update(response=response)


_last_purge = 0.0


async def purge_expired(retention: timedelta, now: datetime | None = None, *, force: bool = False) -> int:
    """Delete every tenant's keys older than `retention` (at most once an hour per process
    unless `force`); how many."""
    global _last_purge
    if not force and time.monotonic() - _last_purge < PURGE_EVERY_SECONDS:
        return 0
    _last_purge = time.monotonic()
    cutoff = (now or datetime.now(UTC)) - retention
    purged = 0
    for tenant in await Tenant.all():
        async with tenant_transaction(tenant.id):
            purged += await IdempotentRequest.filter(tenant_id=tenant.id, created_at__lt=cutoff).delete()
    return purged
