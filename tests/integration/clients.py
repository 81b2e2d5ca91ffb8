"""Small clients the integration tests share: Keycloak tokens, GraphQL over HTTP and websockets."""

from __future__ import annotations

import json
import os
from typing import Any

import httpx
from keycloak import KeycloakAdmin
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from redgrid.platform.demo_users import DEMO_PASSWORD


def token_url() -> str:
    base = os.environ["REDGRID_KEYCLOAK_URL"]
    realm = os.environ.get("REDGRID_KEYCLOAK_REALM", "redgrid")
    return f"{base.rstrip('/')}/realms/{realm}/protocol/openid-connect/token"


def password_token(username: str, password: str = DEMO_PASSWORD, *, client_id: str | None = None) -> str:
    data = {"grant_type": "password", "username": username, "password": password,
            "client_id": client_id or os.environ["REDGRID_KEYCLOAK_CLIENT_ID"]}
    if client_id is None:
        data["client_secret"] = os.environ["REDGRID_KEYCLOAK_CLIENT_SECRET"]
    response = httpx.post(token_url(), data=data, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


def realm_admin() -> KeycloakAdmin:
    """The master-realm admin of the local Keycloak, acting on the redgrid realm (tests only)."""
    return KeycloakAdmin(
        server_url=os.environ["REDGRID_KEYCLOAK_URL"].rstrip("/") + "/",
        username=os.environ["REDGRID_SERVICES_KEYCLOAK_ADMIN"],
        password=os.environ["REDGRID_SERVICES_KEYCLOAK_ADMIN_PASSWORD"],
        realm_name=os.environ.get("REDGRID_KEYCLOAK_REALM", "redgrid"),
        user_realm_name="master",
    )


async def gql(server: Any, query: str, variables: dict | None = None, token: str | None = None,
              ) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:
        return await client.post("/graphql", json={"query": query, "variables": variables or {}},
                                 headers=headers)


async def gql_data(server: Any, query: str, variables: dict | None = None, token: str | None = None,
                   ) -> dict:
    response = await gql(server, query, variables, token)
    assert response.status_code == 200, response.text
    body = response.json()
    assert not body.get("errors"), body["errors"]
    return body["data"]


async def ws_connect_close_code(server: Any, payload: dict | None, protocol: str) -> int | None:
    """Send connection_init; return the close code, or None when the server acknowledged."""
    async with connect(server.ws_url, subprotocols=[protocol]) as ws:  # type: ignore[list-item]
        await ws.send(json.dumps({"type": "connection_init", "payload": payload or {}}))
        try:
            while True:
                message = json.loads(await ws.recv())
                if message["type"] == "connection_ack":
                    return None
        except ConnectionClosed as closed:
            return closed.rcvd.code if closed.rcvd else None


async def ws_first_event(server: Any, token: str, protocol: str, query: str) -> dict:
    """Authenticate, subscribe, and return the first data payload."""
    start, data = ("subscribe", "next") if protocol == "graphql-transport-ws" else ("start", "data")
    async with connect(server.ws_url, subprotocols=[protocol]) as ws:  # type: ignore[list-item]
        await ws.send(json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}}))
        assert json.loads(await ws.recv())["type"] == "connection_ack"
        await ws.send(json.dumps({"id": "1", "type": start, "payload": {"query": query}}))
        while True:
            message = json.loads(await ws.recv())
            if message["type"] == data:
                return message["payload"]
            assert message["type"] in ("ka", "ping", "pong"), message
