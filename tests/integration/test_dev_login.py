"""The embedded dev identity speaks the browser's OIDC flow (authorization code with PKCE,
refresh tokens) at Keycloak's paths, so web/ runs the same login code without Keycloak."""

from __future__ import annotations

import base64
import hashlib
import os
import secrets
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from .browser import chromium_page
from .conftest import free_port

OIDC = "/dev-identity/realms/redgrid/protocol/openid-connect"


@pytest.fixture(scope="module")
def embedded_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`redgrid serve` with no configuration: SQLite, seeded, the dev identity."""
    workdir = tmp_path_factory.mktemp("embedded-web")
    env = {k: v for k, v in os.environ.items() if not k.startswith("REDGRID_")}
    port = free_port()
    log_path = workdir / "server.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "redgrid.platform.root.cli", "serve", "--port", str(port)],
            cwd=workdir,
            env={**env, "REDGRID_WEB_DIR": str(Path(__file__).resolve().parents[2] / "web" / "dist")},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(f"{url}/readyz").status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        else:
            raise AssertionError(log_path.read_text())
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def test_code_with_pkce_then_refresh(embedded_server: str) -> None:
    discovery = httpx.get(f"{embedded_server}/dev-identity/realms/redgrid/.well-known/openid-configuration").json()
    assert discovery["authorization_endpoint"] == f"{embedded_server}{OIDC}/auth"
    verifier, challenge = pkce()
    redirect = f"{embedded_server}/wall/"
    request = {
        "client_id": "redgrid-web",
        "response_type": "code",
        "redirect_uri": redirect,
        "state": "s1",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    picker = httpx.get(f"{embedded_server}{OIDC}/auth", params=request)
    assert picker.status_code == 200 and 'value="jinshui-secretary"' in picker.text
    # Only this server's own pages receive codes; a plain code flow without PKCE is refused.
    elsewhere = httpx.get(f"{embedded_server}{OIDC}/auth", params={**request, "redirect_uri": "http://evil.test/"})
    assert elsewhere.status_code == 400
    assert (
        httpx.get(f"{embedded_server}{OIDC}/auth", params={**request, "code_challenge_method": ""}).status_code == 400
    )

    chosen = httpx.post(f"{embedded_server}{OIDC}/auth", data={**request, "username": "jinshui-secretary"})
    assert chosen.status_code == 303
    back = httpx.URL(chosen.headers["location"])
    assert str(back).startswith(redirect) and back.params["state"] == "s1"
    code = back.params["code"]
    exchange = {"grant_type": "authorization_code", "client_id": "redgrid-web", "redirect_uri": redirect, "code": code}

    assert httpx.post(f"{embedded_server}{OIDC}/token", data={**exchange, "code_verifier": "wrong"}).status_code == 401
    # The failed attempt used the code up, as Keycloak does: a new one is needed.
    chosen = httpx.post(f"{embedded_server}{OIDC}/auth", data={**request, "username": "jinshui-secretary"})
    code = httpx.URL(chosen.headers["location"]).params["code"]
    tokens = httpx.post(
        f"{embedded_server}{OIDC}/token", data={**exchange, "code": code, "code_verifier": verifier}
    ).json()
    assert (
        httpx.post(
            f"{embedded_server}{OIDC}/token", data={**exchange, "code": code, "code_verifier": verifier}
        ).status_code
        == 401
    )  # once only

    def me(token: str) -> dict:
        answer = httpx.post(
            f"{embedded_server}/graphql",
            json={"query": "{ me { username tenant { slug } } }"},
            headers={"Authorization": f"Bearer {token}"},
        )
        return answer.json()["data"]["me"]

    assert me(tokens["access_token"]) == {"username": "jinshui-secretary", "tenant": {"slug": "jinshui"}}
    refresh = {"grant_type": "refresh_token", "client_id": "redgrid-web", "refresh_token": tokens["refresh_token"]}
    renewed = httpx.post(f"{embedded_server}{OIDC}/token", data=refresh).json()
    assert me(renewed["access_token"])["username"] == "jinshui-secretary"
    assert renewed["refresh_token"] != tokens["refresh_token"]
    assert httpx.post(f"{embedded_server}{OIDC}/token", data=refresh).status_code == 401  # rotated


async def test_the_wall_logs_in_with_the_dev_user_picker(embedded_server: str) -> None:
    async with chromium_page() as page:
        problems: list[str] = []
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        await page.goto(f"{embedded_server}/wall/")
        await page.click("button[value=jinshui-secretary]")
        await page.wait_for_url(f"{embedded_server}/wall/")
        await page.locator("[data-test=tenant]", has_text="金水街道").wait_for(timeout=10_000)
        await page.locator("[data-test=live]", has_text="实时").wait_for(timeout=15_000)
        # Logout ends the session at the identity and comes back: the picker again.
        await page.click("text=退出")
        await page.wait_for_url(f"{embedded_server}/wall/")
        await page.locator("button[value=jinshui-secretary]").wait_for(timeout=10_000)
        assert problems == [], problems
