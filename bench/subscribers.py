"""Websocket fan-out benchmark: N graphql-transport-ws subscribers of `events(area: GRID)` on
one RedGrid server process, events committed at a steady rate, against a bare websocket
broadcast server (the same clients, the same rate) measured in the same run.

    .venv/bin/python bench/subscribers.py --clients 1000 10000 --events 20 --rate 1

Prints, per N and server: subscribers held, p50/p99 delivery latency (from the mutation sent,
or the bare server's broadcast, to the client reading the frame), events lost, and server
memory per idle subscriber (RSS growth / N), the server's own time per event fan-out, on
average (the rest of the latency is, for RedGrid, the mutation's request, commit and way to
the hub, and for both the kernel's delivery and the clients' reading), RedGrid's full garbage-collector
passes while the clients connected and while the events went out, and for the three slowest events the first,
median and last delivery (a late first delivery: the fan-out started late). Both servers and the clients run on
uvloop, the loop uvicorn serves RedGrid on; each server has a core to itself, the clients the others
(`Placement`; --no-pin leaves it to the kernel). Runs the server with its embedded defaults (SQLite, in-memory
channel layer, dev identity) unless --services is given, in which case it uses the REDGRID_* environment of
deploy/services.sh: PostgreSQL (a database of its own, redgrid_bench_events, migrated and seeded here) and Redis;
tokens are still the dev identity's (the server runs in development mode).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import uvloop
from websockets.asyncio.client import connect

ROOT = Path(__file__).resolve().parents[1]
CLIENT_PROCESSES = 4
HANDSHAKES_IN_FLIGHT = 64  # per client process
FULL_PASSES = "redgrid_gc_full_passes_total"
FANOUT = "redgrid_event_fanout_seconds"
QUERY = "subscription { events(area: GRID) { __typename ... on Event { seq type at } ... on GridEvent { code name } } }"
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
    by_event: dict[float, list[float]] = field(default_factory=dict)  # send time → its latencies
    lost: int = 0
    subscribed_s: float = 0.0  # from the first connection to every subscription live
    # The collector's full passes (platform/collector.py), each a stop of the whole process:
    # while the clients connected, and while the events went out. RedGrid only.
    full_passes: tuple[int, int] | None = None
    fanout_ms: float = 0.0  # the server's own time per event, on average: the rest is the clients'

    @property
    def latencies_ms(self) -> list[float]:
        return [ms for latencies in self.by_event.values() for ms in latencies]


# ---- clients: run in child processes so that the measuring side is not one core -----------
#
# Each client is a bare asyncio protocol on uvloop speaking just enough RFC 6455 (one
# handshake, masked text frames out, unmasked frames in): a full client library costs each
# process tens of microseconds per message, and at ten thousand subscribers on these two cores
# the clients' own time would be most of what the bench measures, for both servers alike.


def _frame(payload: bytes, opcode: int = 0x1) -> bytes:
    """A client frame: masked, as RFC 6455 requires of clients."""
    mask = os.urandom(4)
    length = len(payload)
    head = bytes([0x80 | opcode])
    if length < 126:
        head += bytes([0x80 | length])
    elif length < 1 << 16:
        head += bytes([0x80 | 126]) + length.to_bytes(2, "big")
    else:
        head += bytes([0x80 | 127]) + length.to_bytes(8, "big")
    masked = (
        (int.from_bytes(payload, "big") ^ int.from_bytes((mask * (length // 4 + 1))[:length], "big")).to_bytes(
            length, "big"
        )
        if length
        else b""
    )
    return head + mask + masked


class _Client(asyncio.Protocol):
    def __init__(
        self,
        host: str,
        path: str,
        token: str | None,
        protocol: str,
        expected: int,
        shared: _Clients,
        handshaken: asyncio.Future[None],
    ) -> None:
        self.host, self.path, self.token, self.protocol, self.expected = host, path, token, protocol, expected
        self.shared, self.handshaken = shared, handshaken
        self.buffer = bytearray()
        self.upgraded = False
        self.done = False
        self.got = 0
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        key = base64.b64encode(os.urandom(16)).decode()
        lines = [
            f"GET {self.path} HTTP/1.1",
            f"Host: {self.host}",
            "Upgrade: websocket",
            "Connection: Upgrade",
            f"Sec-WebSocket-Key: {key}",
            "Sec-WebSocket-Version: 13",
        ]
        if self.protocol:
            lines.append(f"Sec-WebSocket-Protocol: {self.protocol}")
        transport.write(("\r\n".join(lines) + "\r\n\r\n").encode())  # type: ignore[attr-defined]

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if not self.upgraded:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            status = bytes(self.buffer[:end]).split(b"\r\n", 1)[0]
            del self.buffer[: end + 4]
            if b" 101 " not in status:
                return self._fail(f"handshake refused: {status.decode(errors='replace')}")
            self.upgraded = True
            if self.protocol:
                self._send(json.dumps({"type": "connection_init", "payload": {"token": self.token}}))
            else:
                self._ready()
        while len(self.buffer) >= 2:
            opcode, length, start = self.buffer[0] & 0x0F, self.buffer[1] & 0x7F, 2
            if length == 126:
                length, start = int.from_bytes(self.buffer[2:4], "big"), 4
            elif length == 127:
                length, start = int.from_bytes(self.buffer[2:10], "big"), 10
            if len(self.buffer) < start + length:
                return
            payload = bytes(self.buffer[start : start + length])
            del self.buffer[: start + length]
            if opcode == 0x1:
                self._message(payload)
            elif opcode == 0x9:
                self._send(payload, 0xA)  # pong
            elif opcode == 0x8:
                return self._fail(f"closed by the server: {payload[2:].decode(errors='replace')}")

    def _message(self, raw: bytes) -> None:
        now = time.time()
        if self.protocol:
            # A `next` of ours is found by its bytes: decoding hundreds of them per event per
            # process would weigh on the clients' share of the two cores, not the server's.
            at = raw.find(b'"code":"BENCH')
            if at < 0:
                if raw.find(b'"type":"connection_ack"') >= 0:
                    self._send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": QUERY}}))
                    self._ready()
                return  # anything else, or the demo grid's own events still being published
            sent = int(raw[raw.index(b"-", at) + 1 : raw.index(b'"', at + 13)]) / 1000
        else:
            sent = json.loads(raw)["sentAt"]
        self.shared.latencies.setdefault(sent, []).append((now - sent) * 1000)
        self.shared.last_message = time.monotonic()
        self.got += 1
        if self.got == self.expected:
            self.shared.finished(self)

    def _send(self, payload: str | bytes, opcode: int = 0x1) -> None:
        assert self.transport is not None
        self.transport.write(_frame(payload.encode() if isinstance(payload, str) else payload, opcode))

    def _ready(self) -> None:
        if not self.handshaken.done():
            self.handshaken.set_result(None)

    def _fail(self, why: str) -> None:
        if not self.handshaken.done():
            self.handshaken.set_exception(RuntimeError(why))
        self.shared.finished(self, why)

    def connection_lost(self, exc: Exception | None) -> None:
        self._fail(f"connection lost: {exc}")


class _Clients:
    def __init__(self, n: int) -> None:
        self.latencies: dict[float, list[float]] = {}  # per event, by its send time
        self.received: list[int] = []
        self.failures: list[str] = []
        self.last_message = 0.0
        self.open = n
        self.all_done = asyncio.Event()

    def finished(self, client: _Client, why: str | None = None) -> None:
        if client.done:
            return
        client.done = True
        self.received.append(client.got)
        if why is not None and client.got < client.expected:
            self.failures.append(why)
        self.open -= 1
        if self.open == 0:
            self.all_done.set()


async def _clients_main(url: str, token: str | None, protocol: str, n: int, expected: int) -> None:
    parts = urlsplit(url)
    loop = asyncio.get_running_loop()
    shared = _Clients(n)
    # Clients that come back after a restart spread out (backoff with jitter); a bounded number
    # of handshakes in flight per process stands for that, so the accept queue never overflows.
    handshakes = asyncio.Semaphore(HANDSHAKES_IN_FLIGHT)
    clients: list[_Client] = []

    async def open_one() -> bool:
        async with handshakes:
            handshaken: asyncio.Future[None] = loop.create_future()
            client = _Client(parts.netloc, parts.path or "/", token, protocol, expected, shared, handshaken)
            clients.append(client)
            try:
                await loop.create_connection(lambda: client, parts.hostname, parts.port)
                await asyncio.wait_for(handshaken, 300)
                return True
            except (OSError, RuntimeError, TimeoutError) as exc:
                shared.finished(client, f"{type(exc).__name__}: {exc}")
                return False

    held = sum(await asyncio.gather(*(open_one() for _ in range(n))))
    print(json.dumps({"ready": held}), flush=True)
    waiting_since = time.monotonic()
    # Until the first event the others may still be subscribing: wait long; then until every
    # client has its events, or nothing came for 30 s.
    while not shared.all_done.is_set():
        idle = time.monotonic() - (shared.last_message or waiting_since)
        if idle > (30 if shared.last_message else 900):
            break
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(shared.all_done.wait(), 1)
    for client in clients:
        shared.finished(client, "no more events" if client.got < expected else None)
    print(
        json.dumps({"latencies": shared.latencies, "received": shared.received, "failures": shared.failures[:3]}),
        flush=True,
    )
    # The sockets stay open until the bench has read the server's figures: clients leaving
    # would bring the collector's full pass for closed sockets into them.
    await asyncio.to_thread(sys.stdin.read)
    for client in clients:
        if client.transport is not None:
            client.transport.close()


# ---- servers -------------------------------------------------------------------------------

BARE_SERVER = r"""
import asyncio, json, sys, time
import uvloop
from websockets.asyncio.server import serve, broadcast
clients = set()
async def handler(ws):
    if ws.request.path == "/publish":
        async for _ in ws:
            started = time.perf_counter()
            broadcast(clients, json.dumps({"sentAt": time.time()}))
            await ws.send(str(time.perf_counter() - started))  # the fan-out's time, for the bench
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
uvloop.run(main())  # the loop uvicorn runs RedGrid on
"""


@dataclass(frozen=True)
class Placement:
    """Which CPUs the server and the clients (with this process) run on; None: the kernel's
    choice. By default the server has one core to itself and everything else shares the rest,
    as in production, where the clients are other machines: otherwise four client processes
    reading 10,000 frames take the server's core in the middle of its fan-out, and p99 measures
    how the kernel shared two cores out as much as either server. With --services, PostgreSQL
    and Redis are not pinned: they may run on the server's core."""

    server: set[int] | None = None
    clients: set[int] | None = None

    @staticmethod
    def of(pin: bool) -> Placement:
        cpus = sorted(os.sched_getaffinity(0))
        return Placement({cpus[0]}, set(cpus[1:])) if pin and len(cpus) > 1 else Placement()

    @staticmethod
    def keeping(cpus: set[int] | None) -> Callable[[], None] | None:
        """A server's preexec_fn that keeps it, and every thread it starts, on `cpus` (the
        clients inherit this process's placement)."""
        return None if cpus is None else lambda: os.sched_setaffinity(0, cpus)


def start_redgrid(port: int, services: bool, data_dir: str, placement: Placement) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if services or not k.startswith("REDGRID_")}
    env |= {"REDGRID_DATA_DIR": data_dir, "REDGRID_LOG_LEVEL": "WARNING", "REDGRID_ENV": "development"}
    # One user from one address holds every subscription here: the limits for many users are not measured.
    env |= {
        "REDGRID_LIMIT_RATE_USER": "1000000/minute",
        "REDGRID_LIMIT_RATE_ANONYMOUS": "1000000/minute",
        "REDGRID_LIMIT_RATE_COST": "1000000000/minute",
        "REDGRID_LIMIT_WS_PENDING_PER_ADDRESS": "100000",
    }
    env.pop("REDGRID_KEYCLOAK_URL", None)  # dev identity tokens in both modes
    return subprocess.Popen(
        [sys.executable, "-m", "redgrid.platform.root.cli", "serve", "--port", str(port)],
        cwd=data_dir,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        preexec_fn=Placement.keeping(placement.server),
    )


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


async def wait_outbox_drained(database: Path) -> None:
    """The demo seed's own events are published after start; measure only once they are out.
    The caller bounds the wait (asyncio.timeout)."""
    import sqlite3

    while True:
        with sqlite3.connect(database) as db:
            if db.execute("SELECT count(*) FROM event WHERE published_at IS NULL").fetchone()[0] == 0:
                return
        await asyncio.sleep(0.5)


async def run_case(
    kind: str, n: int, events: int, rate: float, services: bool, placement: Placement
) -> tuple[Result, float]:
    port = free_port()
    with tempfile.TemporaryDirectory() as data_dir:
        if kind == "redgrid":
            server = start_redgrid(port, services, data_dir, placement)
            base = f"http://127.0.0.1:{port}"
            wait_http(f"{base}/readyz")
            if not services:
                async with asyncio.timeout(300):
                    await wait_outbox_drained(Path(data_dir) / "redgrid.sqlite3")
            grant = (
                await asyncio.to_thread(
                    httpx.post,
                    f"{base}/dev-identity/realms/redgrid/protocol/openid-connect/token",
                    data={"grant_type": "password", "username": "jinshui-secretary", "password": "redgrid-demo"},
                )
            ).json()
            token, url, protocol = grant["access_token"], f"ws://127.0.0.1:{port}/graphql", "graphql-transport-ws"
        else:
            server = await asyncio.to_thread(
                subprocess.Popen,
                [sys.executable, "-c", BARE_SERVER, str(port)],
                stdout=subprocess.PIPE,
                preexec_fn=Placement.keeping(placement.server),
            )
            assert server.stdout is not None and server.stdout.readline().strip() == b"ready"
            token, url, protocol = None, f"ws://127.0.0.1:{port}/", ""
        children: list[asyncio.subprocess.Process] = []
        try:
            await asyncio.sleep(1)
            before = rss_kb(server.pid)
            passes = (await figures(port))[FULL_PASSES] if kind == "redgrid" else 0.0
            connecting = time.monotonic()
            per = [n // CLIENT_PROCESSES + (1 if i < n % CLIENT_PROCESSES else 0) for i in range(CLIENT_PROCESSES)]
            children += [
                await asyncio.create_subprocess_exec(
                    sys.executable,
                    __file__,
                    "--client",
                    url,
                    token or "",
                    protocol,
                    str(k),
                    str(events),
                    stdin=asyncio.subprocess.PIPE,
                    stdout=asyncio.subprocess.PIPE,
                    limit=2**28,
                )
                for k in per
                if k
            ]
            held = 0
            for child in children:
                assert child.stdout is not None
                held += json.loads(await child.stdout.readline())["ready"]
            if kind == "redgrid":
                async with asyncio.timeout(600):
                    await wait_subscriptions(port, held)
            subscribed_s = time.monotonic() - connecting
            await asyncio.sleep(2)
            per_subscriber_kb = (rss_kb(server.pid) - before) / max(held, 1)
            result = Result(held=held, subscribed_s=subscribed_s)
            connected = await figures(port) if kind == "redgrid" else {}
            bare_fanout_s = await publish(kind, port, token, events, rate)
            for child in children:
                assert child.stdout is not None
                report = json.loads(await child.stdout.readline())
                for sent, latencies in report["latencies"].items():
                    result.by_event.setdefault(float(sent), []).extend(latencies)
                result.lost += sum(events - r for r in report["received"])
                if report["failures"]:
                    print(f"  client failures, e.g. {report['failures']}", flush=True)
            if kind == "redgrid":
                # Read once every client has reported: the last event's fan-out is in.
                done = await figures(port)
                result.full_passes = (
                    int(connected[FULL_PASSES] - passes),
                    int(done[FULL_PASSES] - connected[FULL_PASSES]),
                )
                fanouts = done[f"{FANOUT}_count"] - connected[f"{FANOUT}_count"]
                assert fanouts == events, f"{fanouts:.0f} fan-outs measured for {events} events"
                result.fanout_ms = 1000 * (done[f"{FANOUT}_sum"] - connected[f"{FANOUT}_sum"]) / fanouts
            else:
                assert bare_fanout_s is not None
                result.fanout_ms = 1000 * bare_fanout_s
            for child in children:
                assert child.stdin is not None
                child.stdin.close()  # the clients may leave now
                await child.wait()
            return result, per_subscriber_kb
        finally:
            for child in children:  # on an error, clients still wait for their stdin to close
                if child.returncode is None:
                    child.kill()
            server.terminate()
            server.wait(timeout=60)


async def figures(port: int) -> dict[str, float]:
    """The unlabelled figures of the RedGrid server's /metrics, read at one moment."""
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
        text = (await client.get("/metrics")).text
    return {
        name: float(value)
        for name, _, value in (
            line.partition(" ") for line in text.splitlines() if line and line[0] != "#" and "{" not in line
        )
    }


async def wait_subscriptions(port: int, n: int) -> None:
    """A subscribe message has no answer: the server's gauge says when all N are live.
    The caller bounds the wait (asyncio.timeout)."""
    while True:
        if (await figures(port))["redgrid_event_subscriptions"] >= n:
            return
        await asyncio.sleep(0.5)


async def publish(kind: str, port: int, token: str | None, events: int, rate: float) -> float | None:
    """Publishes the events. For the bare server, returns its own time broadcasting one, in
    seconds on average; RedGrid's (redgrid_event_fanout_seconds) is read by `run_case`."""
    interval = 1 / rate
    if kind == "bare":
        fanouts = []
        async with connect(f"ws://127.0.0.1:{port}/publish") as ws:
            for _ in range(events):
                await ws.send("go")
                fanouts.append(float(await ws.recv()))
                await asyncio.sleep(interval)
        return statistics.mean(fanouts)
    # The commit time travels in the node's code, which the event carries to every client.
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
        for i in range(events):
            started = time.time()
            body = {"query": BENCH_MUTATION, "variables": {"code": f"BENCH{i}-{int(started * 1000)}"}}
            response = await client.post("/graphql", json=body, headers={"Authorization": f"Bearer {token}"})
            assert response.status_code == 200 and not response.json().get("errors"), response.text
            await asyncio.sleep(max(0.0, interval - (time.time() - started)))
    return None


def summarise(kind: str, n: int, result: Result, per_kb: float) -> str:
    lat = sorted(result.latencies_ms)
    p50 = statistics.median(lat) if lat else float("nan")
    p99 = lat[int(len(lat) * 0.99) - 1] if lat else float("nan")
    line = (
        f"{kind:8} N={n:6} held={result.held:6} p50={p50:8.1f} ms p99={p99:8.1f} ms "
        f"lost={result.lost:6} memory/subscriber={per_kb:6.1f} KB live in {result.subscribed_s:5.1f} s"
    )
    # Where a p99 comes from: a late first delivery is a delay before the fan-out began; a late
    # last one with an early first is the fan-out itself.
    slowest = sorted(result.by_event.values(), key=max, reverse=True)[:3]
    spread = ", ".join(f"{min(e):.0f}/{statistics.median(e):.0f}/{max(e):.0f}" for e in slowest)
    line += f" server fan-out {result.fanout_ms:.2f} ms/event (mean)"
    if result.full_passes is not None:
        line += f" full GC passes {result.full_passes[0]} connecting, {result.full_passes[1]} during events"
    return line + (f"\n         slowest events, first/median/last delivery ms: {spread}" if spread else "")


def raise_file_limit(n: int) -> None:
    """Each side holds N sockets: lift the soft descriptor limit (children inherit it)."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = min(hard, max(soft, n + 1024)) if hard != resource.RLIM_INFINITY else max(soft, n + 1024)
    resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
    if wanted < n + 1024:
        print(f"  file descriptor limit {hard} is below {n + 1024}: raise it (ulimit -Hn)", flush=True)


async def services_database() -> None:
    """--services: point REDGRID_* at a fresh database beside the test one, migrated and seeded."""
    from registers import fresh_database

    owner_url, app_url = await fresh_database(
        os.environ["REDGRID_TEST_MIGRATION_DATABASE_URL"],
        os.environ["REDGRID_TEST_DATABASE_URL"],
        "redgrid_bench_events",
    )
    os.environ.update(REDGRID_DATABASE_URL=app_url, REDGRID_MIGRATION_DATABASE_URL=owner_url)
    env = {k: v for k, v in os.environ.items() if k != "REDGRID_KEYCLOAK_URL"}  # the dev identity's users
    for command in ("migrate", "seed-demo"):
        await asyncio.to_thread(
            subprocess.run,
            [sys.executable, "-m", "redgrid.platform.root.cli", command],
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )


async def main(args: argparse.Namespace) -> None:
    raise_file_limit(max(args.clients))
    placement = Placement.of(args.pin)
    if placement.clients is not None:
        os.sched_setaffinity(0, placement.clients)  # the publisher too: off the server's core
        print(
            f"server on CPU {sorted(placement.server or ())}, clients and publisher on {sorted(placement.clients)}",
            flush=True,
        )
    if args.services:
        await services_database()
    for n in args.clients:
        lines = []
        for kind in ("bare", "redgrid"):
            result, per_kb = await run_case(kind, n, args.events, args.rate, args.services, placement)
            lines.append((kind, result, per_kb))
            print(summarise(kind, n, result, per_kb), flush=True)
        (_, bare, _), (_, ours, _) = lines
        if bare.latencies_ms and ours.latencies_ms:
            ratio = statistics.median(ours.latencies_ms) / max(statistics.median(bare.latencies_ms), 0.001)
            print(f"ratio    N={n:6} redgrid p50 / bare p50 = {ratio:.1f}", flush=True)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--client":
        url, token, protocol, n, expected = sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]), int(sys.argv[6])
        uvloop.run(_clients_main(url, token or None, protocol, n, expected))
        sys.exit(0)
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--events", type=int, default=20)
    parser.add_argument("--rate", type=float, default=1.0, help="events per second")
    parser.add_argument("--services", action="store_true", help="use PostgreSQL and Redis from the environment")
    parser.add_argument(
        "--no-pin",
        dest="pin",
        action="store_false",
        help="leave the server and the clients to the kernel's scheduling (see Placement)",
    )
    asyncio.run(main(parser.parse_args()))
