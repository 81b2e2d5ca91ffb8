"""From an Authorization header (or websocket connection_init payload) to an `Identity`.

A verified token is remembered (`VerifiedTokens`): a phone sends the same token with every
request for minutes, and verifying it again (base64, JSON, an RSA signature, the claims) was
most of what a request refused for its rate cost. The user's status (enabled, roles, tenant)
is still judged on every request, from its own cache (user_status.py).
"""

from __future__ import annotations

import hashlib
import time
from collections import OrderedDict
from collections.abc import Mapping
from typing import Protocol

from redgrid.platform.auth.identity import AuthError, Identity
from redgrid.platform.auth.tokens import KeycloakKeys, TokenVerifier
from redgrid.platform.settings import Settings


class UserStatus(Protocol):
    async def check(self, identity: Identity) -> None: ...


VERIFIED_KEPT = 10_000  # tokens remembered as verified, the least recently used dropped first


class VerifiedTokens:
    """Identities of tokens verified already, keyed by a digest of the token (the tokens
    themselves are not kept), each until its token expires (`Identity.expires_at`: exp plus
    the verifier's leeway, as the verifier accepts it) and while the very key it was signed
    with is still the identity provider's under its kid (a kid whose key material changed, or a
    refresh of the keys, means one verification more); at most `size`, least recently used
    dropped first."""

    def __init__(self, size: int = VERIFIED_KEPT) -> None:
        self._size = size
        self._entries: OrderedDict[bytes, tuple[Identity, str, object]] = OrderedDict()

    @staticmethod
    def digest(token: str) -> bytes:
        return hashlib.blake2b(token.encode(), digest_size=20).digest()

    def get(self, digest: bytes, keys: Mapping[str, object]) -> Identity | None:
        entry = self._entries.get(digest)
        if entry is None:
            return None
        identity, kid, key = entry
        if (identity.expires_at is not None and identity.expires_at <= time.time()) or keys.get(kid) is not key:
            del self._entries[digest]
            return None
        self._entries.move_to_end(digest)
        return identity

    def put(self, digest: bytes, identity: Identity, kid: str, key: object) -> None:
        self._entries[digest] = (identity, kid, key)
        self._entries.move_to_end(digest)
        while len(self._entries) > self._size:
            self._entries.popitem(last=False)

    def __len__(self) -> int:
        return len(self._entries)


class Authenticator:
    def __init__(self, verifier: TokenVerifier, status: UserStatus) -> None:
        self.verifier = verifier
        self._status = status
        self._verified = VerifiedTokens()

    async def authenticate(self, authorization: str | None) -> Identity | None:
        """None when no credentials were sent; AuthError when they are bad."""
        if not authorization:
            return None
        scheme, _, token = authorization.strip().partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise AuthError("expected 'Authorization: Bearer <token>'")
        token = token.strip()
        digest = VerifiedTokens.digest(token)
        await self.verifier.refresh()  # the keys kept as fresh as for a verification (JWKS_CACHE_SECONDS)
        identity = self._verified.get(digest, self.verifier.key_ids)
        if identity is None:
            identity, kid = await self.verifier.verify_with_kid(token)
            self._verified.put(digest, identity, kid, self.verifier.key_ids.get(kid))
        await self._status.check(identity)  # every time: a disabled user or a lost role counts at once
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
