"""Bearer token verification against a JWKS, cached and refreshed on an unknown `kid`.

Keycloak and the dev identity differ only in where the JWKS comes from (`KeySource`); the
checks — RS256 pinned, signature, `exp`/`nbf`/`iat` with a leeway, `iss`, `aud`, `azp` one of
RedGrid's clients, `typ` an access token — are this one code path.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable
from dataclasses import replace
from typing import Any, Protocol

import jwt
import structlog
from jwt import PyJWK

from redgrid.platform import metrics
from redgrid.platform.auth.identity import AuthError, Identity

log = structlog.get_logger("redgrid.auth")

ALGORITHM = "RS256"
# Keycloak's access tokens say typ "Bearer"; its ID tokens "ID" and refresh tokens "Refresh".
ACCESS_TOKEN_TYPE = "Bearer"
# A JWKS fetch waits no longer than this: requests wait on it.
FETCH_TIMEOUT = 5.0
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


class KeysUnavailable(ConnectionError):
    """No keys to verify with: the identity provider could not be asked (a 503, not a 401)."""


class TokenVerifier:
    """`leeway` forgives that much clock difference on exp, nbf and iat; `clients` are the
    authorized parties (azp) whose access tokens are accepted."""

    def __init__(
        self,
        keys: KeySource,
        issuer: str,
        audience: str,
        cache_seconds: float,
        *,
        clients: Iterable[str] = (),
        leeway: float = 30.0,
    ) -> None:
        self._keys = keys
        self._issuer = issuer
        self._audience = audience
        self._clients = frozenset(clients) or frozenset({audience})
        self.leeway = leeway
        self._cache_seconds = cache_seconds
        self._by_kid: dict[str, Any] = {}
        self._fetched_at = 0.0
        self._forced_at = -MIN_REFRESH_INTERVAL
        self._failed_at = -MIN_REFRESH_INTERVAL
        self._lock = asyncio.Lock()

    async def refresh(self, force: bool = False) -> None:
        """Fetch the JWKS when the cache is stale; `force` (an unknown kid) refetches at most
        once per MIN_REFRESH_INTERVAL. While the provider cannot be reached the cached keys are
        kept (stale-if-error) and it is asked again at most once per MIN_REFRESH_INTERVAL."""
        if self._by_kid and not force and self._lock.locked():
            return  # another request is refetching: the keys we hold serve meanwhile
        async with self._lock:
            now = time.monotonic()
            if force:
                if now - self._forced_at < MIN_REFRESH_INTERVAL:
                    return
                self._forced_at = now
            elif self._by_kid and now - self._fetched_at < self._cache_seconds:
                return
            if now - self._failed_at < MIN_REFRESH_INTERVAL:
                if self._by_kid:
                    return
                raise KeysUnavailable("identity provider keys unavailable")
            try:
                jwks = await asyncio.wait_for(self._keys.fetch_jwks(), FETCH_TIMEOUT)
            except Exception as exc:
                self._failed_at = time.monotonic()
                if not self._by_kid:
                    raise
                metrics.JWKS_STALE.inc()
                log.warning(
                    "identity provider keys kept: refresh failed",
                    error=type(exc).__name__,
                    age_seconds=round(now - self._fetched_at),
                    retry_seconds=MIN_REFRESH_INTERVAL,
                )
                return
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

    @property
    def key_ids(self) -> dict[str, Any]:
        """The signing keys held now, by kid (a token verified with one dropped since is no
        longer taken as verified)."""
        return self._by_kid

    async def verify(self, token: str) -> Identity:
        return (await self.verify_with_kid(token))[0]

    async def verify_with_kid(self, token: str) -> tuple[Identity, str]:
        """The token's identity and the kid of the key that verified it."""
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise AuthError(f"malformed token: {exc}") from None
        if header.get("alg") != ALGORITHM:
            raise AuthError(f"token algorithm {header.get('alg')!r} is not accepted")
        kid = str(header.get("kid", ""))
        key = await self._key_for(kid)
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=[ALGORITHM],
                audience=self._audience,
                issuer=self._issuer,
                leeway=self.leeway,
                options={"require": ["exp", "iat", "iss", "aud", "sub", "typ", "azp"]},
            )
        except jwt.ExpiredSignatureError:
            raise AuthError("token expired") from None
        except jwt.PyJWTError as exc:
            raise AuthError(f"token refused: {exc}") from None
        if claims["typ"] != ACCESS_TOKEN_TYPE:
            raise AuthError(f"token refused: not an access token (typ {str(claims['typ'])[:20]!r})")
        if claims["azp"] not in self._clients:
            raise AuthError("token refused: issued to a client that is not RedGrid's (azp)")
        # Accepted until exp + leeway: a socket opened within the leeway is not closed at once.
        return replace(Identity.from_claims(claims), expires_at=float(claims["exp"]) + self.leeway), kid
