"""What the GraphQL layer needs of the process's long-lived services.

The composition root (platform/root/services.py) builds them and hands them over in the
Starlette app's state; the GraphQL layer names only this protocol, which the root's `Services`
satisfies structurally, so graphql/ never imports the root (an import-linter contract in
pyproject.toml). Read-only: the GraphQL layer uses the services, it does not replace them.
"""

from __future__ import annotations

from typing import Protocol

from redis.asyncio import Redis

from redgrid.platform.auth.authenticator import Authenticator
from redgrid.platform.fair_share import FairShare
from redgrid.platform.provisioning import Provisioner
from redgrid.platform.ratelimit import RateLimiter
from redgrid.platform.tenancy import TenantDirectory
from redgrid.platform.user_directory import UserDirectory
from redgrid.realtime.connections import RightsWatch
from redgrid.realtime.hub import Hub


class GraphQLServices(Protocol):
    @property
    def authenticator(self) -> Authenticator:
        """Bearer tokens to identities (HTTP requests and websocket connection_init)."""

    @property
    def provisioner(self) -> Provisioner:
        """Tenants' provisioning, for the platform administrators' mutations."""

    @property
    def users(self) -> UserDirectory:
        """The identity provider's users, for account management."""

    @property
    def tenants(self) -> TenantDirectory:
        """The provisioned tenants, by slug."""

    @property
    def redis(self) -> Redis | None:
        """Shared state between replicas (the persisted queries' store); none without Redis."""

    @property
    def hub(self) -> Hub:
        """The realtime hub subscriptions read their events from."""

    @property
    def watch(self) -> RightsWatch:
        """The open websockets, closed when their user loses his rights."""

    @property
    def rate_limiter(self) -> RateLimiter:
        """Per-caller budgets: requests, in-flight places, cost, subscriptions, guesses."""

    @property
    def database_turns(self) -> FairShare:
        """Database connections shared out fairly between the callers of this process."""
