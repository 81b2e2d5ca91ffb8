"""Is the token's user still enabled?

A JWT stays valid until it expires even after an official disables the account, so the
verifier's answer is checked against Keycloak's admin API, cached per user for
REDGRID_USER_STATUS_TTL_SECONDS: one admin call per user per TTL, never one per request.
"""

from __future__ import annotations

import time

from keycloak import KeycloakAdmin
from keycloak.exceptions import KeycloakGetError

from redgrid.platform.auth.identity import AuthError, Identity


class KeycloakUserStatus:
    def __init__(self, admin: KeycloakAdmin, ttl_seconds: float) -> None:
        self._admin = admin
        self._ttl = ttl_seconds
        self._cache: dict[str, tuple[bool, float]] = {}

    async def check(self, identity: Identity) -> None:
        now = time.monotonic()
        cached = self._cache.get(identity.subject)
        if cached is None or now - cached[1] >= self._ttl:
            try:
                user = await self._admin.a_get_user(identity.subject)
                enabled = bool(user.get("enabled"))
            except KeycloakGetError as exc:
                if exc.response_code != 404:
                    raise
                enabled = False
            cached = (enabled, now)
            self._cache[identity.subject] = cached
        if not cached[0]:
            raise AuthError("user is disabled")


class DevUserStatus:
    """Dev identity users are fixed and always enabled."""

    async def check(self, identity: Identity) -> None:
        return None
