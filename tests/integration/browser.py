"""The wall in Debian's chromium through Playwright: the realm's web client, the page, its screenshots."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, async_playwright

from .clients import realm_admin, realm_lock

CHROMIUM = "/usr/bin/chromium"


LOOPBACK_REDIRECT = "http://127.0.0.1/*"  # Keycloak lets a loopback IP redirect use any port


@contextmanager
def web_origin(origin: str) -> Iterator[str]:
    """The realm's `redgrid-web` client as deploy/keycloak/redgrid-realm.json now has it (a
    port-free loopback redirect), plus a server's origin for CORS on the token endpoint, which
    Keycloak matches with its port; the origin is taken away again afterwards."""
    admin = realm_admin()
    client_id = admin.get_client_id("redgrid-web")
    with realm_lock():  # another xdist worker's module may be adding or taking away its own origin
        client = admin.get_client(client_id)
        redirects = list(client["redirectUris"])
        if LOOPBACK_REDIRECT not in redirects:
            redirects.append(LOOPBACK_REDIRECT)
        attributes = {
            **client["attributes"],
            "post.logout.redirect.uris": f"http://localhost:8000/*##{LOOPBACK_REDIRECT}",
        }
        admin.update_client(
            client_id,
            {"redirectUris": redirects, "webOrigins": [*client["webOrigins"], origin], "attributes": attributes},
        )
    try:
        yield origin
    finally:
        with realm_lock():
            origins = admin.get_client(client_id)["webOrigins"]
            admin.update_client(client_id, {"webOrigins": [o for o in origins if o != origin]})


@pytest.fixture(scope="module")
def web_client(live_server) -> Iterator[str]:
    with web_origin(live_server.url) as origin:
        yield origin


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    """Where screenshots go: REDGRID_SCREENSHOT_DIR, or the test's temporary folder."""
    folder = Path(os.environ.get("REDGRID_SCREENSHOT_DIR", tmp_path))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@asynccontextmanager
async def chromium() -> AsyncIterator[Browser]:
    """Debian's chromium (Playwright's own builds are not reachable), for a module's pages."""
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox"] if os.geteuid() == 0 else []
        )
        try:
            yield browser
        finally:
            await browser.close()


@asynccontextmanager
async def chromium_page(width: int = 1920, height: int = 1080, *, mobile: bool = False) -> AsyncIterator[Page]:
    """A zh-CN page in Debian's chromium: 1920x1080, or a phone's size with `mobile`."""
    async with chromium() as browser:
        context = await browser.new_context(
            viewport={"width": width, "height": height}, locale="zh-CN", timezone_id="Asia/Shanghai", is_mobile=mobile
        )
        yield await context.new_page()


@pytest.fixture
async def page(web_client) -> AsyncIterator[Page]:
    async with chromium_page() as page:
        yield page
