"""The phones' app (/m/) and the residents' pages (/r/) in a real browser: Debian's chromium
at 390x844 driven by Playwright, logged in through Keycloak's own login page."""

from __future__ import annotations

import os

import httpx


def test_the_phone_app_is_served_as_a_pwa_with_caching_and_security_headers(live_server) -> None:
    index = httpx.get(f"{live_server.url}/m/")
    assert index.status_code == 200, "web/dist/m is missing: deploy/test.sh builds web/ first"
    assert index.headers["cache-control"] == "no-cache"
    policy = index.headers["content-security-policy"]
    keycloak = os.environ["REDGRID_KEYCLOAK_URL"].rstrip("/")
    assert "script-src 'self'" in policy and f"connect-src 'self' {keycloak}" in policy
    assert "worker-src 'self'" in policy and "manifest-src 'self'" in policy
    assert index.headers["permissions-policy"] == "camera=(self), microphone=(), geolocation=(self)"
    assert 'rel="manifest" href="/m/manifest.webmanifest"' in index.text
    # A path of the app's router gets the same page; an asset is hashed and cached for good.
    deep = httpx.get(f"{live_server.url}/m/tasks")
    assert deep.status_code == 200 and deep.text == index.text
    script = next(part.split('"')[1] for part in index.text.split("src=")[1:] if part.startswith('"/m/assets/'))
    asset = httpx.get(f"{live_server.url}{script}")
    assert asset.status_code == 200 and asset.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert httpx.get(f"{live_server.url}/m/assets/missing.js").status_code == 404
    assert httpx.get(f"{live_server.url}/m/assets/..%2Findex.html").status_code == 404

    manifest = httpx.get(f"{live_server.url}/m/manifest.webmanifest")
    assert manifest.headers["content-type"] == "application/manifest+json"
    assert manifest.headers["cache-control"] == "no-cache"
    body = manifest.json()
    assert body["scope"] == "/m/" and body["start_url"] == "/m/" and body["lang"] == "zh-CN"
    assert {icon["sizes"] for icon in body["icons"]} == {"192x192", "512x512"}
    for icon in body["icons"]:
        assert httpx.get(f"{live_server.url}{icon['src']}").headers["content-type"] == "image/png"

    worker = httpx.get(f"{live_server.url}/m/sw.js")
    assert worker.status_code == 200 and worker.headers["content-type"].startswith("text/javascript")
    assert worker.headers["cache-control"] == "no-cache" and worker.headers["service-worker-allowed"] == "/m/"
    config = httpx.get(f"{live_server.url}/m/config.json").json()
    assert config == {"authority": f"{keycloak}/realms/redgrid", "clientId": "redgrid-web"}
    # The wall keeps its own, stricter policy.
    wall = httpx.get(f"{live_server.url}/wall/")
    assert wall.headers["permissions-policy"] == "camera=(), microphone=(), geolocation=()"


def test_the_residents_pages_are_public_and_not_the_staff_app(live_server) -> None:
    for path in ("/r/", "/r/some-tracking-token"):
        page = httpx.get(f"{live_server.url}{path}")
        assert page.status_code == 200 and page.headers["cache-control"] == "no-cache"
        assert "/m/assets/resident-" in page.text and "manifest" not in page.text
        assert "geolocation=(self)" in page.headers["permissions-policy"]
