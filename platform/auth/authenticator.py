"""From an Authorization header (or websocket connection_init payload) to an `Identity`."""

from __future__ import annotations

import time
from typing import Protocol

from redgrid.platform.auth.identity import AuthError, Identity
from redgrid.platform.auth.tokens import KeycloakKeys, TokenVerifier
from redgrid.platform.settings import Settings


class UserStatus(Protocol):
    async def check(self, identity: Identity) -> None: ...


class Authenticator:
    def __init__(self, verifier: TokenVerifier, status: UserStatus) -> None:
        self.verifier = verifier
        self._status = status

    async def authenticate(self, authorization: str | None) -> Identity | None:
        """None when no credentials were sent; AuthError when they are bad."""
        if not authorization:
            return None
        scheme, _, token = authorization.strip().partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise AuthError("expected 'Authorization: Bearer <token>'")
        identity = await self.verifier.verify(token.strip())
        await self._status.check(identity)
        return identity

    async def still_valid(self, identity: Identity) -> None:
        """For connections that outlive a request: AuthError once the token has expired or
        the user has been disabled since, Forbidden once a role it claims was taken away or the
        user changed tenant."""
        if identity.expires_at is not None and identity.expires_at <= time.time():
            raise AuthError("token expired")
        await self._status.check(identity)


def build_authenticator(settings: Settings, dev_identity: object | None) -> Authenticator:
    if dev_identity is not None:
        from redgrid.platform.auth.user_status import DevUserStatus

        keys = dev_identity
        status: UserStatus = DevUserStatus()
    else:
        from redgrid.platform.auth.user_status import KeycloakUserStatus
        from redgrid.platform.keycloak import keycloak_admin

        keys = KeycloakKeys(
            settings.keycloak_url,
            settings.keycloak_realm,
            settings.keycloak_client_id,
            settings.keycloak_client_secret,
        )
        status = KeycloakUserStatus(keycloak_admin(settings), settings.user_status_ttl_seconds)
    verifier = TokenVerifier(
        keys,  # type: ignore[arg-type]
        issuer=settings.issuer,
        audience=settings.keycloak_client_id,
        cache_seconds=settings.jwks_cache_seconds,
        clients=settings.accepted_clients,
        leeway=settings.token_leeway_seconds,
    )
    return Authenticator(verifier, status)
