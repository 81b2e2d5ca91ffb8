"""Unit tests of the token checks with locally made keys (this code never talks to Keycloak
here; tests/integration/test_auth.py repeats the refusals against the real Keycloak)."""

import base64
import json
import time

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from redgrid.platform.auth import tokens
from redgrid.platform.auth.identity import AuthError
from redgrid.platform.auth.tokens import KeysUnavailable, TokenVerifier

ISSUER = "http://issuer.test/realms/redgrid"


class LocalKeys:
    def __init__(self) -> None:
        self.keys: dict[str, rsa.RSAPrivateKey] = {}
        self.fetches = 0
        self.down = False

    def add(self, kid: str) -> rsa.RSAPrivateKey:
        self.keys[kid] = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        return self.keys[kid]

    async def fetch_jwks(self):
        self.fetches += 1
        if self.down:
            raise ConnectionRefusedError("identity provider unreachable")
        return {
            "keys": [
                {**json.loads(RSAAlgorithm.to_jwk(k.public_key())), "kid": kid, "use": "sig"}
                for kid, k in self.keys.items()
            ]
        }


def claims(**over):
    now = int(time.time())
    base = {
        "iss": ISSUER,
        "aud": "redgrid-api",
        "sub": "u1",
        "iat": now,
        "exp": now + 86400,
        "preferred_username": "jinshui-secretary",
        "realm_access": {"roles": ["secretary", "uma"]},
        "tenant": "jinshui",
        "district": "jiangning",
        "azp": "redgrid-api",
        "typ": "Bearer",
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
    "make, reason",
    [
        (lambda: claims(exp=int(time.time()) - 120), "expired"),
        (lambda: claims(iat=int(time.time()) + 120), "not yet valid"),
        (lambda: claims(nbf=int(time.time()) + 120), "not yet valid"),
        (lambda: claims(typ="ID"), "not an access token"),
        (lambda: claims(typ="Refresh"), "not an access token"),
        (lambda: claims(azp="admin-cli"), "azp"),
        (lambda: {k: v for k, v in claims().items() if k != "azp"}, "azp"),
        (lambda: {k: v for k, v in claims().items() if k != "typ"}, "typ"),
        (lambda: claims(iss="http://evil.test/realms/redgrid"), "issuer"),
        (lambda: claims(aud="another-client"), "(?i)audience"),
        (lambda: {k: v for k, v in claims().items() if k != "exp"}, "exp"),
    ],
)
async def test_refused_claims(keys, verifier, make, reason):
    """Claims are made when the test runs: made at collection, a slow suite would let them expire."""
    with pytest.raises(AuthError, match=reason):
        await verifier.verify(sign(keys.keys["k1"], make()))


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


async def test_clock_skew_within_the_leeway_is_forgiven(keys, verifier):
    """Keycloak's clock a little ahead (iat, nbf in our future) or behind (exp just passed)."""
    now = int(time.time())
    for skewed in (claims(iat=now + 20, nbf=now + 20), claims(iat=now - 100, exp=now - 20)):
        assert (await verifier.verify(sign(keys.keys["k1"], skewed))).username == "jinshui-secretary"


async def test_identity_lasts_until_exp_plus_leeway(keys, verifier):
    exp = int(time.time()) + 60
    identity = await verifier.verify(sign(keys.keys["k1"], claims(exp=exp)))
    assert identity.expires_at == exp + verifier.leeway


async def test_other_redgrid_clients_are_accepted(keys):
    verifier = TokenVerifier(
        keys, issuer=ISSUER, audience="redgrid-api", cache_seconds=300, clients={"redgrid-api", "redgrid-web"}
    )
    assert await verifier.verify(sign(keys.keys["k1"], claims(azp="redgrid-web")))
    with pytest.raises(AuthError, match="azp"):
        await verifier.verify(sign(keys.keys["k1"], claims(azp="account")))


async def test_stale_keys_serve_while_the_provider_is_down(keys, monkeypatch):
    """stale-if-error: cached keys outlive their cache time while refetching fails, and the
    provider is asked again at most once per interval, not once per request."""
    clock = [1000.0]
    monkeypatch.setattr(tokens.time, "monotonic", lambda: clock[0])
    verifier = TokenVerifier(keys, issuer=ISSUER, audience="redgrid-api", cache_seconds=60)
    token = sign(keys.keys["k1"], claims())
    await verifier.verify(token)
    keys.down = True
    clock[0] += 61  # the cache is stale
    for _ in range(50):
        assert (await verifier.verify(token)).subject == "u1"
    assert keys.fetches == 2  # one failed refetch for fifty requests
    clock[0] += tokens.MIN_REFRESH_INTERVAL
    await verifier.verify(token)
    assert keys.fetches == 3
    keys.down = False
    clock[0] += tokens.MIN_REFRESH_INTERVAL
    await verifier.verify(token)
    assert keys.fetches == 4
    clock[0] += 30  # fresh again: no fetch within the cache time
    await verifier.verify(token)
    assert keys.fetches == 4


async def test_no_keys_and_provider_down_is_unavailable_not_a_storm(keys, monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(tokens.time, "monotonic", lambda: clock[0])
    keys.down = True
    verifier = TokenVerifier(keys, issuer=ISSUER, audience="redgrid-api", cache_seconds=60)
    token = sign(keys.keys["k1"], claims())
    with pytest.raises(ConnectionRefusedError):
        await verifier.verify(token)
    for _ in range(20):
        with pytest.raises(KeysUnavailable):
            await verifier.verify(token)
    assert keys.fetches == 1


class CountingVerifier:
    """A TokenVerifier that counts its verifications."""

    def __init__(self, verifier: TokenVerifier) -> None:
        self._verifier = verifier
        self.verified = 0

    @property
    def key_ids(self):
        return self._verifier.key_ids

    async def refresh(self):
        await self._verifier.refresh()

    async def verify_with_kid(self, token):
        self.verified += 1
        return await self._verifier.verify_with_kid(token)


class Status:
    def __init__(self) -> None:
        self.checked = 0
        self.refuse: Exception | None = None

    async def check(self, identity) -> None:
        self.checked += 1
        if self.refuse is not None:
            raise self.refuse


async def test_a_verified_token_is_not_verified_again_but_the_users_status_is_judged_every_time(keys, verifier):
    from redgrid.platform.auth.authenticator import Authenticator

    counting, status = CountingVerifier(verifier), Status()
    authenticator = Authenticator(counting, status)  # type: ignore[arg-type]
    token = sign(keys.keys["k1"], claims())
    for _ in range(3):
        assert (await authenticator.authenticate(f"Bearer {token}")).subject == "u1"
    assert (counting.verified, status.checked) == (1, 3)
    status.refuse = AuthError("user is disabled")
    with pytest.raises(AuthError):
        await authenticator.authenticate(f"Bearer {token}")  # remembered, and still refused


async def test_a_remembered_token_is_forgotten_at_its_expiry_and_with_its_key(keys, verifier):
    from redgrid.platform.auth.authenticator import VerifiedTokens

    remembered = VerifiedTokens(size=2)
    identity, kid = await verifier.verify_with_kid(sign(keys.keys["k1"], claims()))
    key = verifier.key_ids[kid]
    remembered.put(b"a", identity, kid, key)
    assert remembered.get(b"a", {"k1": key}) == identity
    remembered.put(b"a", identity, kid, key)
    assert remembered.get(b"a", {"k2": key}) is None  # the key it was signed with is gone
    remembered.put(b"a", identity, kid, key)
    assert remembered.get(b"a", {"k1": object()}) is None  # the kid now names other key material
    from dataclasses import replace

    remembered.put(b"b", replace(identity, expires_at=time.time() - 1), kid, key)
    assert remembered.get(b"b", {"k1": key}) is None  # expired
    for name in (b"c", b"d", b"e"):
        remembered.put(name, identity, kid, key)
    assert len(remembered) == 2 and remembered.get(b"c", {"k1": key}) is None  # the least recently used went
    assert VerifiedTokens.digest("x.y.z") != VerifiedTokens.digest("x.y.w")
