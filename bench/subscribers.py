"""Websocket fan-out benchmark: N graphql-transport-ws subscribers of `events(area: GRID)` on
one RedGrid server process, events committed at a steady rate, against a bare websocket
broadcast server (the same clients, the same rate) measured in the same run.

    .venv/bin/python bench/subscribers.py --clients 1000 10000 --events 20 --rate 1

Prints, per N and server: subscribers held, p50/p99 delivery latency (commit → client),
events lost, and server memory per idle subscriber (RSS growth / N). Runs the server with
its embedded defaults (SQLite, in-memory channel layer, dev identity) unless --services is
given, in which case it uses the REDGRID_* environment of deploy/services.sh (PostgreSQL,
Redis, Keycloak tokens are still dev tokens: the server runs in development mode).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from websockets.asyncio.client import connect

ROOT = Path(__file__).resolve().parents[1]
CLIENT_PROCESSES = 4
HANDSHAKES_IN_FLIGHT = 64  # per client process
QUERY = "subscription { events(area: GRID) { seq payload } }"
BENCH_MUTATION = 'mutation($code: String!) { createGridNode(input: {code: $code, name: "bench"}) { errors { code } } }'


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Result:
    held: int = 0
    latencies_ms: list[float] = field(default_factory=list)
    lost: int = 0
    subscribed_s: float = 0.0  # from the first connection to every subscription live


# ---- clients: run in child processes so that the measuring side is not one core -----------

async def _subscribe(url: str, token: str | None, protocol: str) -> Any:
    ws = await connect(url, subprotocols=[protocol] if protocol else None, max_queue=64,  # type: ignore[list-item]
                       open_timeout=300, ping_interval=None, compression=None)
    if protocol:
        await ws.send(json.dumps({"type": "connection_init", "payload": {"token": token}}))
        ack = json.loads(await ws.recv())
        if ack.get("type") != "connection_ack":
            raise RuntimeError(f"no connection_ack: {ack}")
        await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": QUERY}}))
    return ws


async def _client(url: str, token: str | None, protocol: str, expected: int, ready: asyncio.Event,
                  handshakes: asyncio.Semaphore, counter: list[int], n: int, latencies: list[float],
                  received: list[int]) -> None:
    """counter: [subscribed, settled (subscribed or failed before)]; `ready` once all settled."""
    def settle(subscribed: bool) -> None:
        counter[0] += subscribed
        counter[1] += 1
        if counter[1] == n:
            ready.set()

    try:
        async with handshakes:
            ws = await _subscribe(url, token, protocol)
    except BaseException:
        settle(False)
        raise
    settle(True)
    async with ws:
        got = 0
        while got < expected:
            try:
                # Until the first event the others may still be subscribing: wait long.
                raw = await asyncio.wait_for(ws.recv(), timeout=30 if got else 900)
            except TimeoutError:
                break
            now = time.time()
            message = json.loads(raw)
            if protocol:
                if message.get("type") != "next":
                    continue
                code = message["payload"]["data"]["events"]["payload"].get("code", "")
                if not code.startswith("BENCH"):
                    continue  # the demo grid's own events, still being published after seeding
                sent = int(code.split("-")[1]) / 1000
            else:
                sent = message["sentAt"]
            latencies.append((now - sent) * 1000)
            got += 1
        received.append(got)


async def _clients_main(url: str, token: str | None, protocol: str, n: int, expected: int) -> None:
    ready = asyncio.Event()
    # Clients that come back after a restart spread out (backoff with jitter); a bounded number
    # of handshakes in flight per process stands for that, so the accept queue never overflows.
    handshakes = asyncio.Semaphore(HANDSHAKES_IN_FLIGHT)
    counter, latencies, received = [0, 0], [], []
    tasks = []
    for i in range(n):
        tasks.append(asyncio.create_task(_client(url, token, protocol, expected, ready, handshakes,
                                                 counter, n, latencies, received)))
    await asyncio.wait_for(ready.wait(), timeout=600)
    print(json.dumps({"ready": counter[0]}), flush=True)
    outcomes = await asyncio.gather(*tasks, return_exceptions=True)
    failures = [f"{type(o).__name__}: {o}" for o in outcomes if isinstance(o, BaseException)]
    received += [0] * len(failures)  # a client that failed received nothing more: count it lost
    print(json.dumps({"latencies": latencies, "received": received, "failures": failures[:3]}), flush=True)


# ---- servers -------------------------------------------------------------------------------

BARE_SERVER = r'''
import asyncio, json, sys, time
from websockets.asyncio.server import serve, broadcast
clients = set()
async def handler(ws):
    if ws.request.path == "/publish":
        async for _ in ws:
            broadcast(clients, json.dumps({"sentAt": time.time()}))
        return
    clients.add(ws)
    try:
        await ws.wait_closed()
    finally:
        clients.discard(ws)
async def main():
    async with serve(handler, "127.0.0.1", int(sys.argv[1]), max_queue=16, ping_interval=None):
        print("ready", flush=True)
        await asyncio.Future()
asyncio.run(main())
'''


def start_redgrid(port: int, services: bool, data_dir: str) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if services or not k.startswith("REDGRID_")}
    env |= {"REDGRID_DATA_DIR": data_dir, "REDGRID_LOG_LEVEL": "WARNING", "REDGRID_ENV": "development"}
    env.pop("REDGRID_KEYCLOAK_URL", None)  # dev identity tokens in both modes
    return subprocess.Popen([sys.executable, "-m", "redgrid.platform.cli", "serve", "--port", str(port)],
                            cwd=data_dir, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def wait_http(url: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{url} did not come up")


async def wait_outbox_drained(database: Path, timeout: float = 300) -> None:
    """The demo seed's own events are published after start; measure only once they are out."""
    import sqlite3

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with sqlite3.connect(database) as db:
            if db.execute("SELECT count(*) FROM event WHERE published_at IS NULL").fetchone()[0] == 0:
                return
        await asyncio.sleep(0.5)
    raise RuntimeError("the outbox did not drain")


async def run_case(kind: str, n: int, events: int, rate: float, services: bool) -> tuple[Result, float]:
    port = free_port()
    with tempfile.TemporaryDirectory() as data_dir:
        if kind == "redgrid":
            server = start_redgrid(port, services, data_dir)
            base = f"http://127.0.0.1:{port}"
            wait_http(f"{base}/readyz")
            if not services:
                await wait_outbox_drained(Path(data_dir) / "redgrid.sqlite3")
            grant = httpx.post(f"{base}/dev-identity/realms/redgrid/protocol/openid-connect/token",
                               data={"grant_type": "password", "username": "jinshui-secretary",
                                     "password": "redgrid-demo"}).json()
            token, url, protocol = grant["access_token"], f"ws://127.0.0.1:{port}/graphql", "graphql-transport-ws"
        else:
            server = subprocess.Popen([sys.executable, "-c", BARE_SERVER, str(port)], stdout=subprocess.PIPE)
            assert server.stdout is not None and server.stdout.readline().strip() == b"ready"
            token, url, protocol = None, f"ws://127.0.0.1:{port}/", ""
        try:
            await asyncio.sleep(1)
            before = rss_kb(server.pid)
            connecting = time.monotonic()
            per = [n // CLIENT_PROCESSES + (1 if i < n % CLIENT_PROCESSES else 0) for i in range(CLIENT_PROCESSES)]
            children = [
                await asyncio.create_subprocess_exec(
                    sys.executable, __file__, "--client", url, token or "", protocol, str(k), str(events),
                    stdout=asyncio.subprocess.PIPE, limit=2**28)
                for k in per if k
            ]
            held = 0
            for child in children:
                assert child.stdout is not None
                held += json.loads(await child.stdout.readline())["ready"]
            if kind == "redgrid":
                await wait_subscriptions(port, held)
            subscribed_s = time.monotonic() - connecting
            await asyncio.sleep(2)
            per_subscriber_kb = (rss_kb(server.pid) - before) / max(held, 1)
            await publish(kind, port, token, events, rate, data_dir)
            result = Result(held=held, subscribed_s=subscribed_s)
            for child in children:
                assert child.stdout is not None
                report = json.loads(await child.stdout.readline())
                result.latencies_ms += report["latencies"]
                result.lost += sum(events - r for r in report["received"])
                if report["failures"]:
                    print(f"  client failures, e.g. {report['failures']}", flush=True)
                await child.wait()
            return result, per_subscriber_kb
        finally:
            server.terminate()
            server.wait(timeout=60)


async def wait_subscriptions(port: int, n: int, timeout: float = 600) -> None:
    """A subscribe message has no answer: the server's gauge says when all N are live."""
    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
        while time.monotonic() < deadline:
            for line in (await client.get("/metrics")).text.splitlines():
                if line.startswith("redgrid_event_subscriptions ") and float(line.split()[1]) >= n:
                    return
            await asyncio.sleep(0.5)
    raise RuntimeError(f"{n} subscriptions did not go live")


async def publish(kind: str, port: int, token: str | None, events: int, rate: float, data_dir: str) -> None:
    interval = 1 / rate
    if kind == "bare":
        async with connect(f"ws://127.0.0.1:{port}/publish") as ws:
            for _ in range(events):
                await ws.send("go")
                await asyncio.sleep(interval)
        return
    # The commit time travels in the node's code, which the event carries to every client.
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
        for i in range(events):
            started = time.time()
            body = {"query": BENCH_MUTATION, "variables": {"code": f"BENCH{i}-{int(started * 1000)}"}}
            response = await client.post("/graphql", json=body, headers={"Authorization": f"Bearer {token}"})
            assert response.status_code == 200 and not response.json().get("errors"), response.text
            await asyncio.sleep(max(0.0, interval - (time.time() - started)))



def summarise(kind: str, n: int, result: Result, per_kb: float) -> str:
    lat = sorted(result.latencies_ms)
    p50 = statistics.median(lat) if lat else float("nan")
    p99 = lat[int(len(lat) * 0.99) - 1] if lat else float("nan")
    return (f"{kind:8} N={n:6} held={result.held:6} p50={p50:8.1f} ms p99={p99:8.1f} ms "
            f"lost={result.lost:6} memory/subscriber={per_kb:6.1f} KB live in {result.subscribed_s:5.1f} s")


def raise_file_limit(n: int) -> None:
    """Each side holds N sockets: lift the soft descriptor limit (children inherit it)."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = min(hard, max(soft, n + 1024)) if hard != resource.RLIM_INFINITY else max(soft, n + 1024)
    resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
    if wanted < n + 1024:
        print(f"  file descriptor limit {hard} is below {n + 1024}: raise it (ulimit -Hn)", flush=True)


async def main(args: argparse.Namespace) -> None:
    raise_file_limit(max(args.clients))
    for n in args.clients:
        lines = []
        for kind in ("bare", "redgrid"):
            result, per_kb = await run_case(kind, n, args.events, args.rate, args.services)
            lines.append((kind, result, per_kb))
            print(summarise(kind, n, result, per_kb), flush=True)
        (_, bare, _), (_, ours, _) = lines
        if bare.latencies_ms and ours.latencies_ms:
            ratio = statistics.median(ours.latencies_ms) / max(statistics.median(bare.latencies_ms), 0.001)
            print(f"ratio    N={n:6} redgrid p50 / bare p50 = {ratio:.1f}", flush=True)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--client":
        url, token, protocol, n, expected = sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]), int(sys.argv[6])
        asyncio.run(_clients_main(url, token or None, protocol, n, expected))
        sys.exit(0)
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--events", type=int, default=20)
    parser.add_argument("--rate", type=float, default=1.0, help="events per second")
    parser.add_argument("--services", action="store_true", help="use PostgreSQL and Redis from the environment")
    asyncio.run(main(parser.parse_args()))
