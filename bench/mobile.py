"""The phones' app in the real browser (Debian's chromium, driven by Playwright): a cold load
of /m/ to an interactive task list under emulated slow 4G, and the JavaScript that load needs,
gzipped.

    eval "$(bash deploy/services.sh env)"; bash deploy/tools/build-web.sh
    .venv/bin/python bench/mobile.py [--runs 5]

It works in its own database (redgrid_bench_mobile, created, migrated and seeded with
`redgrid seed-demo` here) and starts `redgrid serve` on it with the dev identity. The browser
logs in once through the dev user picker as jinshui's grid worker; every run then opens /m/
in a new context (an empty HTTP cache, no service worker: a cold load) holding only what that
first visit left in the phone's storage (the login and the last answer to `me`, which the app
keeps to start without a round trip), at 390x844, with the network throttled through the DevTools protocol
(`Network.emulateNetworkConditions`) to Chrome DevTools' "Slow 4G": 562.5 ms round trip,
1.47 Mbit/s down, 675 kbit/s up. A run ends when the task list has loaded
(`[data-test=tasks][data-loaded=true]`, stamped in the page by a MutationObserver, counted
from the navigation's start). The median of the runs is the figure.

The JavaScript is what the runs fetched (every script response), gzipped here at level 9 as a
server or proxy would send it. There is no baseline measured in the same run: these are
absolute figures against the goals of the mobile issue (<= 3 s; <= 200 KB gzipped).
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from playwright.async_api import Browser, async_playwright
from registers import fresh_database

ROOT = Path(__file__).resolve().parents[1]
DIST = ROOT / "web" / "dist"
CHROMIUM = "/usr/bin/chromium"
USER = "jinshui-grid-worker"
GOALS = {"load_s": 3.0, "js_gzip_kb": 200.0}
SLOW_4G = {"offline": False, "latency": 562.5, "downloadThroughput": 1.4746e6 / 8, "uploadThroughput": 675e3 / 8}
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "locale": "zh-CN"}
# Stamps the moment the task list has loaded, from the navigation's start.
STAMP = """(() => {
  const seen = () => {
    if (document.querySelector('[data-test=tasks][data-loaded=true]') && !window.__interactive) {
      window.__interactive = performance.now();
    }
  };
  new MutationObserver(seen).observe(document, { childList: true, subtree: true, attributes: true });
})()"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def redgrid(env: dict[str, str], *args: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "redgrid.platform.root.cli", *args],
        env=env,
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def start_server(env: dict[str, str], port: int, workdir: str) -> subprocess.Popen[bytes]:
    server = subprocess.Popen(
        [sys.executable, "-m", "redgrid.platform.root.cli", "serve", "--port", str(port)],
        env=env,
        cwd=workdir,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/m/", timeout=2).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    server.terminate()
    raise RuntimeError("the server did not come up")


async def login(browser: Browser, url: str) -> Any:
    """The storage of a context logged in to /m/ (the token in localStorage)."""
    context = await browser.new_context(**PHONE)
    page = await context.new_page()
    await page.goto(f"{url}/m/")
    await page.click(f"button[value={USER}]")
    await page.locator("[data-test=tasks][data-loaded=true]").wait_for(timeout=60_000)
    state = await context.storage_state()
    await context.close()
    return state


async def cold_load(browser: Browser, url: str, state: Any) -> tuple[float, dict[str, bytes], int]:
    """One cold load: seconds to the loaded task list, the scripts fetched, the tasks shown."""
    context = await browser.new_context(**PHONE, storage_state=state, service_workers="block")
    page = await context.new_page()
    scripts: dict[str, bytes] = {}

    async def keep(response: Any) -> None:
        if response.request.resource_type == "script" and response.ok:
            scripts[response.url] = await response.body()

    page.on("response", keep)
    cdp = await context.new_cdp_session(page)
    await cdp.send("Network.enable")
    await cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    await cdp.send("Network.emulateNetworkConditions", SLOW_4G)
    await page.add_init_script(STAMP)
    await page.goto(f"{url}/m/tasks", wait_until="commit")
    await page.wait_for_function("() => window.__interactive", timeout=60_000, polling=50)
    seconds = float(await page.evaluate("() => window.__interactive")) / 1000
    tasks = await page.locator("[data-test=tasks] [data-case]").count()
    await asyncio.sleep(0.5)  # the last responses' bodies
    await context.close()
    return seconds, scripts, tasks


async def measure(runs: int, url: str) -> dict[str, Any]:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        state = await login(browser, url)
        loads: list[float] = []
        scripts: dict[str, bytes] = {}
        tasks = 0
        for _ in range(runs):
            seconds, fetched, tasks = await cold_load(browser, url, state)
            loads.append(seconds)
            scripts.update(fetched)
        await browser.close()
    return {"loads": loads, "scripts": scripts, "tasks": tasks}


async def main(args: argparse.Namespace) -> None:
    owner_url, app_url = await fresh_database(
        os.environ["REDGRID_TEST_MIGRATION_DATABASE_URL"],
        os.environ["REDGRID_TEST_DATABASE_URL"],
        "redgrid_bench_mobile",
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("REDGRID_KEYCLOAK")}
    env |= {
        "REDGRID_DATABASE_URL": app_url,
        "REDGRID_MIGRATION_DATABASE_URL": owner_url,
        "REDGRID_ENV": "development",
        "REDGRID_LOG_LEVEL": "WARNING",
        "REDGRID_WEB_DIR": str(DIST),
    }
    redgrid(env, "migrate")
    redgrid(env, "seed-demo")
    port = free_port()
    with tempfile.TemporaryDirectory() as workdir:
        server = start_server(env, port, workdir)
        try:
            result = await measure(args.runs, f"http://127.0.0.1:{port}")
        finally:
            server.terminate()
            server.wait(30)
    report(args, result)


def report(args: argparse.Namespace, r: dict[str, Any]) -> None:
    loads: list[float] = r["loads"]
    median = statistics.median(loads)
    scripts: dict[str, bytes] = r["scripts"]
    js = sum(len(gzip.compress(body, 9)) for body in scripts.values()) / 1024
    raw = sum(len(body) for body in scripts.values()) / 1024
    print(
        f"mobile bench: {args.runs} cold loads of /m/ as {USER} (390x844, Slow 4G: "
        f"{SLOW_4G['latency']:g} ms RTT, 1.47 Mbit/s down) to the loaded task list ({r['tasks']} tasks)"
    )
    print(
        f"  cold load         median {median:5.2f} s   runs {', '.join(f'{s:.2f}' for s in loads)}   "
        f"goal <= {GOALS['load_s']:g} s: {'met' if median <= GOALS['load_s'] else 'MISSED'}"
    )
    print(
        f"  initial JS        {js:6.1f} KB gzipped ({raw:.1f} KB raw, {len(scripts)} scripts)   "
        f"goal <= {GOALS['js_gzip_kb']:.0f} KB: {'met' if js <= GOALS['js_gzip_kb'] else 'MISSED'}"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5, help="cold loads; the median is the figure (default 5)")
    asyncio.run(main(parser.parse_args()))
