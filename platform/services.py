"""The long-lived objects one process shares between requests, built once at start-up."""

from __future__ import annotations

from dataclasses import dataclass

from redis.asyncio import Redis

from redgrid.platform.auth.authenticator import Authenticator, build_authenticator
from redgrid.platform.auth.dev_identity import DevIdentity
from redgrid.platform.provisioning import Provisioner, build_provisioner
from redgrid.platform.settings import Settings
from redgrid.platform.tenancy import TenantDirectory


@dataclass
class Services:
    settings: Settings
    authenticator: Authenticator
    provisioner: Provisioner
    tenants: TenantDirectory
    dev_identity: DevIdentity | None
    redis: Redis | None

    async def close(self) -> None:
        if self.redis is not None:
            await self.redis.aclose()


def build_services(settings: Settings) -> Services:
    dev_identity = DevIdentity(settings) if settings.uses_dev_identity else None
    return Services(
        settings=settings,
        authenticator=build_authenticator(settings, dev_identity),
        provisioner=build_provisioner(settings),
        tenants=TenantDirectory(),
        dev_identity=dev_identity,
        redis=Redis.from_url(settings.redis_url) if settings.redis_url else None,
    )
