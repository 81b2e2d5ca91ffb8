"""The embedded dev identity: a stand-in for Keycloak in development only.

It signs tokens for the demo users with a local RSA key and serves the key as a JWKS, so the
server verifies them through exactly the code that verifies Keycloak's tokens. Its token
endpoint speaks the same password grant at the same path shape as Keycloak.
"""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from redgrid.platform.demo_users import DEMO_PASSWORD, DemoUser, demo_users
from redgrid.platform.settings import Environment, Settings

TOKEN_LIFETIME = 3600


class DevIdentityRefused(RuntimeError):
    pass


def subject_of(username: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_DNS, f"{username}.dev-identity.redgrid"))


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

    def issue(self, user: DemoUser, lifetime: int = TOKEN_LIFETIME) -> str:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self._settings.issuer,
            "aud": [self._settings.keycloak_client_id],
            "azp": self._settings.keycloak_client_id,
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
