"""Unit tests of the token checks with locally made keys (this code never talks to Keycloak
here; tests/integration/test_auth.py repeats the refusals against the real Keycloak)."""

import base64
import json
import time

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from redgrid.platform.auth.identity import AuthError
from redgrid.platform.auth.tokens import TokenVerifier

ISSUER = "http://issuer.test/realms/redgrid"


class LocalKeys:
    def __init__(self) -> None:
        self.keys: dict[str, rsa.RSAPrivateKey] = {}
        self.fetches = 0

    def add(self, kid: str) -> rsa.RSAPrivateKey:
        self.keys[kid] = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        return self.keys[kid]

    async def fetch_jwks(self):
        self.fetches += 1
        return {
            "keys": [
                {**json.loads(RSAAlgorithm.to_jwk(k.public_key())), "kid": kid, "use": "sig"}
                for kid, k in self.keys.items()
            ]
        }


def claims(**over):
    now = int(time.time())
    base = {
        "iss": ISSUER, "aud": "redgrid-api", "sub": "u1", "iat": now, "exp": now + 86400,
        "preferred_username": "jinshui-secretary", "realm_access": {"roles": ["secretary", "uma"]},
        "tenant": "jinshui", "district": "jiangning",
    }
    base.update(over)
    return base


@pytest.fixture
def keys():
    source = LocalKeys()
    source.add("k1")
    return source


@pytest.fixture
def verifier(keys):
    return TokenVerifier(keys, issuer=ISSUER, audience="redgrid-api", cache_seconds=300)


def sign(key, payload, kid="k1", alg="RS256"):
    return jwt.encode(payload, key, algorithm=alg, headers={"kid": kid})


async def test_valid_token_gives_identity(keys, verifier):
    identity = await verifier.verify(sign(keys.keys["k1"], claims()))
    assert identity.username == "jinshui-secretary"
    assert identity.roles == {"secretary"}  # unknown realm roles are dropped
    assert (identity.tenant_slug, identity.district_slug) == ("jinshui", "jiangning")


@pytest.mark.parametrize(
    "payload, reason",
    [
        (claims(exp=int(time.time()) - 5), "expired"),
        (claims(iss="http://evil.test/realms/redgrid"), "issuer"),
        (claims(aud="another-client"), "(?i)audience"),
        ({k: v for k, v in claims().items() if k != "exp"}, "exp"),
    ],
)
async def test_refused_claims(keys, verifier, payload, reason):
    with pytest.raises(AuthError, match=reason):
        await verifier.verify(sign(keys.keys["k1"], payload))


async def test_other_key_with_same_kid_is_refused(verifier):
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    with pytest.raises(AuthError, match="Signature"):
        await verifier.verify(sign(stranger, claims()))


async def test_alg_none_and_hs256_are_refused(keys, verifier):
    header = base64.urlsafe_b64encode(b'{"alg":"none","typ":"JWT","kid":"k1"}').rstrip(b"=")
    body = base64.urlsafe_b64encode(json.dumps(claims()).encode()).rstrip(b"=")
    with pytest.raises(AuthError, match="algorithm"):
        await verifier.verify(f"{header.decode()}.{body.decode()}.")
    with pytest.raises(AuthError, match="algorithm"):
        await verifier.verify(jwt.encode(claims(), "s" * 32, algorithm="HS256", headers={"kid": "k1"}))


async def test_unknown_kid_refetches_once_then_accepts_rotated_key(keys, verifier):
    await verifier.verify(sign(keys.keys["k1"], claims()))
    assert keys.fetches == 1
    rotated = keys.add("k2")
    await verifier.verify(sign(rotated, claims(), kid="k2"))
    assert keys.fetches == 2
    with pytest.raises(AuthError, match="unknown key"):
        await verifier.verify(sign(rotated, claims(), kid="k3"))
    assert keys.fetches == 2  # rate-limited: garbage kids cannot hammer the identity provider


async def test_garbage_is_refused(verifier):
    with pytest.raises(AuthError, match="malformed"):
        await verifier.verify("not-a-token")
