"""Bearer token verification against a JWKS, cached and refreshed on an unknown `kid`.

Keycloak and the dev identity differ only in where the JWKS comes from (`KeySource`); the
checks — RS256 pinned, signature, `exp`, `iss`, `aud` — are this one code path.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any, Protocol

import jwt
from jwt import PyJWK

from redgrid.platform.auth.identity import AuthError, Identity

ALGORITHM = "RS256"
# An unknown kid triggers a refetch at most this often, so garbage tokens cannot hammer Keycloak.
MIN_REFRESH_INTERVAL = 10.0


class KeySource(Protocol):
    async def fetch_jwks(self) -> dict[str, Any]: ...


class KeycloakKeys:
    """The realm's JWKS through python-keycloak (one HTTP call per refresh, not per request)."""

    def __init__(self, server_url: str, realm: str, client_id: str, client_secret: str) -> None:
        from keycloak import KeycloakOpenID

        self._openid = KeycloakOpenID(
            server_url=server_url.rstrip("/") + "/",
            realm_name=realm,
            client_id=client_id,
            client_secret_key=client_secret or None,
        )

    async def fetch_jwks(self) -> dict[str, Any]:
        return await self._openid.a_certs()


class TokenVerifier:
    def __init__(self, keys: KeySource, issuer: str, audience: str, cache_seconds: float) -> None:
        self._keys = keys
        self._issuer = issuer
        self._audience = audience
        self._cache_seconds = cache_seconds
        self._by_kid: dict[str, Any] = {}
        self._fetched_at = 0.0
        self._forced_at = -MIN_REFRESH_INTERVAL
        self._lock = asyncio.Lock()

    async def refresh(self, force: bool = False) -> None:
        """Fetch the JWKS when the cache is stale; `force` (an unknown kid) refetches at most
        once per MIN_REFRESH_INTERVAL."""
        async with self._lock:
            now = time.monotonic()
            if force:
                if now - self._forced_at < MIN_REFRESH_INTERVAL:
                    return
                self._forced_at = now
            elif self._by_kid and now - self._fetched_at < self._cache_seconds:
                return
            jwks = await self._keys.fetch_jwks()
            self._by_kid = {
                k["kid"]: PyJWK(k, ALGORITHM).key
                for k in jwks.get("keys", [])
                if k.get("kty") == "RSA" and k.get("use", "sig") == "sig" and "kid" in k
            }
            self._fetched_at = time.monotonic()

    async def _key_for(self, kid: str) -> Any:
        await self.refresh()
        if kid not in self._by_kid:
            await self.refresh(force=True)
        try:
            return self._by_kid[kid]
        except KeyError:
            raise AuthError("token signed by an unknown key") from None

    async def verify(self, token: str) -> Identity:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise AuthError(f"malformed token: {exc}") from None
        if header.get("alg") != ALGORITHM:
            raise AuthError(f"token algorithm {header.get('alg')!r} is not accepted")
        key = await self._key_for(str(header.get("kid", "")))
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=[ALGORITHM],
                audience=self._audience,
                issuer=self._issuer,
                options={"require": ["exp", "iat", "iss", "aud", "sub"]},
            )
        except jwt.ExpiredSignatureError:
            raise AuthError("token expired") from None
        except jwt.PyJWTError as exc:
            raise AuthError(f"token refused: {exc}") from None
        return Identity.from_claims(claims)
