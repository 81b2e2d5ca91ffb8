"""The district wall in a real browser, and the `districtFigures` subscription behind it: a
district admin sees every street of his district side by side and live, nothing of another
district; nobody else may follow a district's figures."""

from __future__ import annotations

import asyncio
import json
import os
import uuid
from pathlib import Path

import pytest
from playwright.async_api import Page
from websockets.asyncio.client import connect

from .cases_api import report
from .clients import gql_data, password_token


@pytest.fixture(scope="module")
def tokens(demo_tokens: dict[str, str]) -> dict[str, str]:
    """This module works on the demo district's wall, its streets Jinshui and Hushu side by side,
    not in a street of its own."""
    return demo_tokens


STREETS = "{ districtOverview { streets { tenant { slug name } figures { openCases } } } }"
DISTRICT_FIGURES = (
    "subscription($slug: String) { districtFigures(slug: $slug) { seq tenant { slug } figures { openCases } } }"
)


async def district_messages(server, token: str, slug: str | None, until: float) -> list[dict]:
    """Subscribe to `districtFigures` and collect what comes (data or errors) for `until` seconds."""
    messages: list[dict] = []
    async with connect(server.ws_url, subprotocols=["graphql-transport-ws"]) as ws:  # type: ignore[list-item]
        await ws.send(json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}}))
        assert json.loads(await ws.recv())["type"] == "connection_ack"
        query = {"query": DISTRICT_FIGURES, "variables": {"slug": slug}}
        await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": query}))
        loop = asyncio.get_running_loop()
        deadline = loop.time() + until
        while (left := deadline - loop.time()) > 0:
            try:
                message = json.loads(await asyncio.wait_for(ws.recv(), left))
            except TimeoutError:
                break
            if message["type"] in ("next", "error"):
                messages.append(message["payload"])
            if message["type"] in ("error", "complete"):
                break
    return messages


async def test_a_district_admin_follows_his_streets_figures_and_nobody_else_does(
    live_server,
    tokens,
    other_district,
) -> None:
    admin = password_token("jiangning-district-admin")

    async def follow(token: str, slug: str | None = None) -> list[dict]:
        return await district_messages(live_server, token, slug, until=12)

    # The district admin hears Jinshui's figures move when a case is reported there.
    listening = asyncio.create_task(follow(admin))
    await asyncio.sleep(1.0)
    await report(live_server, tokens, title=f"区墙订阅{uuid.uuid4().hex[:6]}")
    messages = await listening
    heard = [m["data"]["districtFigures"] for m in messages if m.get("data")]
    assert any(e["tenant"]["slug"] == "jinshui" and e["figures"]["openCases"] >= 1 for e in heard), messages
    assert {e["tenant"]["slug"] for e in heard} <= {"jinshui", "hushu"} | {
        s["tenant"]["slug"] for s in (await gql_data(live_server, STREETS, token=admin))["districtOverview"]["streets"]
    }

    # Another district's admin hears nothing of Jiangning, and may not ask for it.
    quiet = asyncio.create_task(district_messages(live_server, other_district["token"], None, until=8))
    await asyncio.sleep(1.0)
    await report(live_server, tokens, title=f"区墙隔离{uuid.uuid4().hex[:6]}")
    assert [m for m in await quiet if m.get("data")] == []
    refused = await district_messages(live_server, other_district["token"], "jiangning", until=5)
    assert refused and "FORBIDDEN" in str(refused) and "jinshui" not in str(refused)
    # A street's secretary has no district wall.
    refused = await district_messages(live_server, tokens["secretary"], None, until=5)
    assert refused and "FORBIDDEN" in str(refused)


# What scales with the screen: the title's and the table's text, the ranking chart's canvas and
# its legend's font; and every element the page lays out that reaches outside the viewport.
MEASURE = """() => ({
  h1: parseFloat(getComputedStyle(document.querySelector('h1')).fontSize),
  cell: parseFloat(getComputedStyle(document.querySelector('[data-test=streets] td')).fontSize),
  canvas: document.querySelector('section.ranking canvas').getBoundingClientRect().width,
  legend: document.querySelector('section.ranking .chart').chart.getOption().legend[0].textStyle.fontSize,
  outside: [...document.querySelectorAll('main, main *')].filter((e) => {
    const r = e.getBoundingClientRect();
    return r.width > 0 && (r.left < 0 || r.top < 0 || r.right > innerWidth + 0.5 || r.bottom > innerHeight + 0.5);
  }).map((e) => `${e.tagName}.${e.className}`),
})"""


async def test_the_district_wall_shows_every_street_of_jiangning_live(
    live_server,
    tokens,
    other_district,
    page: Page,
    shots: Path,
) -> None:
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))

    await page.goto(f"{live_server.url}/wall/district")
    await page.wait_for_url(f"{os.environ['REDGRID_KEYCLOAK_URL'].rstrip('/')}/**")
    await page.fill("#username", "jiangning-district-admin")
    await page.fill("#password", "redgrid-demo")
    await page.click("#kc-login")
    await page.wait_for_url(f"{live_server.url}/wall/district", timeout=15_000)
    await page.locator("[data-test=district]", has_text="江宁").wait_for(timeout=10_000)
    await page.locator("[data-test=live]", has_text="实时").wait_for(timeout=15_000)

    overview = await gql_data(live_server, STREETS, token=password_token("jiangning-district-admin"))
    streets = {s["tenant"]["slug"]: s["tenant"]["name"] for s in overview["districtOverview"]["streets"]}
    assert {"jinshui", "hushu"} <= set(streets)
    rows = page.locator("[data-test=streets] tbody tr")
    await page.wait_for_function(
        "n => document.querySelectorAll('[data-test=streets] tbody tr').length === n", arg=len(streets)
    )
    shown = {await row.get_attribute("data-slug"): await row.locator(".name").inner_text() for row in await rows.all()}
    assert shown == streets  # every street of Jiangning, by name ...
    text = await page.locator("main").inner_text()
    assert other_district["tenant"] not in str(shown) and "永阳街道" not in text  # ... nothing of another district
    # Ranked: overdue cases never go up down the table.
    overdue = [int(t) for t in await page.locator("[data-test=streets] [data-test=overdue]").all_inner_texts()]
    assert overdue == sorted(overdue, reverse=True)

    # A case reported in Jinshui reaches its row through the street's figures event.
    jinshui = page.locator("[data-test=streets] tr[data-slug=jinshui] [data-test=open]")
    before = int(await jinshui.inner_text())
    await report(live_server, tokens, title=f"区墙测试{uuid.uuid4().hex[:6]}")
    await page.wait_for_function(
        "n => Number(document.querySelector('tr[data-slug=jinshui] [data-test=open]').textContent) > n",
        arg=before,
        timeout=10_000,
    )
    size = "() => [document.documentElement.scrollWidth, document.documentElement.scrollHeight]"
    assert await page.evaluate(size) == [1920, 1080]
    await page.screenshot(path=str(shots / "district-wall.png"))
    assert (shots / "district-wall.png").stat().st_size > 10_000

    # Scaled to 3840x2160: still exactly one screen, no element outside it, text and chart twice the size.
    small = await page.evaluate(MEASURE)
    await page.set_viewport_size({"width": 3840, "height": 2160})
    await page.wait_for_function(
        "w => document.querySelector('section.ranking canvas').getBoundingClientRect().width > 1.9 * w",
        arg=small["canvas"],
        timeout=5_000,
    )
    large = await page.evaluate(MEASURE)
    assert await page.evaluate(size) == [3840, 2160]
    assert small["outside"] == [] and large["outside"] == [], (small["outside"], large["outside"])
    assert large["h1"] == pytest.approx(2 * small["h1"], rel=0.02)
    assert large["cell"] == pytest.approx(2 * small["cell"], rel=0.02)
    assert large["legend"] == 2 * small["legend"]
    await page.screenshot(path=str(shots / "district-wall-4k.png"))
    assert (shots / "district-wall-4k.png").stat().st_size > 20_000
    assert problems == [], problems
