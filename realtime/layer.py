"""The channel layer: Redis between replicas, or in memory for the embedded default."""

from __future__ import annotations

from typing import Any

# One process receives every event of its topics on one channel, so it needs room.
HUB_CAPACITY = 10_000


def build_channel_layer(redis_url: str) -> Any:
    if not redis_url:
        from channels.layers import InMemoryChannelLayer

        return InMemoryChannelLayer(capacity=HUB_CAPACITY)
    from channels_redis.core import RedisChannelLayer  # type: ignore[import-untyped]  # no stubs, no py.typed

    return RedisChannelLayer(hosts=[redis_url], capacity=HUB_CAPACITY, prefix="redgrid")
