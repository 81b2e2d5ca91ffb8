"""The newcomer's path: `redgrid serve` with no configuration at all runs on SQLite with the
dev identity, seeded, and its tokens go through the same verification as Keycloak's."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import httpx
import pytest

from .conftest import free_port


@pytest.fixture(scope="module")
def embedded_workdir(tmp_path_factory):
    return tmp_path_factory.mktemp("embedded")


@pytest.fixture(scope="module")
def embedded_server(embedded_workdir):
    workdir = embedded_workdir
    env = {k: v for k, v in os.environ.items() if not k.startswith("REDGRID_")}
    port = free_port()
    log = (workdir / "server.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "redgrid.platform.root.cli", "serve", "--port", str(port)],
        cwd=workdir,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                if httpx.get(f"{url}/readyz").status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        else:
            raise AssertionError((workdir / "server.log").read_text())
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_embedded_default_serves_demo_data_with_dev_tokens(embedded_server):
    token_url = f"{embedded_server}/dev-identity/realms/redgrid/protocol/openid-connect/token"
    grant = httpx.post(
        token_url, data={"grant_type": "password", "username": "jinshui-grid-head", "password": "redgrid-demo"}
    )
    assert grant.status_code == 200
    token = grant.json()["access_token"]
    query = "{ me { username roles tenant { slug } gridScope { kind path } } gridNodes(first: 1) { totalCount } }"
    body = httpx.post(
        f"{embedded_server}/graphql", json={"query": query}, headers={"Authorization": f"Bearer {token}"}
    ).json()
    assert body["data"]["me"] == {
        "username": "jinshui-grid-head",
        "roles": ["GRID_HEAD"],
        "tenant": {"slug": "jinshui"},
        "gridScope": {"kind": "SUBTREE", "path": "JS01.A1.B03"},
    }
    assert body["data"]["gridNodes"]["totalCount"] == 37
    assert (
        httpx.post(
            token_url, data={"grant_type": "password", "username": "jinshui-grid-head", "password": "wrong"}
        ).status_code
        == 401
    )
    tampered = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    assert (
        httpx.post(
            f"{embedded_server}/graphql", json={"query": query}, headers={"Authorization": f"Bearer {tampered}"}
        ).status_code
        == 401
    )
    ide = httpx.get(f"{embedded_server}/graphql", headers={"Accept": "text/html"})
    assert "graphiql" in ide.text.lower()  # GraphiQL in development


def test_dev_token_from_the_shell_is_accepted_whatever_port_either_was_given(embedded_server, embedded_workdir):
    """The server was started with `serve --port`; `redgrid dev-token` run in the same directory
    with another REDGRID_PORT (or none) mints a token it accepts."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("REDGRID_")}
    for port in (None, "9"):
        minted = subprocess.run(
            [sys.executable, "-m", "redgrid.platform.root.cli", "dev-token", "jinshui-secretary"],
            cwd=embedded_workdir,
            env={**env, **({"REDGRID_PORT": port} if port else {})},
            capture_output=True,
            text=True,
            check=True,
        )
        body = httpx.post(
            f"{embedded_server}/graphql",
            json={"query": "{ me { username } }"},
            headers={"Authorization": f"Bearer {minted.stdout.strip()}"},
        )
        assert body.status_code == 200, body.text
        assert body.json()["data"]["me"]["username"] == "jinshui-secretary"


def test_the_dev_identity_token_endpoint_is_rate_limited_per_address(embedded_server):
    """Last in this module: it spends the address's anonymous budget (60 a minute by default),
    so passwords cannot be tried at speed."""
    token_url = f"{embedded_server}/dev-identity/realms/redgrid/protocol/openid-connect/token"
    responses = [
        httpx.post(token_url, data={"grant_type": "password", "username": "jinshui-secretary", "password": "guess"})
        for _ in range(61)
    ]
    statuses = [r.status_code for r in responses]
    assert statuses[0] == 401 and statuses[-1] == 429, statuses
    first_refused = statuses.index(429)
    assert set(statuses[first_refused:]) == {429}
    assert 1 <= int(responses[first_refused].headers["retry-after"]) <= 60
