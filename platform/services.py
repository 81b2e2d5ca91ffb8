"""The long-lived objects one process shares between requests, built once at start-up."""

from __future__ import annotations

from dataclasses import dataclass

from typing import Any

from redis.asyncio import Redis

from redgrid.platform.auth.authenticator import Authenticator, build_authenticator
from redgrid.platform.auth.dev_identity import DevIdentity
from redgrid.platform.provisioning import Provisioner, build_provisioner
from redgrid.platform.settings import Settings
from redgrid.platform.tenancy import TenantDirectory
from redgrid.realtime.eventlog import DatabaseEventLog
from redgrid.realtime.hub import Hub
from redgrid.realtime.layer import build_channel_layer
from redgrid.realtime.publisher import Publisher


@dataclass
class Services:
    settings: Settings
    authenticator: Authenticator
    provisioner: Provisioner
    tenants: TenantDirectory
    dev_identity: DevIdentity | None
    redis: Redis | None
    hub: Hub
    publisher: Publisher

    async def start(self) -> None:
        await self.hub.start()
        self.publisher.start()

    async def close(self, drain_seconds: float) -> None:
        """Stop fan-out, publish what is still in the outbox, then let go of Redis."""
        await self.hub.stop()
        await self.publisher.stop(drain_seconds)
        if self.redis is not None:
            await self.redis.aclose()


def build_services(settings: Settings) -> Services:
    dev_identity = DevIdentity(settings) if settings.uses_dev_identity else None
    layer: Any = build_channel_layer(settings.redis_url)
    return Services(
        settings=settings,
        authenticator=build_authenticator(settings, dev_identity),
        provisioner=build_provisioner(settings),
        tenants=TenantDirectory(),
        dev_identity=dev_identity,
        redis=Redis.from_url(settings.redis_url) if settings.redis_url else None,
        hub=Hub(layer, DatabaseEventLog()),
        publisher=Publisher(layer),
    )
