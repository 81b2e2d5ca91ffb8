"""Does the token still say the truth about its user?

A JWT stays valid until it expires even after an official disables the account, takes a role
away or moves the user to another tenant, so the verifier's answer is checked against
Keycloak's admin API: the user's `enabled` flag, `tenant` attribute and effective realm roles,
cached per user for REDGRID_USER_STATUS_TTL_SECONDS. Concurrent checks of one user share one
lookup, so ten thousand subscriptions of a user cost two admin calls per TTL, not twenty
thousand. While Keycloak cannot be asked, a user's last known state stands (stale-if-error)
and Keycloak is asked again for him at most every STALE_RETRY_SECONDS.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

import structlog
from keycloak import KeycloakAdmin
from keycloak.exceptions import KeycloakGetError

from redgrid.platform import metrics
from redgrid.platform.auth.identity import AuthError, Identity
from redgrid.platform.context import Forbidden
from redgrid.platform.demo_users import ROLES

log = structlog.get_logger("redgrid.auth")
STALE_RETRY_SECONDS = 10.0


@dataclass(frozen=True)
class UserState:
    """The user as Keycloak has it now."""

    enabled: bool
    roles: frozenset[str] = frozenset()
    tenant_slug: str | None = None

    def judge(self, identity: Identity) -> None:
        """AuthError (401/4401) for a user who may not sign in at all; Forbidden (403/4403)
        for a token that claims a role or tenant the user no longer has."""
        if not self.enabled:
            raise AuthError("user is disabled")
        lost = identity.roles - self.roles
        if lost:
            raise Forbidden(f"the user no longer has the role {', '.join(sorted(lost))}")
        if identity.tenant_slug != self.tenant_slug:
            raise Forbidden("the user's tenant has changed")


class KeycloakUserStatus:
    def __init__(self, admin: KeycloakAdmin, ttl_seconds: float) -> None:
        self._admin = admin
        self._ttl = ttl_seconds
        self._cache: dict[str, tuple[UserState, float]] = {}
        self._inflight: dict[str, asyncio.Future[UserState]] = {}

    async def check(self, identity: Identity) -> None:
        (await self._state(identity.subject)).judge(identity)

    async def _state(self, subject: str) -> UserState:
        cached = self._cache.get(subject)
        if cached is not None and time.monotonic() - cached[1] < self._ttl:
            return cached[0]
        inflight = self._inflight.get(subject)
        if inflight is not None:
            return await asyncio.shield(inflight)
        future: asyncio.Future[UserState] = asyncio.get_running_loop().create_future()
        self._inflight[subject] = future
        try:
            state = await self._fetch(subject)
        except asyncio.CancelledError:
            future.cancel()
            raise
        except Exception as exc:
            if cached is not None:
                # The last known state stands; asked again in STALE_RETRY_SECONDS, not per request.
                self._cache[subject] = (cached[0], time.monotonic() - self._ttl + STALE_RETRY_SECONDS)
                metrics.USER_STATUS_STALE.inc()
                log.warning(
                    "user status kept: Keycloak could not be asked",
                    error=type(exc).__name__,
                    error_key="user-status-stale",
                )
                future.set_result(cached[0])
                return cached[0]
            future.set_exception(exc)
            future.exception()  # retrieved here: the waiters, if any, get it too
            raise
        finally:
            del self._inflight[subject]
        self._cache[subject] = (state, time.monotonic())
        future.set_result(state)
        return state

    async def _fetch(self, subject: str) -> UserState:
        try:
            user = await self._admin.a_get_user(subject)
            roles = await self._admin.a_get_composite_realm_roles_of_user(subject)
        except KeycloakGetError as exc:
            if exc.response_code != 404:
                raise
            return UserState(enabled=False)
        tenant = ((user.get("attributes") or {}).get("tenant") or [None])[0] or None
        return UserState(
            enabled=bool(user.get("enabled")),
            roles=frozenset(r["name"] for r in roles if r.get("name") in ROLES),
            tenant_slug=tenant,
        )


class DevUserStatus:
    """Dev identity users are fixed and always enabled."""

    async def check(self, identity: Identity) -> None:
        return None
