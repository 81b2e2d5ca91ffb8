"""Tokens from the real Keycloak: every demo role reaches `me`; bad tokens are refused with
401 over HTTP and 4401 over websockets, under both subscription protocols."""

from __future__ import annotations

import asyncio
import base64
import json
import os

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from redgrid.platform.demo_users import demo_users

from .clients import (
    Subscriber,
    gql,
    gql_data,
    password_token,
    realm_admin,
    realm_lock,
    ws_connect_close_code,
    ws_first_event,
)

ME = "{ me { username roles districtSlug tenant { slug districtSlug } gridScope { kind path } } }"
PROTOCOLS = ("graphql-transport-ws", "graphql-ws")


@pytest.mark.parametrize("user", demo_users(), ids=lambda u: u.username)
async def test_every_demo_role_reaches_me(live_server, user):
    me = (await gql_data(live_server, ME, token=password_token(user.username)))["me"]
    assert me["username"] == user.username
    assert me["roles"] == [user.role.upper().replace("-", "_")]  # the Role enum's names
    assert me["districtSlug"] == user.district
    assert (me["tenant"] or {}).get("slug") == user.tenant


async def test_grid_head_is_scoped_to_building_3(live_server):
    me = (await gql_data(live_server, ME, token=password_token("jinshui-grid-head")))["me"]
    assert me["gridScope"] == {"kind": "SUBTREE", "path": "JS01.A1.B03"}
    me = (await gql_data(live_server, ME, token=password_token("jinshui-secretary")))["me"]
    assert me["gridScope"] == {"kind": "TENANT", "path": None}


def _resign(token: str, key, **header) -> str:
    claims = jwt.decode(token, options={"verify_signature": False})
    return jwt.encode(claims, key, algorithm="RS256", headers=header)


def _alg_none(token: str) -> str:
    claims = jwt.decode(token, options={"verify_signature": False})
    enc = lambda d: base64.urlsafe_b64encode(json.dumps(d).encode()).rstrip(b"=").decode()  # noqa: E731
    kid = jwt.get_unverified_header(token)["kid"]
    return f"{enc({'alg': 'none', 'typ': 'JWT', 'kid': kid})}.{enc(claims)}."


@pytest.fixture(scope="module")
def bad_tokens() -> dict[str, str]:
    good = password_token("jinshui-secretary")
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    kid = jwt.get_unverified_header(good)["kid"]
    return {
        "other key, same kid": _resign(good, stranger, kid=kid),
        "other key, new kid": _resign(good, stranger, kid="stranger"),
        "alg none": _alg_none(good),
        # admin-cli is a client of the same realm that the API's audience mapper does not serve.
        "wrong audience": password_token("jinshui-secretary", client_id="admin-cli"),
        "garbage": "not.a.token",
        "expired": _expired_token(),
    }


def _short_lived_token(seconds: int) -> str:
    """A real Keycloak token of the secretary that lives `seconds`: the client's token lifespan
    is set so for one grant, then restored; meanwhile no other xdist worker takes a token."""
    admin = realm_admin()
    client_uuid = admin.get_client_id(os.environ["REDGRID_KEYCLOAK_CLIENT_ID"])
    with realm_lock():
        client = admin.get_client(client_uuid)
        attributes = dict(client.get("attributes") or {})
        lifespan = {**attributes, "access.token.lifespan": str(seconds)}
        admin.update_client(client_uuid, {**client, "attributes": lifespan})
        try:
            token = password_token("jinshui-secretary")
        finally:
            restored = {**attributes, "access.token.lifespan": attributes.get("access.token.lifespan", "")}
            admin.update_client(client_uuid, {**client, "attributes": restored})
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["exp"] - claims["iat"] <= seconds
    return token


def _expired_token() -> str:
    """A real Keycloak token that has expired."""
    import time

    token = _short_lived_token(1)
    leeway = 2  # the test server's REDGRID_TOKEN_LEEWAY_SECONDS
    time.sleep(max(0.0, jwt.decode(token, options={"verify_signature": False})["exp"] - time.time()) + leeway + 1.5)
    return token


async def test_bad_tokens_get_401(live_server, bad_tokens):
    for name, token in bad_tokens.items():
        response = await gql(live_server, ME, token=token)
        assert response.status_code == 401, f"{name}: {response.status_code} {response.text}"
        error = response.json()["errors"][0]  # a GraphQL error like any other, not plain text
        assert error["extensions"] == {"code": "UNAUTHENTICATED"} and error["message"].startswith("Unauthorized")


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_bad_tokens_get_4401_on_websockets(live_server, bad_tokens, protocol):
    for name, token in bad_tokens.items():
        code = await ws_connect_close_code(live_server, {"Authorization": f"Bearer {token}"}, protocol)
        assert code == 4401, f"{name}: closed with {code}"
    assert await ws_connect_close_code(live_server, {}, protocol) == 4401, "no token at all"


async def test_token_from_another_issuer_is_refused(fresh_database):
    """A genuine token, right key and audience, but the server trusts another issuer."""
    from .conftest import LiveServer

    env = {**fresh_database, "REDGRID_KEYCLOAK_ISSUER": "http://keycloak.example/realms/redgrid"}
    server = LiveServer(env)
    try:
        server.wait_ready()
        token = password_token("jinshui-secretary")
        response = await gql(server, ME, token=token)
        assert response.status_code == 401 and "issuer" in response.text.lower()
        for protocol in PROTOCOLS:
            code = await ws_connect_close_code(server, {"Authorization": f"Bearer {token}"}, protocol)
            assert code == 4401
    finally:
        server.stop()


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_good_token_subscribes(live_server, protocol):
    payload = await ws_first_event(
        live_server,
        password_token("hushu-grid-worker"),
        protocol,
        "subscription { heartbeat(intervalSeconds: 0.2) }",
    )
    assert payload["data"]["heartbeat"]


@pytest.mark.alone  # hushu-volunteer, disabled meanwhile, is signed in by other modules (tests/conftest.py)
async def test_disabled_user_is_refused(live_server):
    username = "hushu-volunteer"
    token = password_token(username)
    assert (await gql(live_server, ME, token=token)).status_code == 200
    admin = realm_admin()
    user_id = admin.get_user_id(username)
    # Keycloak's user update replaces the whole profile: send the user back whole.
    user = admin.get_user(user_id)
    admin.update_user(user_id, {**user, "enabled": False})
    try:
        await asyncio.sleep(1.2)  # the server's user-status cache TTL in the tests is 1 s
        response = await gql(live_server, ME, token=token)
        assert response.status_code == 401 and "disabled" in response.text
        code = await ws_connect_close_code(live_server, {"Authorization": f"Bearer {token}"}, PROTOCOLS[0])
        assert code == 4401
    finally:
        admin.update_user(user_id, {**user, "enabled": True})


def _take_role(admin, user_id: str, user: dict) -> None:
    admin.delete_realm_roles_of_user(user_id, [admin.get_realm_role("grid-worker")])


def _give_role_back(admin, user_id: str, user: dict) -> None:
    admin.assign_realm_roles(user_id, [admin.get_realm_role("grid-worker")])


def _move_tenant(admin, user_id: str, user: dict) -> None:
    admin.update_user(user_id, {**user, "attributes": {**user["attributes"], "tenant": ["jinshui"]}})


def _disable(admin, user_id: str, user: dict) -> None:
    admin.update_user(user_id, {**user, "enabled": False})


def _restore(admin, user_id: str, user: dict) -> None:
    admin.update_user(user_id, user)


@pytest.mark.alone  # hushu-grid-worker loses his rights meanwhile, in the realm every xdist worker uses
@pytest.mark.parametrize(
    ("change", "undo", "code", "protocol"),
    [
        (_take_role, _give_role_back, 4403, PROTOCOLS[0]),
        (_take_role, _give_role_back, 4403, PROTOCOLS[1]),
        (_move_tenant, _restore, 4403, PROTOCOLS[0]),
        (_disable, _restore, 4401, PROTOCOLS[1]),
    ],
    ids=["role-removed", "role-removed-legacy", "tenant-changed", "disabled"],
)
async def test_open_subscription_is_closed_when_the_user_loses_the_right(live_server, change, undo, code, protocol):
    """The token still says grid-worker of hushu; Keycloak no longer does. Within the status TTL
    (1 s in the tests) the open socket is closed."""
    username = "hushu-grid-worker"
    admin = realm_admin()
    user_id = admin.get_user_id(username)
    user = admin.get_user(user_id)
    async with Subscriber(live_server, password_token(username), protocol=protocol) as subscriber:
        change(admin, user_id, user)
        try:
            assert await subscriber.closed(within=15) == code
        finally:
            undo(admin, user_id, user)
            await asyncio.sleep(1.2)  # the server's cached status of the user expires


async def test_anonymous_gets_an_authentication_error(live_server):
    body = (await gql(live_server, ME)).json()
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


@pytest.mark.parametrize("protocol", ["graphql-transport-ws", "graphql-ws"])
async def test_open_subscription_is_closed_with_4401_when_its_token_expires(live_server, protocol):
    """A real Keycloak token of a few seconds (the API client's lifespan shortened for the
    one grant): accepted at connection_init, the socket is closed when it expires."""
    token = _short_lived_token(6)
    async with Subscriber(live_server, token, protocol=protocol) as subscriber:
        assert subscriber.close_code is None  # open and subscribed
        assert await subscriber.closed(within=15) == 4401


def _grant(username: str) -> dict:
    """The real Keycloak's whole response to a password grant with the openid scope: access,
    ID and refresh tokens."""
    import httpx

    from .clients import token_url

    response = httpx.post(
        token_url(),
        timeout=30,
        data={
            "grant_type": "password",
            "username": username,
            "password": "redgrid-demo",
            "scope": "openid",
            "client_id": os.environ["REDGRID_KEYCLOAK_CLIENT_ID"],
            "client_secret": os.environ["REDGRID_KEYCLOAK_CLIENT_SECRET"],
        },
    )
    assert response.status_code == 200, response.text
    return response.json()


async def test_id_and_refresh_tokens_are_not_access_tokens(live_server):
    """Keycloak's ID token names the API client in aud and azp and is signed by the realm's key:
    only its typ ("ID") tells it from an access token. Neither it nor the refresh token is taken."""
    grant = _grant("jinshui-secretary")
    id_claims = jwt.decode(grant["id_token"], options={"verify_signature": False})
    assert id_claims["typ"] == "ID" and id_claims["azp"] == os.environ["REDGRID_KEYCLOAK_CLIENT_ID"]
    assert (await gql(live_server, ME, token=grant["access_token"])).status_code == 200
    for name in ("id_token", "refresh_token"):
        response = await gql(live_server, ME, token=grant[name])
        assert response.status_code == 401, f"{name}: {response.status_code} {response.text}"
    refused = await gql(live_server, ME, token=grant["id_token"])
    assert "not an access token" in refused.text
    for protocol in PROTOCOLS:
        assert await ws_connect_close_code(live_server, {"token": grant["id_token"]}, protocol) == 4401


class _Proxy:
    """A TCP proxy in front of Keycloak, in a thread of its own (the test server's requests must
    pass while the test blocks): `down()` closes it and every connection through it."""

    def __init__(self, target: tuple[str, int]) -> None:
        import socket
        import threading

        self._target = target
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._sockets: list[socket.socket] = []
        self._open = True
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        import socket
        import threading

        while self._open:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            if not self._open:
                client.close()
                return
            upstream = socket.create_connection(self._target)
            self._sockets += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source, sink) -> None:  # type: ignore[no-untyped-def]
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                try:
                    s.close()
                except OSError:
                    pass

    def down(self) -> None:
        import socket

        self._open = False
        try:
            self._listener.shutdown(socket.SHUT_RDWR)  # wakes the thread blocked in accept()
        except OSError:
            pass
        self._listener.close()
        for s in self._sockets:
            try:
                s.shutdown(socket.SHUT_RDWR)
                s.close()
            except OSError:
                pass


async def test_keys_and_user_status_serve_stale_while_keycloak_is_unreachable(fresh_database):
    """The server reaches Keycloak through a proxy and caches its keys and the user's status for
    1 s. With the proxy down, valid tokens are still accepted with the keys and status it holds,
    Keycloak is asked again at most once per 10 s, not per request, and /metrics counts it."""
    from urllib.parse import urlsplit

    import httpx

    from .conftest import LiveServer

    keycloak = urlsplit(os.environ["REDGRID_KEYCLOAK_URL"])
    proxy = _Proxy((keycloak.hostname or "127.0.0.1", keycloak.port or 80))
    realm = os.environ.get("REDGRID_KEYCLOAK_REALM", "redgrid")
    env = {
        **fresh_database,
        "REDGRID_KEYCLOAK_URL": f"http://127.0.0.1:{proxy.port}",
        "REDGRID_KEYCLOAK_ISSUER": f"{os.environ['REDGRID_KEYCLOAK_URL'].rstrip('/')}/realms/{realm}",
        "REDGRID_JWKS_CACHE_SECONDS": "1",
        "REDGRID_USER_STATUS_TTL_SECONDS": "1",
        "REDGRID_LOG_LEVEL": "INFO",
    }
    server = LiveServer(env)
    try:
        server.wait_ready()
        token = password_token("jinshui-secretary")
        assert (await gql_data(server, ME, token=token))["me"]["username"] == "jinshui-secretary"
        proxy.down()
        await asyncio.sleep(1.5)  # the keys are stale now
        for _ in range(30):
            assert (await gql_data(server, ME, token=token))["me"]["username"] == "jinshui-secretary"
        async with httpx.AsyncClient() as client:
            metrics = (await client.get(f"{server.url}/metrics")).text
        for counter in ("redgrid_jwks_stale_total", "redgrid_user_status_stale_total"):
            stale = [line for line in metrics.splitlines() if line.startswith(counter)]
            assert stale and float(stale[0].split()[-1]) == 1.0, stale  # one refetch tried, not thirty
        log = server.log.read_text()
        assert log.count("identity provider keys kept") == 1
        assert log.count("user status kept") == 1
    finally:
        server.stop()
        proxy.down()
