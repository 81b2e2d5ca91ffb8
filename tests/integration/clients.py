"""Small clients the integration tests share: Keycloak tokens, GraphQL over HTTP and websockets."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

import httpx
from filelock import FileLock
from keycloak import KeycloakAdmin
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from redgrid.platform.demo_users import DEMO_PASSWORD


def token_url() -> str:
    base = os.environ["REDGRID_KEYCLOAK_URL"]
    realm = os.environ.get("REDGRID_KEYCLOAK_REALM", "redgrid")
    return f"{base.rstrip('/')}/realms/{realm}/protocol/openid-connect/token"


def realm_lock() -> FileLock:
    """The lock the xdist workers (and any other run on this machine) take for what in the
    shared realm they must not do at once: change a client's settings (read, changed, written
    back whole), or take a token while test_auth.py shortens the API client's token lifespan.
    One instance per path, so a test that holds it may take a token (the lock is reentrant)."""
    realm = os.environ.get("REDGRID_KEYCLOAK_REALM", "redgrid")
    path = Path(tempfile.gettempdir()) / f"redgrid-tests-realm-{realm}.lock"
    return FileLock(path, timeout=600, is_singleton=True)


def password_token(username: str, password: str = DEMO_PASSWORD, *, client_id: str | None = None) -> str:
    data = {
        "grant_type": "password",
        "username": username,
        "password": password,
        "client_id": client_id or os.environ["REDGRID_KEYCLOAK_CLIENT_ID"],
    }
    if client_id is None:
        data["client_secret"] = os.environ["REDGRID_KEYCLOAK_CLIENT_SECRET"]
    with realm_lock():
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


def provisioned_user_token(username: str) -> str:
    """A token of a user `redgrid provision`/createTenant made: his first password is
    temporary, so a lasting one is set first (tests only)."""
    import uuid

    password = f"Pw-{uuid.uuid4().hex}"
    admin = realm_admin()
    user_id = admin.get_user_id(username)
    admin.set_user_password(user_id, password, temporary=False)
    admin.update_user(user_id, {"requiredActions": []})
    return password_token(username, password)


async def gql(
    server: Any,
    query: str,
    variables: dict | None = None,
    token: str | None = None,
) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:
        return await client.post("/graphql", json={"query": query, "variables": variables or {}}, headers=headers)


async def gql_data(
    server: Any,
    query: str,
    variables: dict | None = None,
    token: str | None = None,
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


class Subscriber:
    """A websocket client that collects `events(area)` into a list until told to stop or the
    server closes the socket (its close code is kept)."""

    # Inline fragments and fragment spreads: graphql/core/pushed.py serves it all the same.
    QUERY = (
        "subscription($area: EventArea!, $after: Int) { events(area: $area, after: $after) { __typename "
        "... on CaseEvent { ...base caseId number state deadline people } "
        "... on GridEvent { ...base subjectId code name } ... on PeopleEvent { ...base subjectId } "
        "... on RosterEvent { ...base subjectId people } "
        "... on FiguresEvent { ...base figures { openCases residents } } "
        "} } fragment base on Event { seq type path at }"
    )

    def __init__(
        self,
        server: Any,
        token: str,
        area: str = "GRID",
        after: int | None = None,
        protocol: str = "graphql-transport-ws",
        query: str = QUERY,
    ) -> None:
        self.server, self.token, self.area, self.after, self.protocol = server, token, area, after, protocol
        self.query = query
        self.events: list[dict] = []
        self.close_code: int | None = None
        self.acked = asyncio.Event()
        self._task: asyncio.Task | None = None

    async def __aenter__(self) -> Subscriber:
        self._task = asyncio.create_task(self._run())
        await asyncio.wait_for(self.acked.wait(), 30)
        await asyncio.sleep(0.3)  # the hub joins the topic's group after the subscribe message
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def stop(self) -> None:
        if self._task and not self._task.done():
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def wait_for(self, count: int, within: float = 30) -> None:
        """Wait until `count` events have arrived, at most `within` seconds."""
        deadline = asyncio.get_running_loop().time() + within
        while len(self.events) < count:
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"got {len(self.events)} of {count} events")
            if self._task and self._task.done():
                raise AssertionError(f"socket closed ({self.close_code}) after {len(self.events)} events")
            await asyncio.sleep(0.05)

    async def closed(self, within: float = 30) -> int | None:
        """Wait (at most `within` seconds) for the server to close the socket; its close code."""
        assert self._task is not None
        await asyncio.wait_for(asyncio.shield(self._task), within)
        return self.close_code

    async def _run(self) -> None:
        start, data = ("subscribe", "next") if self.protocol == "graphql-transport-ws" else ("start", "data")
        try:
            async with connect(self.server.ws_url, subprotocols=[self.protocol]) as ws:  # type: ignore[list-item]
                await ws.send(
                    json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {self.token}"}})
                )
                assert json.loads(await ws.recv())["type"] == "connection_ack"
                await ws.send(
                    json.dumps(
                        {
                            "id": "1",
                            "type": start,
                            "payload": {"query": self.query, "variables": {"area": self.area, "after": self.after}},
                        }
                    )
                )
                self.acked.set()
                async for raw in ws:
                    message = json.loads(raw)
                    if message["type"] == data:
                        assert not message["payload"].get("errors"), message
                        self.events.append(message["payload"]["data"]["events"])
        except ConnectionClosed as closed:
            self.close_code = closed.rcvd.code if closed.rcvd else None
        finally:
            self.acked.set()

    @property
    def seqs(self) -> list[int]:
        return [e["seq"] for e in self.events]


class LoginRefused(AssertionError):
    pass


def browser_login(username: str, password: str, new_password: str | None = None) -> str:
    """An access token through Keycloak's own login pages, as a browser gets one: the web
    client's authorization-code flow with PKCE. When Keycloak asks for a new password (a
    temporary one was used), `new_password` is entered; without one, LoginRefused."""
    import base64
    import hashlib
    import html
    import re
    import secrets

    base = os.environ["REDGRID_KEYCLOAK_URL"].rstrip("/")
    realm = os.environ.get("REDGRID_KEYCLOAK_REALM", "redgrid")
    redirect = "http://127.0.0.1:8000/callback"
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    form_action = re.compile(r'<form[^>]*action="([^"]+)"')

    def action_of(page: httpx.Response) -> str:
        found = form_action.search(page.text)
        assert found, f"no form on Keycloak's page ({page.status_code})"
        return html.unescape(found.group(1))

    def as_localhost_browser(response: httpx.Response) -> None:
        """Keycloak marks its login cookies Secure; a browser sends them to http://127.0.0.1
        (a secure context), httpx's cookie jar would not."""
        response.read()
        for cookie in browser.cookies.jar:
            cookie.secure = False

    with httpx.Client(timeout=30, follow_redirects=False, event_hooks={"response": [as_localhost_browser]}) as browser:
        page = browser.get(
            f"{base}/realms/{realm}/protocol/openid-connect/auth",
            params={
                "client_id": "redgrid-web",
                "response_type": "code",
                "scope": "openid",
                "redirect_uri": redirect,
                "state": secrets.token_hex(8),
                "code_challenge": challenge,
                "code_challenge_method": "S256",
            },
        )
        answer = browser.post(action_of(page), data={"username": username, "password": password, "credentialId": ""})
        for _ in range(5):  # Keycloak's own pages (a required action) until it sends the browser back
            if answer.is_redirect and not answer.headers["location"].startswith(redirect):
                answer = browser.get(answer.headers["location"])
            elif answer.status_code == 200 and "password-new" in answer.text:
                if new_password is None:
                    raise LoginRefused("Keycloak asks for a new password")
                answer = browser.post(
                    action_of(answer), data={"password-new": new_password, "password-confirm": new_password}
                )
            else:
                break
        if answer.status_code != 302:
            raise LoginRefused(f"Keycloak did not sign {username} in ({answer.status_code})")
        location = answer.headers["location"]
        assert location.startswith(redirect), location
        code = httpx.URL(location).params["code"]
        grant = browser.post(
            f"{base}/realms/{realm}/protocol/openid-connect/token",
            data={
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": redirect,
                "client_id": "redgrid-web",
                "code_verifier": verifier,
            },
        )
        assert grant.status_code == 200, grant.text
        return grant.json()["access_token"]


def ensure_realm_role(name: str, description: str = "") -> None:
    """The realm role `name` in the running realm, created when missing (idempotent): a role the
    realm JSON gained since the realm was imported, which the lead's next import brings anyway."""
    from keycloak.exceptions import KeycloakGetError, KeycloakPostError

    admin = realm_admin()
    try:
        admin.get_realm_role(name)
    except KeycloakGetError:
        with contextlib.suppress(KeycloakPostError):  # another process made it meanwhile
            admin.create_realm_role({"name": name, "description": description}, skip_exists=True)
