"""The tenant wall in the real browser (Debian's chromium, driven by Playwright): commit-to-pixel
latency while cases are committed at 10 events a second, the page's JavaScript heap after
10,000 events against after the first 100, and the wall's JavaScript gzipped.

    eval "$(bash deploy/services.sh env)"; bash deploy/tools/build-web.sh
    .venv/bin/python bench/wall.py [--seconds 300] [--rate 10] [--heap-events 10000] [--heap-rate 40]

It works in its own database (redgrid_bench_wall, created, migrated and seeded with
`redgrid seed-demo` here) and starts `redgrid serve` on it with the dev identity, so the
browser logs in through the dev user picker as jinshui's secretary. The bench commits as the
simulator does (platform/root/simulate.py: the case services, one transaction an event, in a
process of its own, so the server's publisher picks the events up from the outbox as it does
a second replica's): at `--rate`, every other event a new case whose title carries its
number, the others the simulator's moves of open cases. Its commit time is taken right after
the commit; a MutationObserver in the page stamps the moment the case's line appears in the
feed (both epoch milliseconds of this machine's clock). Then, for the heap, it goes on to
`--heap-events` events at `--heap-rate` and reads the heap (CDP `Runtime.getHeapUsage`, after
a forced garbage collection) at 100 events and at the end.

There is no baseline measured in the same run: these are absolute figures against the goals
of the wall's issue (p99 <= 500 ms, heap growth <= 20 MB, JS <= 500 KB gzipped).
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from playwright.async_api import CDPSession, Page, async_playwright
from registers import fresh_database

ROOT = Path(__file__).resolve().parents[1]
DIST = ROOT / "web" / "dist"
CHROMIUM = "/usr/bin/chromium"
MARK = "墙面基准"
GOALS = {"p99_ms": 500.0, "heap_growth_mb": 20.0, "js_gzip_kb": 500.0}
# Stamps each feed line's first appearance: `seen[n]` for the title "墙面基准 #n".
OBSERVER = """() => {
  window.__seen = {};
  const feed = document.querySelector('[data-test=feed]');
  const stamp = () => {
    const at = performance.timeOrigin + performance.now();
    for (const title of feed.querySelectorAll('.title')) {
      const m = /#(\\d+)$/.exec(title.textContent || '');
      if (m && !(m[1] in window.__seen)) window.__seen[m[1]] = at;
    }
  };
  new MutationObserver(stamp).observe(feed, { childList: true, subtree: true, characterData: true });
}"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def js_gzip_kb() -> float:
    """The wall's JavaScript as a browser downloads it: every script of web/dist, gzipped."""
    scripts = list(DIST.rglob("*.js"))
    if not scripts:
        raise SystemExit("web/dist has no scripts: run bash deploy/tools/build-web.sh first")
    return sum(len(gzip.compress(p.read_bytes(), 9)) for p in scripts) / 1024


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
            if httpx.get(f"http://127.0.0.1:{port}/wall/", timeout=2).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    server.terminate()
    raise RuntimeError("the server did not come up")


async def heap_mb(cdp: CDPSession) -> float:
    await cdp.send("HeapProfiler.collectGarbage")
    usage = await cdp.send("Runtime.getHeapUsage")
    return float(usage["usedSize"]) / 1_000_000


class Committer:
    """Events through the case services, as `redgrid simulate` commits them."""

    def __init__(self) -> None:
        self.rng = random.Random(2026)
        self.commits: dict[int, float] = {}
        self.events = 0

    async def prepare(self) -> None:
        from redgrid.platform.database import tenant_transaction
        from redgrid.platform.models import Tenant
        from redgrid.platform.root.simulate import demo_actors
        from redgrid.tenants.cases.demo import Grid

        self.tenant = await Tenant.get(slug="jinshui")
        async with tenant_transaction(self.tenant.id):
            self.actors, _ = await demo_actors(self.tenant)
            self.grid = await Grid.load(self.tenant.id)

    async def one(self, measured: bool) -> None:
        from redgrid.platform.database import tenant_transaction
        from redgrid.tenants.cases import demo

        number = len(self.commits)
        async with tenant_transaction(self.tenant.id):
            if measured:
                await demo.report_one(self.actors, self.grid, self.rng, title=f"{MARK} #{number}")
            elif await demo.advance_one(self.actors, self.rng) is None:
                await demo.report_one(self.actors, self.grid, self.rng)
        if measured:
            self.commits[number] = time.time() * 1000
        self.events += 1

    async def run(self, events: int, rate: float) -> None:
        """`events` more events at `rate` a second, every other one measured."""
        start = time.monotonic()
        for i in range(events):
            await self.one(measured=self.events % 2 == 0)
            await asyncio.sleep(max(0.0, start + (i + 1) / rate - time.monotonic()))


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def open_wall(page: Page, url: str) -> None:
    await page.goto(f"{url}/wall/")
    await page.click("button[value=jinshui-secretary]")
    await page.wait_for_url(f"{url}/wall/")
    await page.locator("[data-test=live]", has_text="实时").wait_for(timeout=30_000)
    await page.evaluate(OBSERVER)


async def measure(args: argparse.Namespace, url: str) -> dict[str, Any]:
    committer = Committer()
    await committer.prepare()
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--enable-precise-memory-info"]
        )
        context = await browser.new_context(
            viewport={"width": 1920, "height": 1080}, locale="zh-CN", timezone_id="Asia/Shanghai"
        )
        page = await context.new_page()
        cdp = await context.new_cdp_session(page)
        await open_wall(page, url)
        await committer.run(100, args.rate)
        await asyncio.sleep(2)
        heap_first = await heap_mb(cdp)
        await committer.run(max(0, round(args.seconds * args.rate) - 100), args.rate)
        await asyncio.sleep(2)
        seen: dict[str, float] = await page.evaluate("() => window.__seen")
        latency = [seen[str(n)] - at for n, at in committer.commits.items() if str(n) in seen]
        missing = len(committer.commits) - len(latency)
        latency_events = committer.events
        heap_events_started = time.monotonic()
        await committer.run(max(0, args.heap_events - committer.events), args.heap_rate)
        heap_seconds = time.monotonic() - heap_events_started
        await asyncio.sleep(3)
        heap_last = await heap_mb(cdp)
        await browser.close()
    return {
        "latency": latency,
        "missing": missing,
        "latency_events": latency_events,
        "events": committer.events,
        "heap_seconds": heap_seconds,
        "heap_first": heap_first,
        "heap_last": heap_last,
    }


async def main(args: argparse.Namespace) -> None:
    owner_url, app_url = await fresh_database(
        os.environ["REDGRID_TEST_MIGRATION_DATABASE_URL"], os.environ["REDGRID_TEST_DATABASE_URL"], "redgrid_bench_wall"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("REDGRID_KEYCLOAK")}
    env |= {
        "REDGRID_DATABASE_URL": app_url,
        "REDGRID_MIGRATION_DATABASE_URL": owner_url,
        "REDGRID_ENV": "development",
        "REDGRID_LOG_LEVEL": "WARNING",
        "REDGRID_WEB_DIR": str(DIST),
        "REDGRID_LIMIT_RATE_USER": "1000000/minute",
        "REDGRID_LIMIT_RATE_COST": "1000000000/minute",
    }
    redgrid(env, "migrate")
    redgrid(env, "seed-demo")
    os.environ.update({k: v for k, v in env.items() if k.startswith("REDGRID_")})
    for name in [k for k in os.environ if k.startswith("REDGRID_KEYCLOAK")]:
        del os.environ[name]

    from redgrid.platform.database import close_database, init_database

    port = free_port()
    with tempfile.TemporaryDirectory() as workdir:
        server = start_server(env, port, workdir)
        await init_database(url=app_url)
        try:
            result = await measure(args, f"http://127.0.0.1:{port}")
        finally:
            await close_database()
            server.terminate()
            server.wait(30)
    report(args, result)


def report(args: argparse.Namespace, r: dict[str, Any]) -> None:
    latency: list[float] = r["latency"]
    p50, p99 = statistics.median(latency), percentile(latency, 0.99)
    growth = r["heap_last"] - r["heap_first"]
    js = js_gzip_kb()
    print(
        f"wall bench: {r['latency_events']} events at {args.rate:g}/s ({args.seconds:g} s), half of them new "
        f"cases timed commit → feed line in chromium; then up to {r['events']} events "
        f"({r['heap_seconds']:.0f} s at {args.heap_rate:g}/s) for the heap"
    )
    print(
        f"  commit-to-pixel   p50 {p50:7.1f} ms   p99 {p99:7.1f} ms   max {max(latency):7.1f} ms   "
        f"({len(latency)} cases, {r['missing']} never seen)   goal p99 <= {GOALS['p99_ms']:.0f} ms: "
        f"{'met' if p99 <= GOALS['p99_ms'] and not r['missing'] else 'MISSED'}"
    )
    print(
        f"  JS heap           {r['heap_first']:6.1f} MB after 100 events, {r['heap_last']:6.1f} MB after "
        f"{r['events']}: growth {growth:+.1f} MB   goal <= {GOALS['heap_growth_mb']:.0f} MB: "
        f"{'met' if growth <= GOALS['heap_growth_mb'] else 'MISSED'}"
    )
    print(
        f"  wall JavaScript   {js:6.1f} KB gzipped   goal <= {GOALS['js_gzip_kb']:.0f} KB: "
        f"{'met' if js <= GOALS['js_gzip_kb'] else 'MISSED'}"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=300, help="the latency phase (default 300: 5 minutes)")
    parser.add_argument("--rate", type=float, default=10, help="events a second in the latency phase (default 10)")
    parser.add_argument("--heap-events", type=int, default=10_000, help="events in all before the last heap reading")
    parser.add_argument("--heap-rate", type=float, default=40, help="events a second after the latency phase")
    asyncio.run(main(parser.parse_args()))
