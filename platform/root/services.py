"""The long-lived objects one process shares between requests, built once at start-up."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from typing import TYPE_CHECKING, Any

from redis.asyncio import Redis

from redgrid.platform import metrics
from redgrid.platform.auth.authenticator import Authenticator, build_authenticator
from redgrid.platform.auth.dev_identity import DevIdentity
from redgrid.platform.fair_share import FairShare
from redgrid.platform.idempotency import purge_expired
from redgrid.platform.limits import get_limits
from redgrid.platform.provisioning import Provisioner, build_provisioner
from redgrid.platform.ratelimit import RateLimiter
from redgrid.platform.scheduler import Scheduler
from redgrid.platform.settings import Settings
from redgrid.platform.tenancy import TenantDirectory
from redgrid.platform.user_directory import UserDirectory, build_user_directory
from redgrid.realtime.connections import RightsWatch
from redgrid.realtime.eventlog import DatabaseEventLog
from redgrid.realtime.hub import Hub
from redgrid.realtime.layer import build_channel_layer
from redgrid.realtime.publisher import Publisher
from redgrid.tenants.cases import rollup
from redgrid.tenants.cases.sla import fire_overdue
from redgrid.tenants.district.snapshot import refresh_changed
from redgrid.tenants.figures import publish_changed
from redgrid.tenants.knocks.service import notify_missed

if TYPE_CHECKING:
    from redgrid.graphql.core.services import GraphQLServices

# How often open websockets are checked against the user's current status, at most.
RECHECK_SECONDS = 30.0


@dataclass
class Services:
    settings: Settings
    authenticator: Authenticator
    provisioner: Provisioner
    users: UserDirectory
    tenants: TenantDirectory
    dev_identity: DevIdentity | None
    redis: Redis | None
    hub: Hub
    publisher: Publisher
    scheduler: Scheduler
    watch: RightsWatch
    rate_limiter: RateLimiter
    database_turns: FairShare

    async def start(self) -> None:
        metrics.SUBSCRIPTIONS.set_function(lambda: self.hub.subscriber_count)
        await self.hub.start()
        self.watch.start()
        self.publisher.start()
        self.scheduler.add("sla-overdue", fire_overdue)
        self.scheduler.add("key-figures", publish_changed)
        self.scheduler.add("district-snapshots", refresh_changed)
        self.scheduler.add("case-days", rollup.refresh_changed)
        retention = timedelta(seconds=self.settings.idempotency_retention_seconds)
        self.scheduler.add("idempotency-keys", partial(purge_expired, retention))
        self.scheduler.add("missed-knocks", notify_missed)
        self.scheduler.start()

    async def close(self, drain_seconds: float) -> None:
        """Stop jobs and fan-out, publish what is still in the outbox, then let go of Redis."""
        await self.scheduler.stop()
        await self.watch.stop()
        await self.hub.stop()
        await self.publisher.stop(drain_seconds)
        if self.redis is not None:
            await self.redis.aclose()


if TYPE_CHECKING:

    def _as_graphql_services(services: Services) -> GraphQLServices:
        """Checked by mypy only: the GraphQL layer names just its protocol of these services."""
        return services


def build_services(settings: Settings) -> Services:
    dev_identity = DevIdentity(settings) if settings.uses_dev_identity else None
    layer: Any = build_channel_layer(settings.redis_url)
    redis = Redis.from_url(settings.redis_url) if settings.redis_url else None
    authenticator = build_authenticator(settings, dev_identity)
    return Services(
        settings=settings,
        authenticator=authenticator,
        provisioner=build_provisioner(settings),
        users=build_user_directory(settings),
        tenants=TenantDirectory(),
        dev_identity=dev_identity,
        redis=redis,
        hub=Hub(layer, DatabaseEventLog(), settings.hub_catch_up_seconds),
        publisher=Publisher(layer),
        scheduler=Scheduler(redis, settings.sla_scan_seconds),
        watch=RightsWatch(
            authenticator.still_valid, min(RECHECK_SECONDS, settings.user_status_ttl_seconds or RECHECK_SECONDS)
        ),
        rate_limiter=RateLimiter(get_limits(), settings.redis_url),
        database_turns=FairShare(get_limits().database_turns),
    )
