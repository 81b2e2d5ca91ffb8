"""Abuse benchmark: does a normal client keep its latency while others send the worst requests
the limits still allow?

    eval "$(bash deploy/services.sh env)"; .venv/bin/python bench/abuse.py [--seconds 60]

It starts its own server process on 127.0.0.1 (REDGRID_ENV=production, real Keycloak tokens,
PostgreSQL in a database of its own, redgrid_bench_abuse, migrated and seeded here, Redis on
index --redis-db, the limits as the environment sets them: their defaults unless told) and
runs a normal client, Jinshui's grid worker asking a households page of 20 five times a second,
first alone (--baseline-seconds), then for --seconds while another process abuses the server:

- deep: a query nested to the depth limit (`parent` upon `parent`), a new text each time so
  that no cache helps; tokens: as many fragments selecting the same fields as the merge limit
  allows (validation compares them pairwise); aliases: `keyFigures` under every alias the alias
  and field limits allow; cost: the largest
  households page with members the cost budget and page size allow; body: a JSON body just under the body
  limit (a long list in an unused variable): each as its own signed-in user, in closed loops;
- anonymous: the deep query without a token; bad-token: garbage and forged JWTs;
- ws-idle: websockets that never send connection_init, reopened when the server closes them;
- ws-subs: websockets with as many `events` subscriptions as a socket may hold, held open;
  opened before the other kinds start (here every abuser shares one address, whose upgrade
  budget the idle sockets would otherwise spend before these could hold anything).

Each HTTP kind runs --workers closed loops, none waiting on a 429. Prints the normal client's
p50/p99 alone and abused, its errors, and per abuse kind what the server answered (429s are the
rate limits at work; anonymous and bad-token share one address's budget). Goal: abused p99
within 3x baseline p99, and no error for the normal client. --per-kind first abuses with each
kind alone, to show which one costs what.

Placement: abusers stand for other machines, so on a machine of two or more cores the server
runs on core 0, and the normal client and the abusers on core 1, the abusers at a lower
priority (nice 10), so that their own CPU is not what the server is measured against; the
websocket abusers run in a process of their own, started first, the HTTP ones in another;
PostgreSQL, Redis and Keycloak are not pinned. --no-pin leaves it all to the kernel.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import json
import multiprocessing
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from redgrid.platform.limits import get_limits

ROOT = Path(__file__).resolve().parents[1]
NORMAL_QUERY = (
    "query Everyday { households(first: 20) { edges { node { address colour kind members { name phone } } } } }"
)
NORMAL_RATE = 5.0  # requests per second: 300/minute, two thirds of the per-user budget (RATE_USER)
COST_PAGE = (
    "query Cost{n} {{ households(first: {first}) {{ edges {{ node {{ address colour kind node {{ name path }} "
    "members {{ name idNumber phone tags }} partyMembers {{ category joinedOn organisation {{ name }} }} }} }} }} }}"
)
SUBSCRIPTION = "subscription {{ events(area: {area}) {{ __typename ... on Event {{ seq type path at }} }} }}"
USERS = {  # who sends each kind: a budget of his own, as an attacker with many accounts has
    "normal": "jinshui-grid-worker",
    "deep": "jinshui-grid-head",
    "tokens": "jinshui-volunteer",
    "aliases": "hushu-secretary",
    "cost": "jinshui-secretary",
    "body": "hushu-grid-head",
    "ws-subs": "hushu-grid-worker",
}


def password_token(username: str) -> str:
    base = os.environ["REDGRID_KEYCLOAK_URL"].rstrip("/")
    realm = os.environ.get("REDGRID_KEYCLOAK_REALM", "redgrid")
    response = httpx.post(
        f"{base}/realms/{realm}/protocol/openid-connect/token",
        timeout=30,
        data={
            "grant_type": "password",
            "username": username,
            "password": "redgrid-demo",
            "client_id": os.environ["REDGRID_KEYCLOAK_CLIENT_ID"],
            "client_secret": os.environ["REDGRID_KEYCLOAK_CLIENT_SECRET"],
        },
    )
    response.raise_for_status()
    return response.json()["access_token"]


# --- the worst documents the limits allow, built from the limits themselves -------------------


def deep_query(n: int) -> str:
    """`gridNodes → edges → node → parent …` to the depth limit exactly."""
    parents = get_limits().graphql_depth - 4  # gridNodes, edges, node … name
    path = f"{'parent { ' * parents}name{' }' * parents}"
    return f"query Deep{n} {{ gridNodes(first: 50) {{ edges {{ node {{ {path} }} }} }} }}"


def token_query(n: int) -> str:
    """As many fragments in one selection set as the merge limit allows, each selecting the same
    nested fields: graphql-core's OverlappingFieldsCanBeMerged compares them pairwise, down."""
    limits = get_limits()
    count = max(k for k in range(2, 50) if k * (k - 1) // 2 <= limits.graphql_merges)
    spreads = " ".join(f"...F{i}" for i in range(count))
    body = "children { name code path parent { name code path } } parent { name code path parent { name } }"
    fragments = " ".join(f"fragment F{i} on GridNode {{ {body} }}" for i in range(count))
    return f"query Tokens{n} {{ gridNodes(first: 20) {{ edges {{ node {{ {spreads} }} }} }} }} {fragments}"


def alias_query(n: int) -> str:
    fields = (
        "openCases casesByState { state count } overdueCases closedToday satisfaction30Days onDutyNow "
        "residents households householdsByColour { colour count } partyMembers"
    )
    limits = get_limits()
    count = min(
        limits.graphql_aliases, limits.graphql_fields // (len(fields.split()) - 3)
    )  # less 4 braces, plus keyFigures
    aliases = " ".join(f"k{i}: keyFigures {{ {fields} }}" for i in range(count))
    return f"query Aliases{n} {{ {aliases} }}"


def largest_page() -> int:
    """The largest `first` of COST_PAGE the server's own validation and page size accept."""
    from redgrid.graphql.core.limits import prepare
    from redgrid.graphql.core.pagination import MAX_PAGE
    from redgrid.graphql.schema import schema

    low, high = 1, MAX_PAGE
    while low < high:
        middle = (low + high + 1) // 2
        errors = prepare(schema._schema, COST_PAGE.format(n=0, first=middle)).errors
        low, high = (middle, high) if not errors else (low, middle - 1)
    return low


def big_body(query: str) -> bytes:
    """A JSON body just under the body limit: many short strings, the costliest to parse."""
    head = (json.dumps({"query": query})[:-1] + ', "variables": ').encode()
    count = (get_limits().http_body_bytes - len(head) - 64) // len('"abcdefg",')
    return head + b'{"pad": [' + b",".join([b'"abcdefg"'] * count) + b"]}}"


def forged_jwt(n: int) -> str:
    def part(value: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    header = part({"alg": "RS256", "kid": f"forged-{n}", "typ": "JWT"})
    return f"{header}.{part({'sub': 'x', 'exp': 2**31})}.{part({'s': n})}"


# --- the abuse process ------------------------------------------------------------------------

DOCUMENTS = {
    "deep": deep_query,
    "anonymous": deep_query,
    "bad-token": deep_query,
    "tokens": token_query,
    "aliases": alias_query,
}


def abuse_request(kind: str, n: int, token: str | None, first_page: int, body: bytes) -> tuple[dict[str, str], bytes]:
    """The headers and body of the n-th request of `kind`."""
    headers = {"Content-Type": "application/json"}
    if kind == "bad-token":
        token = forged_jwt(n) if n % 2 else f"garbage-{n}"
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if kind == "body":
        return headers, body
    query = COST_PAGE.format(n=n, first=first_page) if kind == "cost" else DOCUMENTS[kind](n)
    return headers, json.dumps({"query": query}).encode()


async def _http_worker(
    kind: str, base: str, token: str | None, deadline: float, counts: Counter[str], first_page: int, body: bytes
) -> None:
    n = 0
    async with httpx.AsyncClient(base_url=base, timeout=30, trust_env=False) as client:
        while time.monotonic() < deadline:
            n += 1
            headers, content = abuse_request(kind, n, token, first_page, body)
            try:
                response = await client.post("/graphql", content=content, headers=headers)
            except httpx.HTTPError as exc:
                counts[type(exc).__name__] += 1
                continue
            counts[f"{response.status_code} {answer_code(response)}"] += 1  # no waiting on a 429


def answer_code(response: httpx.Response) -> str:
    """`ok`, the first error's code, `uncoded`, or `not json`."""
    try:
        errors = response.json().get("errors")
    except (ValueError, AttributeError):
        return "not json"
    if not errors:
        return "ok"
    return str((errors[0].get("extensions") or {}).get("code", "uncoded"))


async def _idle_socket(url: str, deadline: float, counts: Counter[str]) -> None:
    while time.monotonic() < deadline:
        try:
            async with connect(url, subprotocols=["graphql-transport-ws"]) as ws:  # type: ignore[list-item]
                try:
                    await asyncio.wait_for(ws.recv(), max(0.1, deadline - time.monotonic()))
                except ConnectionClosed as closed:
                    counts[f"closed {closed.rcvd.code if closed.rcvd else None}"] += 1
                except TimeoutError:
                    counts["held to the end"] += 1
        except InvalidStatus as exc:  # refused before accept: again at once, as after a close
            counts[f"{exc.response.status_code} refused upgrade"] += 1
        except (OSError, ConnectionClosed) as exc:
            counts[type(exc).__name__] += 1
            await asyncio.sleep(0.1)


async def _subscribing_socket(
    url: str,
    token: str,
    per_socket: int,
    deadline: float,
    counts: Counter[str],
    subscribed: asyncio.Event,
    settling: Counter[str],
    sockets: int,
) -> None:
    """Holds `per_socket` subscriptions; `subscribed` is set once all `sockets` sockets have sent
    theirs or failed (`settling` counts them)."""
    settled = False
    try:
        async with connect(url, subprotocols=["graphql-transport-ws"]) as ws:  # type: ignore[list-item]
            await ws.send(json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}}))
            ack = json.loads(await ws.recv())
            counts[f"init {ack['type']}"] += 1
            areas = ("GRID", "CASES", "ROSTER")
            for i in range(per_socket):
                query = SUBSCRIPTION.format(area=areas[i % len(areas)])
                await ws.send(json.dumps({"id": str(i), "type": "subscribe", "payload": {"query": query}}))
            counts["subscribed"] += per_socket
            settled = True
            _settled(settling, subscribed, sockets)
            while (left := deadline - time.monotonic()) > 0:
                try:
                    message = json.loads(await asyncio.wait_for(ws.recv(), left))
                except TimeoutError:
                    break
                errors = message.get("payload") if message.get("type") == "error" else None
                code = (
                    errors[0].get("extensions", {}).get("code", "error") if isinstance(errors, list) and errors else ""
                )
                counts[f"{message.get('type')}{' ' + code if code else ''}"] += 1
    except ConnectionClosed as closed:
        counts[f"closed {closed.rcvd.code if closed.rcvd else None}"] += 1
    except InvalidStatus as exc:
        counts[f"{exc.response.status_code} refused upgrade"] += 1
    except OSError as exc:
        counts[type(exc).__name__] += 1
    finally:
        if not settled:  # failed before it held its subscriptions
            _settled(settling, subscribed, sockets)


def _settled(settling: Counter[str], subscribed: asyncio.Event, sockets: int) -> None:
    settling["sockets"] += 1
    if settling["sockets"] >= sockets:
        subscribed.set()


HTTP_KINDS = ("deep", "tokens", "aliases", "cost", "body", "anonymous", "bad-token")
KINDS = (*HTTP_KINDS, "ws-idle", "ws-subs")


async def _abuse(
    port: int,
    tokens: dict[str, str],
    kinds: tuple[str, ...],
    seconds: float,
    workers: int,
    idle: int,
    sub_sockets: int,
    first_page: int,
    ready: Any,
) -> dict[str, Counter[str]]:
    """`kinds` until the deadline; `ready` is set once the subscribing sockets hold theirs."""
    base, ws_url = f"http://127.0.0.1:{port}", f"ws://127.0.0.1:{port}/graphql"
    deadline = time.monotonic() + seconds
    counts: dict[str, Counter[str]] = {kind: Counter() for kind in kinds}
    body = big_body(NORMAL_QUERY)
    subscribing: list[asyncio.Task[None]] = []
    if "ws-subs" in kinds:  # first: all abuse comes from one address here, and the idle sockets'
        # upgrades would spend its budget before these hold anything (another address would not)
        subscribed, settling = asyncio.Event(), Counter[str]()
        subscribing = [
            asyncio.create_task(
                _subscribing_socket(
                    ws_url,
                    tokens["ws-subs"],
                    get_limits().ws_subscriptions,
                    deadline,
                    counts["ws-subs"],
                    subscribed,
                    settling,
                    sub_sockets,
                )
            )
            for _ in range(sub_sockets)
        ]
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(subscribed.wait(), 10)
    ready.set()
    tasks = [
        _http_worker(kind, base, tokens.get(kind), deadline, counts[kind], first_page, body)
        for kind in kinds
        if kind in HTTP_KINDS
        for _ in range(workers)
    ]
    if "ws-idle" in kinds:
        tasks += [_idle_socket(ws_url, deadline, counts["ws-idle"]) for _ in range(idle)]
    await asyncio.gather(*tasks, *subscribing)
    return counts


def abuse_process(
    port: int,
    tokens: dict[str, str],
    kinds: tuple[str, ...],
    seconds: float,
    workers: int,
    idle: int,
    sub_sockets: int,
    first_page: int,
    out: multiprocessing.Queue[dict[str, dict[str, int]]],
    pin: bool,
    ready: Any,
) -> None:
    if pin:
        os.nice(10)  # other machines: their CPU is not the server's, nor the normal client's
    counts = asyncio.run(_abuse(port, tokens, kinds, seconds, workers, idle, sub_sockets, first_page, ready))
    out.put({kind: dict(c) for kind, c in counts.items()})


# --- the normal client and the run ------------------------------------------------------------


async def normal_client(base: str, token: str, seconds: float) -> tuple[list[float], Counter[str]]:
    """NORMAL_QUERY at NORMAL_RATE on one kept-alive connection: latencies (ms) and errors."""
    latencies: list[float] = []
    errors: Counter[str] = Counter()
    async with httpx.AsyncClient(
        base_url=base, timeout=30, trust_env=False, headers={"Authorization": f"Bearer {token}"}
    ) as client:
        start = time.monotonic()
        for i in range(int(seconds * NORMAL_RATE)):
            await asyncio.sleep(max(0.0, start + i / NORMAL_RATE - time.monotonic()))
            sent = time.perf_counter()
            try:
                response = await client.post("/graphql", json={"query": NORMAL_QUERY})
                latencies.append(1000 * (time.perf_counter() - sent))
                body = response.json()
                if response.status_code != 200 or body.get("errors"):
                    errors[f"{response.status_code} {str(body.get('errors'))[:120]}"] += 1
            except (httpx.HTTPError, ValueError) as exc:
                errors[type(exc).__name__] += 1
    return latencies, errors


def percentiles(latencies: list[float]) -> str:
    if not latencies:
        return "no answers"
    ordered = sorted(latencies)
    p90, p99 = (ordered[max(0, int(len(ordered) * q) - 1)] for q in (0.9, 0.99))
    return f"p50 {statistics.median(ordered):7.1f} ms  p90 {p90:7.1f} ms  p99 {p99:7.1f} ms  ({len(ordered)} requests)"


def p99(latencies: list[float]) -> float:
    ordered = sorted(latencies)
    return ordered[max(0, int(len(ordered) * 0.99) - 1)] if ordered else float("nan")


def server_env(data_dir: str, app_url: str, owner_url: str, redis_db: int) -> dict[str, str]:
    redis = urlsplit(os.environ["REDGRID_REDIS_URL"])
    env = dict(os.environ)  # REDGRID_LIMIT_* as here: the documents are built from the same limits
    env.update(
        REDGRID_ENV="production",
        REDGRID_DATABASE_URL=app_url,
        REDGRID_MIGRATION_DATABASE_URL=owner_url,
        REDGRID_REDIS_URL=urlunsplit(redis._replace(path=f"/{redis_db}")),
        REDGRID_DATA_DIR=data_dir,
        REDGRID_LOG_LEVEL="WARNING",
    )
    return env


async def main(args: argparse.Namespace) -> None:
    sys.path.insert(0, str(ROOT / "bench"))
    from registers import fresh_database

    owner_url, app_url = await fresh_database(
        os.environ["REDGRID_TEST_MIGRATION_DATABASE_URL"],
        os.environ["REDGRID_TEST_DATABASE_URL"],
        "redgrid_bench_abuse",
    )
    port = free_port()
    with tempfile.TemporaryDirectory() as data_dir:
        env = server_env(data_dir, app_url, owner_url, args.redis_db)
        for command in ("migrate", "seed-demo"):
            await asyncio.to_thread(
                subprocess.run,
                [sys.executable, "-m", "redgrid.platform.root.cli", command],
                env=env,
                check=True,
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
            )
        log = Path(data_dir) / "server.log"
        pin = args.pin and (os.cpu_count() or 1) >= 2
        server = await asyncio.to_thread(
            subprocess.Popen,
            [sys.executable, "-m", "redgrid.platform.root.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            cwd=ROOT,
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
            preexec_fn=(lambda: os.sched_setaffinity(0, {0})) if pin else None,
        )
        if pin:
            os.sched_setaffinity(0, {1})  # the normal client, and the abusers spawned from here
        try:
            base = f"http://127.0.0.1:{port}"
            wait_ready(base)
            tokens = {kind: password_token(user) for kind, user in USERS.items()}
            first_page = largest_page()
            print(
                f"server pid {server.pid} on {base}; cost page households(first: {first_page}); "
                f"{args.workers} workers per HTTP kind, {args.idle_sockets} idle sockets, "
                f"{args.sub_sockets} subscribing sockets",
                flush=True,
            )

            baseline, baseline_errors = await normal_client(base, tokens["normal"], args.baseline_seconds)
            print(f"baseline             {percentiles(baseline)}  errors {sum(baseline_errors.values())}", flush=True)
            phases = [(kind,) for kind in KINDS] if args.per_kind else []
            for kinds in [*phases, KINDS]:
                await abuse_phase(base, port, tokens, kinds, first_page, baseline, args)
            alive = server.poll() is None
            print(f"server alive after the run: {alive}; error lines in its log: {error_lines(log)}", flush=True)
        finally:
            server.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                server.wait(timeout=30)
            if server.poll() is None:
                server.kill()


async def abuse_phase(
    base: str,
    port: int,
    tokens: dict[str, str],
    kinds: tuple[str, ...],
    first_page: int,
    baseline: list[float],
    args: argparse.Namespace,
) -> None:
    """The normal client for --seconds while another process sends `kinds`; prints both."""
    context = multiprocessing.get_context("spawn")
    queue: multiprocessing.Queue[dict[str, dict[str, int]]] = context.Queue()
    loop = asyncio.get_running_loop()
    # The websockets in a process of their own, started first (see _abuse): an idle socket refused
    # before accept retries at once, and in one process with the HTTP kinds it took their CPU.
    groups = [
        group
        for group in (tuple(k for k in kinds if k not in HTTP_KINDS), tuple(k for k in kinds if k in HTTP_KINDS))
        if group
    ]
    abusers = []
    for group in groups:
        ready = context.Event()
        abuser = context.Process(
            target=abuse_process,
            args=(
                port,
                tokens,
                group,
                args.seconds,
                args.workers,
                args.idle_sockets,
                args.sub_sockets,
                first_page,
                queue,
                args.pin,
                ready,
            ),
        )
        abuser.start()
        abusers.append(abuser)
        await loop.run_in_executor(None, ready.wait, 30)
    await asyncio.sleep(1)  # the abusers connect first
    abused, errors = await normal_client(base, tokens["normal"], args.seconds - 1)
    counts: dict[str, dict[str, int]] = {}
    for _ in abusers:
        counts.update(await loop.run_in_executor(None, queue.get, True, args.seconds + 120))
    for abuser in abusers:
        abuser.join(timeout=30)
    name = "all" if kinds == KINDS else kinds[0]
    ratio = p99(abused) / p99(baseline) if baseline and abused else float("nan")
    verdict = "met" if ratio <= 3 and not errors else "NOT met"
    print(
        f"abused by {name:10} {percentiles(abused)}  errors {sum(errors.values())}  "
        f"p99/baseline {ratio:.1f}: goal {verdict}",
        flush=True,
    )
    for error, n in errors.most_common(5):
        print(f"  normal client error x{n}: {error}", flush=True)
    for kind, seen in counts.items():
        total = sum(seen.values())
        limited = sum(n for answer, n in seen.items() if answer.startswith("429") or answer == "closed 4429")
        shown = ", ".join(f"{answer}: {n}" for answer, n in sorted(seen.items(), key=lambda x: -x[1]))
        print(f"  {kind:10} {total:7} answers, {limited:6} rate-limited (429/4429) | {shown}", flush=True)
    await asyncio.sleep(args.settle_seconds)  # rate-limit windows and socket closes of this phase pass


def error_lines(log: Path) -> int:
    count = 0
    for line in log.read_text(errors="replace").split("\n"):
        with contextlib.suppress(ValueError, AttributeError):
            count += json.loads(line).get("level") in ("error", "critical")
    return count


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ready(base: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{base}/readyz", timeout=2, trust_env=False).status_code == 200:
                return
        time.sleep(0.3)
    raise RuntimeError(f"{base} did not come up")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=60, help="length of the abuse phase")
    parser.add_argument("--baseline-seconds", type=float, default=30, help="the normal client alone, before")
    parser.add_argument("--workers", type=int, default=4, help="closed-loop clients per HTTP abuse kind")
    parser.add_argument("--idle-sockets", type=int, default=200, help="websockets that never send connection_init")
    parser.add_argument("--sub-sockets", type=int, default=10, help="websockets holding the most subscriptions")
    parser.add_argument(
        "--per-kind",
        action="store_true",
        help="first one abuse phase per kind alone, then all together (which kind costs what)",
    )
    parser.add_argument("--settle-seconds", type=float, default=5, help="pause after each abuse phase")
    parser.add_argument("--redis-db", type=int, default=15, help="the server's Redis index (its channel layer)")
    parser.add_argument(
        "--no-pin",
        dest="pin",
        action="store_false",
        help="leave placement to the kernel (default: server on core 0, clients on core 1)",
    )
    asyncio.run(main(parser.parse_args()))
