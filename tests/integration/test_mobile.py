"""The phones' app (/m/) and the residents' pages (/r/) in a real browser: Debian's chromium
at 390x844 driven by Playwright, logged in through Keycloak's own login page."""

from __future__ import annotations

import asyncio
import json
import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Browser, Page, Route

from .attachments_api import photo
from .browser import chromium
from .cases_api import act, report
from .clients import gql, gql_data
from .conftest import LiveServer, Street


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
    asset = httpx.get(f"{live_server.url}{script}", headers={"Accept-Encoding": "gzip"})
    assert asset.status_code == 200 and asset.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert asset.headers["content-encoding"] == "gzip"  # phones on slow networks
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
    # The page carries the same, escaped, so a phone logs in without asking for it first.
    carried = json.dumps(config, separators=(",", ":")).replace('"', "&quot;")
    assert f'<meta name="redgrid-config" content="{carried}"' in index.text
    # The wall keeps its own, stricter policy.
    wall = httpx.get(f"{live_server.url}/wall/")
    assert wall.headers["permissions-policy"] == "camera=(), microphone=(), geolocation=()"


def test_the_residents_pages_are_public_and_not_the_staff_app(live_server) -> None:
    for path in ("/r/", "/r/some-tracking-token"):
        page = httpx.get(f"{live_server.url}{path}")
        assert page.status_code == 200 and page.headers["cache-control"] == "no-cache"
        assert "/m/assets/resident-" in page.text and "manifest" not in page.text
        assert "geolocation=(self)" in page.headers["permissions-policy"]


# --- in the browser -----------------------------------------------------------------------------

PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
async def browser(web_client) -> AsyncIterator[Browser]:
    """One chromium for the module; each user gets a context (a phone) of his own."""
    async with chromium() as running:
        yield running


@pytest.fixture(scope="module")
async def spot(live_server, tokens) -> dict:
    """The deepest cell with a boundary in the grid worker's grid, and a point inside it (its centre)."""
    query = "{ me { gridScope { path } } gridNodes(first: 500) { edges { node { id path level boundary } } } }"
    data = await gql_data(live_server, query, token=tokens["grid-worker"])
    scope = data["me"]["gridScope"]["path"]
    nodes = [e["node"] for e in data["gridNodes"]["edges"]]
    mine = [n for n in nodes if n["boundary"] and (n["path"] == scope or n["path"].startswith(scope + "."))]
    cell = max(mine, key=lambda n: n["level"])
    ring = cell["boundary"]["coordinates"][0]
    if cell["boundary"]["type"] == "MultiPolygon":
        ring = ring[0]
    longitude = sum(p[0] for p in ring[:-1]) / (len(ring) - 1)
    latitude = sum(p[1] for p in ring[:-1]) / (len(ring) - 1)
    return {"path": cell["path"], "id": cell["id"], "latitude": latitude, "longitude": longitude}


@asynccontextmanager
async def phone(browser: Browser, server: LiveServer, street: Street, role: str, spot: dict) -> AsyncIterator[Page]:
    """A 390x844 phone with its position granted, logged in to /m/ as the street's `role`
    through Keycloak's own login page. Page errors and failed requests fail the test."""
    context = await browser.new_context(
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        geolocation={"latitude": spot["latitude"], "longitude": spot["longitude"]},
        permissions=["geolocation"],
    )
    page = await context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on(
        "console", lambda m: problems.append(m.text) if m.type == "error" and "ERR_INTERNET" not in m.text else None
    )
    try:
        await page.goto(f"{server.url}/m/")
        await page.wait_for_url(f"{os.environ['REDGRID_KEYCLOAK_URL'].rstrip('/')}/**")
        await page.fill("#username", street.username(role))
        await page.fill("#password", street.password(role))
        await page.click("#kc-login")
        await page.wait_for_url(f"{server.url}/m/**")
        await page.locator("[data-test=tabs]").wait_for()
        yield page
        assert problems == [], problems
    finally:
        await context.close()


async def tab_keys(page: Page) -> list[str]:
    return await page.locator("[data-test=tabs] [data-tab]").evaluate_all("items => items.map(i => i.dataset.tab)")


async def pick(page: Page, field: str, option: str) -> None:
    """Choose `option` in the bottom picker that the form's `field` opens."""
    await page.locator(f"[data-test=report] .van-field:has(input[name={field}])").click()
    picker = page.locator(".van-popup:visible .van-picker")
    await picker.locator(".van-picker-column__item", has_text=option).first.click()
    await page.wait_for_timeout(400)  # the column settles on the option
    await picker.locator(".van-picker__confirm").click()


async def case_by_title(server: LiveServer, token: str, title: str) -> list[dict]:
    query = """{ cases(first: 50) { edges { node { id number title state latitude longitude node { path }
        attachments { id } } } } }"""
    edges = (await gql_data(server, query, token=token))["cases"]["edges"]
    return [e["node"] for e in edges if e["node"]["title"] == title]


async def act_in_page(page: Page, action: str, state: str, *, photo: Path | None = None, candidate: str = "") -> None:
    await page.locator(f"[data-test=actions] [data-action={action}]").click()
    sheet = page.locator("[data-test=sheet]")
    if candidate:
        await sheet.locator(f"[data-candidate='{candidate}']").click()
    if photo:
        await sheet.locator("input[type=file]").set_input_files(photo)
        await sheet.locator(".van-uploader__preview").wait_for()
    await sheet.locator("[data-test=confirm]").click()
    await page.locator(f"[data-test=case][data-state={state}]").wait_for(timeout=10_000)


@pytest.fixture(scope="module")
def photo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("photos") / "现场.jpg"
    path.write_bytes(photo(size=(320, 240)))
    return path


async def test_a_case_goes_from_the_workers_phone_to_the_heads_and_the_staffs(
    live_server, street: Street, tokens, browser: Browser, spot: dict, photo_file: Path, shots: Path
) -> None:
    title = f"井盖缺失{uuid.uuid4().hex[:6]}"
    # The grid worker reports from the spot: camera photo, his position, a category.
    async with phone(browser, live_server, street, "grid-worker", spot) as worker:
        await worker.locator("[data-tab=report]").click()
        form = worker.locator("[data-test=report]")
        await form.locator("[data-test=position]", has_text=f"{spot['latitude']:.5f}").wait_for()
        await form.locator("input[name=title]").fill(title)
        await pick(worker, "category", "市容环境")
        await form.locator("input[type=file]").set_input_files(photo_file)
        await form.locator(".van-uploader__preview").wait_for()
        assert spot["path"].split(".")[-1] in await form.locator("input[name=node]").input_value()
        await worker.screenshot(path=str(shots / "mobile-report.png"))
        await form.locator("[data-test=submit]").click()
        await worker.locator("[data-test=case][data-state=REPORTED]").wait_for(timeout=10_000)
        await worker.locator("[data-test=photos] img").first.wait_for()
        # A reporter may not accept his own report: no button the API would refuse.
        assert await worker.locator("[data-test=actions] [data-action=ACCEPT]").count() == 0
    [case] = await case_by_title(live_server, tokens["secretary"], title)
    assert case["node"]["path"] == spot["path"] and len(case["attachments"]) == 1
    assert abs(case["latitude"] - spot["latitude"]) < 1e-6 and abs(case["longitude"] - spot["longitude"]) < 1e-6

    # The grid head finds it in his inbox, accepts it and dispatches it to the sinking staff member.
    staff = street.username("dept-staff")
    async with phone(browser, live_server, street, "grid-head", spot) as head:
        await head.locator("[data-test=inbox][data-loaded=true]").wait_for()
        await head.locator(f"[data-case='{case['number']}']").click()
        await act_in_page(head, "ACCEPT", "ACCEPTED")
        await act_in_page(head, "DISPATCH", "DISPATCHED", candidate=staff)
        await head.screenshot(path=str(shots / "mobile-dispatched.png"))

    # The staff member has it among his tasks with its countdown, starts and resolves it with a photo.
    async with phone(browser, live_server, street, "dept-staff", spot) as member:
        assert await tab_keys(member) == ["tasks", "duty", "notices", "me"]
        line = member.locator(f"[data-test=tasks] [data-case='{case['number']}']")
        await line.locator("[data-test=countdown]", has_text="剩").wait_for()
        await line.click()
        await act_in_page(member, "START", "IN_PROGRESS")
        await act_in_page(member, "RESOLVE", "RESOLVED", photo=photo_file)
        await member.screenshot(path=str(shots / "mobile-resolved.png"))
    [done] = await case_by_title(live_server, tokens["secretary"], title)
    assert done["state"] == "RESOLVED" and len(done["attachments"]) == 2


async def test_each_role_sees_only_its_tabs(live_server, street: Street, browser: Browser, spot: dict) -> None:
    expected = {
        "grid-worker": ["tasks", "report", "visits", "duty", "notices", "me"],
        "grid-head": ["inbox", "tasks", "report", "visits", "notices", "me"],
        "dept-staff": ["tasks", "duty", "notices", "me"],
        "volunteer": ["report", "knock", "notices", "me"],
        "secretary": ["overview", "inbox", "catalogue", "requests", "needs", "notices", "me"],
    }
    for role, tabs in expected.items():
        async with phone(browser, live_server, street, role, spot) as page:
            assert await tab_keys(page) == tabs, role
            # A tab of another role is not routed: its path opens the role's first tab.
            foreign = "overview" if role != "secretary" else "duty"
            await page.goto(f"{live_server.url}/m/{foreign}")
            await page.wait_for_url(f"{live_server.url}/m/{tabs[0]}")
            if role == "secretary":
                await page.locator("[data-figure=open] .value").wait_for()
                assert (await page.locator("[data-figure=open] .value").inner_text()).isdigit()


async def test_a_volunteer_calling_a_grid_heads_mutation_is_refused(live_server, tokens, spot: dict) -> None:
    case = await report(live_server, tokens, path=spot["path"])
    refused = await act(live_server, tokens["volunteer"], case, "ACCEPT")
    assert refused["case"] is None and [e["code"] for e in refused["errors"]] in (["NOT_FOUND"], ["FORBIDDEN"])
    candidates = await gql(
        live_server,
        "query($id: ID!) { dispatchCandidates(caseId: $id) { name } }",
        {"id": case["id"]},
        tokens["volunteer"],
    )
    assert candidates.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    # What the head may do, the API says: the same case offers him ACCEPT, the volunteer nothing.
    query = "query($id: ID!) { node(id: $id) { ... on Case { actions } } }"
    head = (await gql_data(live_server, query, {"id": case["id"]}, tokens["grid-head"]))["node"]["actions"]
    assert "ACCEPT" in head and "START" not in head
    volunteer = (await gql_data(live_server, query, {"id": case["id"]}, tokens["volunteer"]))["node"]
    assert volunteer is None or volunteer["actions"] == []


async def test_a_report_made_without_signal_is_sent_once_when_the_network_returns(
    live_server, street: Street, tokens, browser: Browser, spot: dict, photo_file: Path
) -> None:
    """Offline, the report waits in IndexedDB; back online it is sent, and its answer is lost
    on the way back (the server made the case); the next try carries the same Idempotency-Key,
    so the server answers it again (Idempotent-Replayed) instead of making a second case."""
    title = f"断网上报{uuid.uuid4().hex[:6]}"
    keys: list[str] = []
    replayed: list[str] = []
    lost = asyncio.Event()
    offline = True

    async def lose_first_answer(route: Route) -> None:
        body = route.request.post_data or ""
        if "ReportCase" not in body:
            await route.continue_()
            return
        if offline:  # Playwright's routes see requests before the offline network refuses them
            await route.abort("internetdisconnected")
            return
        keys.append(route.request.headers["idempotency-key"])
        if lost.is_set():
            await route.continue_()
            return
        await route.fetch()  # the server makes the case; the answer never reaches the phone
        lost.set()
        await route.abort("internetdisconnected")

    async with phone(browser, live_server, street, "grid-worker", spot) as worker:
        worker.on(
            "response",
            lambda r: replayed.append(r.headers.get("idempotent-replayed", "")) if r.url.endswith("/graphql") else None,
        )
        await worker.route("**/graphql", lose_first_answer)
        await worker.locator("[data-tab=report]").click()
        form = worker.locator("[data-test=report]")
        await form.locator("[data-test=position]", has_text=f"{spot['latitude']:.5f}").wait_for()
        await worker.context.set_offline(True)
        await form.locator("input[name=title]").fill(title)
        await pick(worker, "category", "市容环境")
        await form.locator("input[type=file]").set_input_files(photo_file)
        await form.locator(".van-uploader__preview").wait_for()
        await form.locator("[data-test=submit]").click()
        await worker.locator("[data-test=outbox]", has_text="1 项").wait_for()
        assert keys == [] and await case_by_title(live_server, tokens["secretary"], title) == []

        offline = False
        await worker.context.set_offline(False)  # the network returns: sent, answer lost
        await asyncio.wait_for(lost.wait(), 15)
        assert len(await case_by_title(live_server, tokens["secretary"], title)) == 1
        await worker.locator("[data-test=outbox]").wait_for()  # still waiting on the phone

        await worker.context.set_offline(True)  # signal drops and comes back: the retry
        await worker.wait_for_timeout(200)
        await worker.context.set_offline(False)
        await worker.locator("[data-test=outbox]").wait_for(state="detached", timeout=15_000)
    assert len(keys) == 2 and keys[0] == keys[1] and uuid.UUID(keys[0]).version == 4
    assert "true" in replayed
    [case] = await case_by_title(live_server, tokens["secretary"], title)
    assert len(case["attachments"]) == 1 and case["node"]["path"] == spot["path"]
