"""The time the case services stamp on what they write: real time, except inside `frozen_at`.

The demo history (`redgrid seed-demo --history DAYS`, tenants/cases/demo.py) replays 90 days
of cases through the very services the API calls, so their timelines, SLA fields and events
are real; it sets this clock to each step's moment. Nothing else sets it. A context variable,
so a seeding task never leaks its moment into another task (a request served meanwhile)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime

_fixed: ContextVar[datetime | None] = ContextVar("redgrid_clock", default=None)


def now() -> datetime:
    return _fixed.get() or datetime.now(UTC)


@contextmanager
def frozen_at(moment: datetime) -> Iterator[None]:
    """Within the block, `now()` is `moment` (timezone-aware: it is stored as such)."""
    if moment.tzinfo is None:
        raise ValueError("the seeding clock takes an aware datetime")
    token = _fixed.set(moment)
    try:
        yield
    finally:
        _fixed.reset(token)
