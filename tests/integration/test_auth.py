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
    ws_connect_close_code,
    ws_first_event,
)

ME = "{ me { username roles districtSlug tenant { slug districtSlug } gridScope { kind path } } }"
PROTOCOLS = ("graphql-transport-ws", "graphql-ws")


@pytest.mark.parametrize("user", demo_users(), ids=lambda u: u.username)
async def test_every_demo_role_reaches_me(live_server, user):
    me = (await gql_data(live_server, ME, token=password_token(user.username)))["me"]
    assert me["username"] == user.username
    assert me["roles"] == [user.role]
    assert me["districtSlug"] == user.district
    assert (me["tenant"] or {}).get("slug") == user.tenant


async def test_grid_head_is_scoped_to_building_3(live_server):
    me = (await gql_data(live_server, ME, token=password_token("jinshui-grid-head")))["me"]
    assert me["gridScope"] == {"kind": "subtree", "path": "JS01.A1.B03"}
    me = (await gql_data(live_server, ME, token=password_token("jinshui-secretary")))["me"]
    assert me["gridScope"] == {"kind": "tenant", "path": None}


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
    is set so for one grant, then restored."""
    admin = realm_admin()
    client_uuid = admin.get_client_id(os.environ["REDGRID_KEYCLOAK_CLIENT_ID"])
    client = admin.get_client(client_uuid)
    attributes = dict(client.get("attributes") or {})
    admin.update_client(client_uuid, {**client, "attributes": {**attributes, "access.token.lifespan": str(seconds)}})
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
    time.sleep(max(0.0, jwt.decode(token, options={"verify_signature": False})["exp"] - time.time()) + 1.5)
    return token


async def test_bad_tokens_get_401(live_server, bad_tokens):
    for name, token in bad_tokens.items():
        response = await gql(live_server, ME, token=token)
        assert response.status_code == 401, f"{name}: {response.status_code} {response.text}"


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
        live_server, password_token("hushu-grid-worker"), protocol,
        "subscription { heartbeat(intervalSeconds: 0.2) }",
    )
    assert payload["data"]["heartbeat"]


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
            assert await subscriber.closed(timeout=15) == code
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
        assert await subscriber.closed(timeout=15) == 4401
