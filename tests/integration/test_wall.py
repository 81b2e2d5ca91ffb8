"""The tenant wall in a real browser: Debian's chromium driven by Playwright, logged in through
Keycloak's own login page, live through the server's subscriptions (no polling)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import socket
import subprocess
import time
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from playwright.async_api import Locator, Page
from redis.asyncio import Redis

from redgrid.platform.database import tenant_transaction
from redgrid.tenants.grid.models import GridNode

from .browser import chromium_page, web_origin
from .cases_api import report
from .clients import gql_data
from .conftest import LiveServer, Street, free_port
from .grid_api import node_id

ADD_STATION = "mutation($input: AddServiceStationInput!) { addServiceStation(input: $input) { errors { code } } }"


def test_the_wall_is_served_with_caching_and_security_headers(live_server) -> None:
    index = httpx.get(f"{live_server.url}/wall/")
    assert index.status_code == 200, "web/dist is missing: deploy/test.sh builds web/ first"
    assert index.headers["cache-control"] == "no-cache"
    policy = index.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    keycloak = os.environ["REDGRID_KEYCLOAK_URL"].rstrip("/")
    assert f"connect-src 'self' {keycloak}" in policy  # the token endpoint, and nothing else outside
    assert index.headers["x-content-type-options"] == "nosniff"
    assert index.headers["x-frame-options"] == "DENY"
    script = next(part.split('"')[1] for part in index.text.split("src=")[1:] if part.startswith('"/wall/assets/'))
    asset = httpx.get(f"{live_server.url}{script}")
    assert asset.status_code == 200 and asset.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert "cdn" not in index.text.lower() and "https://" not in index.text
    config = httpx.get(f"{live_server.url}/wall/config.json").json()
    assert config == {"authority": f"{keycloak}/realms/redgrid", "clientId": "redgrid-web"}
    assert httpx.get(f"{live_server.url}/wall/assets/..%2Findex.html").status_code == 404


async def keycloak_login(page: Page, server_url: str, street: Street) -> None:
    """Open the wall: Keycloak's own login page as the street's secretary, then back to the
    wall with a code (PKCE)."""
    await page.goto(f"{server_url}/wall/")
    await page.wait_for_url(f"{os.environ['REDGRID_KEYCLOAK_URL'].rstrip('/')}/**")
    await page.fill("#username", street.username("secretary"))
    await page.fill("#password", street.password("secretary"))
    await page.click("#kc-login")
    await page.wait_for_url(f"{server_url}/wall/")


async def open_cases(page: Page) -> int:
    text = await page.locator("[data-test=figures] .tile").first.locator(".value").inner_text()
    return int(text)


@contextlib.asynccontextmanager
async def wall_of(server: LiveServer, street: Street) -> AsyncIterator[tuple[Page, Locator]]:
    """A wall on a server of a test's own (the realm's web client admitting its origin) in a
    browser of its own, logged in as the street's secretary and live; and its live indicator."""
    with web_origin(server.url):
        async with chromium_page() as page:
            await keycloak_login(page, server.url, street)
            live = page.locator("[data-test=live]")
            await live.filter(has_text="实时").wait_for(timeout=15_000)
            yield page, live


async def reported_and_seen(server: LiveServer, tokens: dict[str, str], page: Page, prefix: str) -> str:
    """Report a case titled `prefix` and a random suffix; its title, once the feed shows it (2 s)."""
    title = f"{prefix}{uuid.uuid4().hex[:6]}"
    await report(server, tokens, title=title)
    await page.locator("[data-test=feed] li", has_text=title).wait_for(timeout=2_000)
    return title


async def assert_caught_up(page: Page, before: str, during: str, after: str) -> None:
    """Every case once in the feed, newest first: nothing missed in the gap, nothing doubled."""
    for title in (before, during, after):
        assert await page.locator("[data-test=feed] li", has_text=title).count() == 1, title
    titles = await page.locator("[data-test=feed] li .title").all_inner_texts()
    assert titles.index(after) < titles.index(during) < titles.index(before)


async def test_a_reported_case_reaches_the_wall_within_two_seconds(
    live_server, tokens, street: Street, page: Page, shots: Path
) -> None:
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None)

    await keycloak_login(page, live_server.url, street)

    me = await gql_data(live_server, "{ me { tenant { name } } }", token=tokens["secretary"])
    tenant = me["me"]["tenant"]["name"]
    await page.locator("[data-test=tenant]", has_text=tenant).wait_for(timeout=10_000)
    await page.locator("[data-test=live]", has_text="实时").wait_for(timeout=15_000)
    await page.wait_for_function(
        "() => /^\\d+$/.test(document.querySelector('[data-test=figures] .tile .value').textContent.trim())"
    )
    open_before = await open_cases(page)
    await page.wait_for_function("() => document.querySelector('[data-test=trend]').dataset.today")
    reported_before = int((await page.locator("[data-test=trend]").get_attribute("data-today") or "").split(":")[1])

    title = f"墙面测试{uuid.uuid4().hex[:6]}"
    started = time.monotonic()
    case = await report(live_server, tokens, title=title)
    await page.locator("[data-test=feed] li", has_text=title).wait_for(timeout=2_000)
    feed_seconds = time.monotonic() - started
    line = await page.locator("[data-test=feed] li").first.inner_text()
    assert title in line and case["number"] in line and "已上报" in line
    assert feed_seconds <= 2.0

    # The 30-day trend: today's point moves with the case event, then the figures' exact count.
    trend = page.locator("[data-test=trend]")
    assert await trend.get_attribute("data-days") == "30"
    await page.wait_for_function(
        "n => Number(document.querySelector('[data-test=trend]').dataset.today.split(':')[1]) > n",
        arg=reported_before,
        timeout=2_000,
    )
    lines = await page.evaluate(
        "() => document.querySelector('[data-test=trend] .chart').chart.getOption().series"
        ".map(s => [s.type, s.name, s.data.length, s.data.at(-1)])"
    )
    today = (await trend.get_attribute("data-today") or "").split(":")
    assert lines == [
        ["line", "上报", 30, int(today[1])],
        ["line", "办结", 30, int(today[2])],
        ["line", "超期", 30, int(today[3])],
    ], lines
    # The figures move through the FIGURES stream (the server's figures job), not by polling.
    await page.wait_for_function(
        "n => Number(document.querySelector('[data-test=figures] .tile .value').textContent) > n",
        arg=open_before,
        timeout=5_000,
    )
    tiles = await page.locator("[data-test=figures] .tile .value").all_inner_texts()
    await page.wait_for_function(
        "n => document.querySelector('[data-test=trend]').dataset.today.split(':')[1] === n", arg=tiles[2]
    )  # today's point is the figures' reportedToday again
    # Laid out for 1920x1080, scaling to 3840x2160: exactly one screen, nothing cut off or scrolling.
    for width, height, name in ((1920, 1080, "wall.png"), (3840, 2160, "wall-4k.png")):
        await page.set_viewport_size({"width": width, "height": height})
        size = "() => [document.documentElement.scrollWidth, document.documentElement.scrollHeight]"
        assert await page.evaluate(size) == [width, height]
        assert await page.locator("[data-test=feed] li", has_text=title).is_visible()
        await page.screenshot(path=str(shots / name))
        assert (shots / name).stat().st_size > 10_000
    # A grid change (a station on a level-3 node, where the demo has none) redraws coverage
    # (debounced after the GRID event: a reaction, not the 2 s goal, so a wider wait).
    coverage = page.locator("section.coverage")
    shares = await coverage.get_attribute("data-station-shares")
    assert shares is not None and shares.split(",")[2] == "0"
    added = await gql_data(
        live_server,
        ADD_STATION,
        {
            "input": {
                "nodeId": await node_id(live_server, tokens["secretary"], "JS01.A1.B03"),
                "name": "墙面测试服务点",
                "kind": "POINT",
            }
        },
        tokens["secretary"],
    )
    assert added["addServiceStation"]["errors"] == []
    await page.wait_for_function(
        "() => document.querySelector('section.coverage').dataset.stationShares.split(',')[2] !== '0'",
        timeout=10_000,
    )
    assert problems == [], problems  # no script error, no Content-Security-Policy violation

    # Logout ends the Keycloak session and comes back to the wall, which asks for a login again.
    await page.click("text=退出")
    await page.locator("#username").wait_for(timeout=10_000)
    assert page.url.startswith(os.environ["REDGRID_KEYCLOAK_URL"].rstrip("/"))


async def test_after_a_restart_the_wall_shows_stale_then_catches_up_exactly(
    fresh_database, live_server, tokens, street: Street
) -> None:
    """A wall on its own server; that server stops, a case is reported through another replica
    meanwhile, and the server comes back on the same port: the wall says so, then resubscribes
    `after` its last seq and shows every case once."""
    server = LiveServer(fresh_database)
    try:
        server.wait_ready()
        async with wall_of(server, street) as (page, live):
            before = await reported_and_seen(live_server, tokens, page, "重启前")
            server.stop()
            await live.filter(has_text="连接中断").wait_for(timeout=5_000)
            during = f"停机中{uuid.uuid4().hex[:6]}"
            await report(live_server, tokens, title=during)

            server = LiveServer(fresh_database, port=server.port)
            server.wait_ready()
            await page.locator("[data-test=feed] li", has_text=during).wait_for(timeout=20_000)
            await live.filter(has_text="实时").wait_for(timeout=15_000)
            after = await reported_and_seen(live_server, tokens, page, "重启后")
            await assert_caught_up(page, before, during, after)
    finally:
        server.stop()


async def test_after_a_network_cut_the_wall_shows_stale_then_catches_up_exactly(
    live_server, tokens, street: Street, page: Page
) -> None:
    """The browser goes offline (its socket's frames stop both ways); cases are reported
    meanwhile; back online, the wall resubscribes `after` its last seq or gets the frames held
    back, and shows every case once."""
    await keycloak_login(page, live_server.url, street)
    live = page.locator("[data-test=live]")
    await live.filter(has_text="实时").wait_for(timeout=15_000)
    before = await reported_and_seen(live_server, tokens, page, "断网前")

    await page.context.set_offline(True)
    during = f"断网中{uuid.uuid4().hex[:6]}"
    await report(live_server, tokens, title=during)
    await live.filter(has_text="连接中断").wait_for(timeout=15_000)  # no heartbeat for two intervals
    assert await page.locator("[data-test=feed] li", has_text=during).count() == 0

    await page.context.set_offline(False)
    await page.locator("[data-test=feed] li", has_text=during).wait_for(timeout=15_000)
    await live.filter(has_text="实时").wait_for(timeout=15_000)
    after = await reported_and_seen(live_server, tokens, page, "断网后")
    await assert_caught_up(page, before, during, after)


class OwnRedis:
    """A Redis of one test's own on a free port (Debian's redis-server, which deploy/services.sh
    installs), which the test may stop and start again: the suite's shared Redis is never touched.
    Nothing is persisted, so a restart forgets every group and key, as a crashed Redis does."""

    def __init__(self, folder: Path) -> None:
        binary = shutil.which("redis-server")
        assert binary, "redis-server is missing: deploy/services.sh installs Debian's package"
        self.binary, self.folder, self.port = binary, folder, free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        args = ["--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        self.process = subprocess.Popen([self.binary, *args, "--dir", str(self.folder)], stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                s.sendall(b"PING\r\n")
                if s.recv(16).startswith(b"+PONG"):
                    return
            time.sleep(0.1)
        raise AssertionError("the test's own redis-server did not start")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


async def test_through_a_redis_restart_the_wall_stays_exactly_right(
    fresh_database, tokens, street: Street, tmp_path: Path
) -> None:
    """A wall on a server of its own whose Redis (its own too) stops while a case is reported
    through that server, and starts again empty. The socket never drops and the server's hub
    reads what the channel layer cannot bring from the event log (every
    REDGRID_HUB_CATCH_UP_SECONDS), so the wall is not stale: the case arrives during the
    outage, the hub rejoins its groups on the new Redis and events come live again, each once."""
    redis = OwnRedis(tmp_path)
    redis.start()
    # Its hub reads the log every second while Redis is away (5 s by default): a shorter test.
    server = LiveServer({**fresh_database, "REDGRID_REDIS_URL": redis.url, "REDGRID_HUB_CATCH_UP_SECONDS": "1"})
    try:
        server.wait_ready()
        async with wall_of(server, street) as (page, live):
            await page.evaluate(
                "() => { window.liveSeen = []; const el = document.querySelector('[data-test=live]');"
                " new MutationObserver(() => window.liveSeen.push(el.textContent))"
                ".observe(el, { childList: true, characterData: true, subtree: true }); }"
            )
            before = await reported_and_seen(server, tokens, page, "缓存前")
            redis.stop()
            during = f"缓存停{uuid.uuid4().hex[:6]}"
            await report(server, tokens, title=during)  # sequenced in the log, not sent
            await page.locator("[data-test=feed] li", has_text=during).wait_for(timeout=15_000)

            redis.start()  # empty: no groups, nothing of before
            probe = f"缓存探{uuid.uuid4().hex[:6]}"
            await report(server, tokens, title=probe)  # through the log or the rejoined groups
            await page.locator("[data-test=feed] li", has_text=probe).wait_for(timeout=15_000)
            client = Redis.from_url(redis.url)
            try:  # the hub joins its topics' groups again on the new Redis (the probe may come by the log first)
                for _ in range(100):
                    if await client.keys("redgrid:group:*"):
                        break
                    await asyncio.sleep(0.1)
                assert await client.keys("redgrid:group:*"), "the hub did not rejoin its groups within 10 s"
            finally:
                await client.aclose()
            after = await reported_and_seen(server, tokens, page, "缓存后")  # live again: within 2 s
            await assert_caught_up(page, before, during, after)
            assert await page.locator("[data-test=feed] li", has_text=probe).count() == 1
            assert await page.evaluate("() => window.liveSeen") == [], "the wall went stale"
    finally:
        server.stop()
        redis.stop()


async def test_a_grid_without_boundaries_is_drawn_as_a_treemap(live_server, street: Street, page: Page, db) -> None:
    """The map falls back to a treemap when no cell of the level drawn has a boundary: the
    chart's own option holds a treemap series of every cell, and no geo map. (The street's
    buildings lose their boundaries in the database for the test, and get them back after.)"""
    async with tenant_transaction(street.tenant.id):
        buildings = GridNode.filter(tenant_id=street.tenant.id, level=3)
        shapes = dict(await buildings.values_list("id", "boundary"))
        assert len(shapes) == 30 and all(shapes.values())
        await buildings.update(boundary=None)
    try:
        await keycloak_login(page, live_server.url, street)
        await page.locator("[data-test=live]", has_text="实时").wait_for(timeout=15_000)
        await page.wait_for_function(
            "() => document.querySelector('[data-test=map]').dataset.cells.split(',').length === 30"
        )
        drawn = "() => document.querySelector('[data-test=map] .chart').chart.getOption()"
        await page.wait_for_function(f"() => ({drawn})().series[0].type === 'treemap'", timeout=5_000)
        option = await page.evaluate(
            f"() => {{ const o = ({drawn})(); return {{ series: o.series.map(s => [s.type, s.data.length]),"
            f" geo: (o.geo || []).length, names: o.series[0].data.map(d => d.name) }} }}"
        )
        assert option["series"] == [["treemap", 30]] and option["geo"] == 0, option
        assert len(set(option["names"])) == 30
        assert await page.locator("[data-test=map] canvas").count() == 1
    finally:
        async with tenant_transaction(street.tenant.id):
            for node, boundary in shapes.items():
                await GridNode.filter(id=node).update(boundary=boundary)


DUTY = "{ onDutyNow(first: 12) { edges { node { id } } totalCount } keyFigures { reportedToday closureRate30Days } }"
CREATE_SHIFT = (
    "mutation($input: CreateDutyShiftInput!) { createDutyShift(input: $input) { shift { id } errors { code } } }"
)
MY_SHIFTS = "query($filter: DutyShiftFilter) { dutyShifts(filter: $filter) { edges { node { id state } } } }"
CHECK_IN = "mutation($input: ShiftMarkInput!) { checkIn(input: $input) { shift { id } errors { code } } }"


async def test_the_wall_maps_the_grid_counts_down_and_lists_who_is_on_duty(
    live_server, tokens, street: Street, page: Page, shots: Path
) -> None:
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    await keycloak_login(page, live_server.url, street)
    await page.locator("[data-test=live]", has_text="实时").wait_for(timeout=15_000)
    grid_map = page.locator("[data-test=map]")
    await page.wait_for_function(
        "() => document.querySelector('[data-test=map]').dataset.cells.split(',').length === 30"
    )
    assert await grid_map.get_attribute("data-level") == "3"  # Jinshui's buildings, drawn from their boundaries
    assert await grid_map.locator("canvas").count() == 1

    def open_in(cells: str, path: str) -> int:
        return next(int(cell.split(":")[1]) for cell in cells.split(",") if cell.startswith(f"{path}:"))

    before = open_in(await grid_map.get_attribute("data-cells") or "", "JS01.A1.B03")
    title = f"地图测试{uuid.uuid4().hex[:6]}"
    await report(live_server, tokens, title=title, path="JS01.A1.B03")
    # The new case pins its building and colours it, through the CASES stream.
    await page.wait_for_function(
        "() => document.querySelector('[data-test=map]').dataset.pins.split(',').includes('JS01.A1.B03')",
        timeout=10_000,
    )
    await page.wait_for_function(
        "n => document.querySelector('[data-test=map]').dataset.cells.split(',')"
        ".some(c => c.startsWith('JS01.A1.B03:') && Number(c.split(':')[1]) > n)",
        arg=before,
        timeout=5_000,
    )
    # Its SLA countdown to the first deadline (being on the scene, minutes away), counting down.
    line = page.locator("[data-test=feed] li", has_text=title)
    countdown = line.locator("[data-test=countdown]")
    await page.wait_for_function(
        "t => [...document.querySelectorAll('[data-test=feed] li')].some(li => li.textContent.includes(t)"
        " && /^\\d\\d:\\d\\d$/.test(li.querySelector('[data-test=countdown]').textContent.trim()))",
        arg=title,
        timeout=10_000,
    )
    first = await countdown.inner_text()
    assert "00:00" < first <= "59:59", first
    await page.wait_for_timeout(1_500)
    assert await countdown.inner_text() < first  # it ticks
    # Who is on duty: a worker checking in appears in the list (his roster change raises new
    # figures, whose event reloads it), the same people as the query.
    now = datetime.now(UTC)
    window = {"mine": True, "startsBefore": now.isoformat(), "endsAfter": now.isoformat()}
    his = await gql_data(live_server, MY_SHIFTS, {"filter": window}, tokens["grid-worker"])
    shifts = [e["node"] for e in his["dutyShifts"]["edges"]]
    if not shifts:  # the demo plans today's shifts by the clock; make one under way
        shift = {
            "nodeId": await node_id(live_server, tokens["secretary"], "JS01.A1.B03"),
            "username": street.username("grid-worker"),
            "startsAt": (now - timedelta(minutes=5)).isoformat(),
            "endsAt": (now + timedelta(hours=1)).isoformat(),
        }
        made = (await gql_data(live_server, CREATE_SHIFT, {"input": shift}, tokens["secretary"]))["createDutyShift"]
        assert made["errors"] == [], made
        shifts = [{**made["shift"], "state": "PLANNED"}]
    if shifts[0]["state"] != "ON_DUTY":
        checked = await gql_data(live_server, CHECK_IN, {"input": {"shiftId": shifts[0]["id"]}}, tokens["grid-worker"])
        assert checked["checkIn"]["errors"] == [], checked
    await page.locator(f"[data-test=duty] li[data-username={street.username('grid-worker')}]").wait_for(timeout=5_000)
    data = await gql_data(live_server, DUTY, token=tokens["secretary"])
    await page.wait_for_function(
        "n => document.querySelectorAll('[data-test=duty] li').length === n",
        arg=len(data["onDutyNow"]["edges"]),
        timeout=5_000,
    )
    tiles = dict(
        zip(
            await page.locator("[data-test=figures] .tile .label").all_inner_texts(),
            await page.locator("[data-test=figures] .tile .value").all_inner_texts(),
            strict=True,
        )
    )
    assert int(tiles["今日上报"]) >= 1, tiles
    # Of the cases due in the last 30 days (docs/indicators.md): none may be due yet in a new street.
    rate = tiles["办结率(30天)"]
    assert rate.endswith("%") if data["keyFigures"]["closureRate30Days"] is not None else rate == "—", tiles
    assert tiles["在岗人员"] == str(data["onDutyNow"]["totalCount"])
    size = "() => [document.documentElement.scrollWidth, document.documentElement.scrollHeight]"
    assert await page.evaluate(size) == [1920, 1080]
    await page.screenshot(path=str(shots / "wall-map.png"))
    assert problems == [], problems
