"""The embedded dev identity: a stand-in for Keycloak in development only.

It signs tokens for the demo users with a local RSA key and serves the key as a JWKS, so the
server verifies them through exactly the code that verifies Keycloak's tokens. Its token
endpoint speaks the same password grant at the same path shape as Keycloak, and the browser
clients' authorization code flow with PKCE and refresh tokens (a user picker instead of a
login form), so web/ runs the very same OIDC code on the embedded default.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from redgrid.platform.demo_users import DEMO_PASSWORD, DemoUser, demo_users
from redgrid.platform.settings import Environment, Settings

TOKEN_LIFETIME = 3600
CODE_LIFETIME = 60
REFRESH_LIFETIME = 7 * 24 * 3600
# Codes and refresh tokens live in memory (a restart logs the browsers in again); at most this
# many of each, the oldest dropped first.
MAX_GRANTS = 1000


class DevIdentityRefused(RuntimeError):
    pass


def subject_of(username: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_DNS, f"{username}.dev-identity.redgrid"))


@dataclass(frozen=True)
class _Grant:
    user: DemoUser
    client_id: str
    redirect_uri: str
    challenge: str
    nonce: str
    expires: float


def pkce_challenge(verifier: str) -> str:
    """S256: the challenge a code verifier answers (RFC 7636)."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def _remember(store: dict[str, Any], key: str, value: Any) -> None:
    now = time.time()
    for stale in [k for k, v in store.items() if v.expires < now]:
        del store[stale]
    while len(store) >= MAX_GRANTS:
        del store[next(iter(store))]
    store[key] = value


class DevIdentity:
    def __init__(self, settings: Settings) -> None:
        if settings.env is Environment.PRODUCTION:
            raise DevIdentityRefused("the dev identity refuses to run with REDGRID_ENV=production")
        self._settings = settings
        self._key = self._load_or_create_key(settings.data_dir / "dev-identity-key.pem")
        public_jwk = json.loads(RSAAlgorithm.to_jwk(self._key.public_key()))
        self.kid = "dev-" + public_jwk["n"][:16]
        self._jwks = {"keys": [{**public_jwk, "kid": self.kid, "use": "sig", "alg": "RS256"}]}
        self._users = {u.username: u for u in demo_users()}
        self._codes: dict[str, _Grant] = {}
        self._refresh: dict[str, _Grant] = {}

    @staticmethod
    def _load_or_create_key(path: Path) -> rsa.RSAPrivateKey:
        if path.exists():
            key = serialization.load_pem_private_key(path.read_bytes(), password=None)
            assert isinstance(key, rsa.RSAPrivateKey)
            return key
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        path.chmod(0o600)
        return key

    async def fetch_jwks(self) -> dict[str, Any]:
        return self._jwks

    def users(self) -> list[DemoUser]:
        return list(self._users.values())

    def password_grant(self, username: str, password: str) -> dict[str, Any]:
        """Keycloak's token response shape; raises ValueError on bad credentials."""
        user = self._users.get(username)
        if user is None or password != DEMO_PASSWORD:
            raise ValueError("invalid user credentials")
        return {
            "access_token": self.issue(user),
            "expires_in": TOKEN_LIFETIME,
            "token_type": "Bearer",
        }

    def authorize(self, username: str, client_id: str, redirect_uri: str, challenge: str, nonce: str = "") -> str:
        """A one-time code for the picked user; raises ValueError for an unknown user or client."""
        user = self._users.get(username)
        if user is None:
            raise ValueError("unknown user")
        if client_id != self._settings.web_client_id:
            raise ValueError("unknown client")
        if not challenge:
            raise ValueError("PKCE (S256) is required")
        code = secrets.token_urlsafe(32)
        grant = _Grant(user, client_id, redirect_uri, challenge, nonce, time.time() + CODE_LIFETIME)
        _remember(self._codes, code, grant)
        return code

    def code_grant(self, code: str, client_id: str, redirect_uri: str, verifier: str) -> dict[str, Any]:
        """Trade a code for tokens, once; raises ValueError as Keycloak answers invalid_grant."""
        grant = self._codes.pop(code, None)
        if (
            grant is None
            or grant.expires < time.time()
            or grant.client_id != client_id
            or grant.redirect_uri != redirect_uri
            or not secrets.compare_digest(grant.challenge, pkce_challenge(verifier))
        ):
            raise ValueError("invalid or expired code")
        return self._browser_tokens(grant)

    def refresh_grant(self, refresh_token: str, client_id: str) -> dict[str, Any]:
        """New tokens for a refresh token, which is rotated; raises ValueError when unknown."""
        grant = self._refresh.pop(refresh_token, None)
        if grant is None or grant.expires < time.time() or grant.client_id != client_id:
            raise ValueError("invalid refresh token")
        return self._browser_tokens(grant)

    def _browser_tokens(self, grant: _Grant) -> dict[str, Any]:
        refresh = secrets.token_urlsafe(32)
        kept = _Grant(grant.user, grant.client_id, "", "", "", time.time() + REFRESH_LIFETIME)
        _remember(self._refresh, refresh, kept)
        now = int(time.time())
        id_claims: dict[str, Any] = {
            "iss": self._settings.issuer,
            "aud": grant.client_id,
            "azp": grant.client_id,
            "typ": "ID",
            "sub": subject_of(grant.user.username),
            "iat": now,
            "exp": now + TOKEN_LIFETIME,
            "preferred_username": grant.user.username,
        }
        if grant.nonce:
            id_claims["nonce"] = grant.nonce
        return {
            "access_token": self.issue(grant.user, client_id=grant.client_id),
            "id_token": jwt.encode(id_claims, self._key, algorithm="RS256", headers={"kid": self.kid}),
            "refresh_token": refresh,
            "expires_in": TOKEN_LIFETIME,
            "refresh_expires_in": REFRESH_LIFETIME,
            "token_type": "Bearer",
            "scope": "openid",
        }

    def issue(self, user: DemoUser, lifetime: int = TOKEN_LIFETIME, client_id: str | None = None) -> str:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self._settings.issuer,
            "aud": [self._settings.keycloak_client_id],
            "azp": client_id or self._settings.keycloak_client_id,
            "typ": "Bearer",
            "sub": subject_of(user.username),
            "iat": now,
            "exp": now + lifetime,
            "preferred_username": user.username,
            "realm_access": {"roles": [user.role]},
        }
        if user.tenant:
            claims["tenant"] = user.tenant
        if user.district:
            claims["district"] = user.district
        return jwt.encode(claims, self._key, algorithm="RS256", headers={"kid": self.kid})
