"""The rate limiter on its in-memory storage (tests/integration/test_rate_limits.py runs it on
the real Redis, shared between servers)."""

import pytest
import structlog

from redgrid.platform import ratelimit
from redgrid.platform.limits import Limits
from redgrid.platform.ratelimit import RateLimited, RateLimiter


def limiter(**rates: str) -> RateLimiter:
    return RateLimiter(Limits(**{f"rate_{name}": rate for name, rate in rates.items()}))


async def test_a_user_is_refused_past_his_budget_with_the_wait():
    rates = limiter(user="3/minute")
    for _ in range(3):
        await rates.user("jinshui", "u1")
    with pytest.raises(RateLimited) as refused:
        await rates.user("jinshui", "u1")
    assert 1 <= refused.value.retry_after <= 60
    assert refused.value.extensions == {"code": "RATE_LIMITED"}


async def test_budgets_are_per_user_per_tenant_and_per_kind():
    rates = limiter(user="1/minute", anonymous="1/minute", guessing="1/minute")
    await rates.user("jinshui", "u1")
    await rates.user("jinshui", "u2")  # another user
    await rates.user("hushu", "u1")  # the same subject in another tenant
    await rates.guessing("jinshui", "u1")  # guessing has its own budget
    await rates.anonymous("10.0.0.1")
    await rates.anonymous("10.0.0.2")
    with pytest.raises(RateLimited):
        await rates.guessing("jinshui", "u1")
    with pytest.raises(RateLimited):
        await rates.anonymous("10.0.0.1")


async def test_redis_down_falls_back_to_memory_and_says_so_once(monkeypatch):
    """Nothing listens on port 1: every request is still counted, in memory."""
    rates = RateLimiter(Limits(rate_user="2/minute"), "redis://127.0.0.1:1/0")
    with structlog.testing.capture_logs() as logs:
        await rates.user("jinshui", "u1")
        await rates.user("jinshui", "u1")
        with pytest.raises(RateLimited):
            await rates.user("jinshui", "u1")
        monkeypatch.setattr(ratelimit, "REDIS_RETRY_SECONDS", 0.0)  # Redis tried again, fails: not logged again
        with pytest.raises(RateLimited):
            await rates.user("jinshui", "u1")
    assert [entry["event"] for entry in logs] == ["rate limits counted in memory: Redis unavailable"]


async def test_cost_is_charged_by_weight_and_refused_past_the_budget():
    rates = limiter(cost="1000/minute")
    await rates.cost("user:jinshui:u1", 600)
    with pytest.raises(RateLimited):
        await rates.cost("user:jinshui:u1", 600)  # refused whole, and not counted
    await rates.cost("user:jinshui:u1", 400)
    await rates.cost("user:jinshui:u2", 1000)  # his own budget


def test_in_flight_places_are_refused_at_once_past_the_limit_and_given_back():
    rates = RateLimiter(Limits(in_flight=2, in_flight_busy=10))
    rates.enter("address:10.0.0.1")
    rates.enter("address:10.0.0.1")
    with pytest.raises(RateLimited) as refused:
        rates.enter("address:10.0.0.1")
    assert refused.value.retry_after == 1
    rates.enter("address:10.0.0.2")
    rates.leave("address:10.0.0.1")
    rates.enter("address:10.0.0.1")


def test_a_busy_process_gives_each_caller_one_place():
    rates = RateLimiter(Limits(in_flight=4, in_flight_busy=3))
    rates.enter("user:-:a")
    rates.enter("user:-:a")
    rates.enter("user:-:b")  # three running: busy
    with pytest.raises(RateLimited):
        rates.enter("user:-:b")
    rates.enter("user:-:c")  # his first place is his even now
    rates.leave("user:-:a")
    rates.leave("user:-:a")
    rates.enter("user:-:b")  # two running: not busy


async def test_a_refused_caller_is_refused_until_his_retry_after_without_asking_the_store():
    rates = limiter(user="2/minute")
    await rates.user("jinshui", "u1")
    await rates.user("jinshui", "u1")
    with pytest.raises(RateLimited) as first:
        await rates.user("jinshui", "u1")
    rates._memory = None  # type: ignore[assignment]  # asked again, the store would fail
    with pytest.raises(RateLimited) as again:
        await rates.user("jinshui", "u1")
    assert 1 <= again.value.retry_after <= first.value.retry_after
