"""Schemathesis fuzzes every query and mutation of the checked-in SDL against a real server
process (production mode, real Keycloak, PostgreSQL and Redis), anonymously and as Jinshui's
secretary: nothing a caller sends may answer a 5xx, log an error, time out, answer more than
`RESPONSE_BYTES`, answer an error without `extensions.code` or one masked as INTERNAL (an
exception nobody meant to raise, graphql/core/errors.py), or take the process down.

The server is this module's own, on its own database and Redis index, not the session's
`live_server`: a fuzzed secretary's mutations would write into the data other tests count, its
traffic would spend the per-user and per-address rate-limit budgets the other tests' requests
on 127.0.0.1 need, and two servers on one Redis index would share channel-layer groups (tenant
ids are the same in both seeded databases) and the scheduler's lease. Its rate limits are
raised so that the fuzzer reaches the resolvers rather than counting 429s.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import APIOperation, Case, GenerationMode, Response
from schemathesis.graphql import nodes

from .clients import password_token
from .conftest import ROOT, LiveServer, redgrid
from .fuzz_summary import record

# Examples per operation and caller: about 90 operations × 2 callers × 8 keep the run under 2 minutes.
EXAMPLES = int(os.environ.get("REDGRID_FUZZ_EXAMPLES", "8"))
REQUEST_SECONDS = 30  # a request unanswered this long is a stall
RESPONSE_BYTES = 4 * 1024 * 1024  # far above any page the cost budget allows over the demo data
RAISED_RATE = "1000000/minute"

# Custom scalars: mostly well-formed values, sometimes any text (what a careless client sends).
_junk = st.text(max_size=40)
schemathesis.graphql.scalar("Date", st.one_of(st.dates().map(str), _junk).map(nodes.String))
schemathesis.graphql.scalar(
    "DateTime", st.one_of(st.datetimes().map(lambda d: d.isoformat() + "Z"), _junk).map(nodes.String)
)
schemathesis.graphql.scalar(
    "Decimal", st.one_of(st.decimals(allow_nan=False, allow_infinity=False).map(str), _junk).map(nodes.String)
)
schemathesis.graphql.scalar(
    "JSON", st.one_of(_junk.map(nodes.String), st.integers().map(nodes.Int), st.booleans().map(nodes.Boolean))
)
# An Upload sent in a JSON body instead of a multipart part: the server must refuse it, not crash.
schemathesis.graphql.scalar("Upload", _junk.map(nodes.String))


@dataclass
class Outcome:
    """What one caller's run saw."""

    operations: int = 0
    examples: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    largest: int = 0
    slowest: float = 0.0
    slowest_query: str = ""
    failures: list[tuple[str, str]] = field(default_factory=list)  # (kind, what reproduces it)


class ServerLog:
    """The error-level lines the server logged since the last call: an exception a resolver did
    not expect is answered as a GraphQL error with status 200, and only the log shows it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.offset = path.stat().st_size

    def new_errors(self) -> list[dict[str, str]]:
        with self.path.open("rb") as f:
            f.seek(self.offset)
            chunk = f.read()
        complete = chunk[: chunk.rfind(b"\n") + 1]
        self.offset += len(complete)
        errors = []
        for line in complete.decode(errors="replace").split("\n"):  # not splitlines(): U+2028 is data
            if not line:
                continue
            try:
                entry = json.loads(line)
            except ValueError:
                entry = {"level": "error", "event": line}
            if isinstance(entry, dict) and entry.get("level") in ("error", "critical", "exception"):
                errors.append(entry)
        return errors


def _own_database(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


def _own_redis(url: str) -> str:
    """The Redis index 8 above the suite's (mod 16): the fuzz server's channel layer, lease and
    rate counters stay apart from the session's server."""
    parts = urlsplit(url)
    index = int(parts.path.strip("/") or 0)
    return urlunsplit(parts._replace(path=f"/{(index + 8) % 16}"))


async def _recreate_database(owner_url: str, app_role: str, name: str) -> None:
    """An empty database `name`; the last run's stays until then (dropping it as the run ends
    could wait on autovacuum, a superuser's process the owner may not end)."""
    conn = await asyncpg.connect(_own_database(owner_url, "postgres"))
    try:
        for attempt in range(30):
            try:
                await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                break
            except asyncpg.InsufficientPrivilegeError:
                if attempt == 29:
                    raise
                await asyncio.sleep(2)
        await conn.execute(f'CREATE DATABASE "{name}"')
        await conn.execute(f'GRANT CONNECT, TEMP ON DATABASE "{name}" TO "{app_role}"')
    finally:
        await conn.close()


@pytest.fixture(scope="module")
async def fuzz_server(
    server_env: dict[str, str],
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[LiveServer]:
    app_url, owner_url = server_env["REDGRID_DATABASE_URL"], server_env["REDGRID_MIGRATION_DATABASE_URL"]
    name = urlsplit(app_url).path.strip("/") + "_fuzz"
    app_role = urlsplit(app_url).username or ""
    await _recreate_database(owner_url, app_role, name)
    env = dict(server_env)
    env.update(
        REDGRID_DATABASE_URL=_own_database(app_url, name),
        REDGRID_MIGRATION_DATABASE_URL=_own_database(owner_url, name),
        REDGRID_REDIS_URL=_own_redis(server_env["REDGRID_REDIS_URL"]),
        REDGRID_DATA_DIR=str(tmp_path_factory.mktemp("redgrid-fuzz")),
        REDGRID_LIMIT_RATE_USER=RAISED_RATE,
        REDGRID_LIMIT_RATE_ANONYMOUS=RAISED_RATE,
        REDGRID_LIMIT_RATE_GUESSING=RAISED_RATE,
        REDGRID_LIMIT_RATE_PUBLIC=RAISED_RATE,
        REDGRID_LIMIT_RATE_PUBLIC_REPORTS="1000000/day",
    )
    redgrid(env, "migrate")
    redgrid(env, "seed-demo")
    server = LiveServer(env)
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()


def _operations() -> list[APIOperation]:
    schema = schemathesis.graphql.from_path(ROOT / "graphql" / "schema.graphql")
    return [result.ok() for result in schema.get_all_operations()]


def _graphql_errors(response: Response) -> list[dict] | None:
    """The response's `errors`, or None when it is not a GraphQL response at all."""
    try:
        body = json.loads(response.content)
    except ValueError:
        return None
    if not isinstance(body, dict) or not ({"data", "errors"} & body.keys()):
        return None
    return body.get("errors") or []


def _crashes(logged: list[dict[str, str]]) -> list[tuple[str, str]]:
    """(kind, detail) of each error the server logged: refusals are logged at info
    (graphql/core/errorlog.py), so an error is an exception nobody meant to raise."""
    crashes = []
    for entry in logged:
        traceback = str(entry.get("exception", "")).rstrip()
        raised = entry.get("error") or traceback.rsplit("\n", 1)[-1].split(":", 1)[0]
        kind = f"logged: {str(entry.get('event', ''))[:80]!r} {raised} at {entry.get('at', '?')}"
        where = " < ".join(reversed(entry.get("frames") or [])) or traceback[-1500:]
        crashes.append((kind, f"{kind} (path {entry.get('path')}): {where}"))
    return crashes


def _check(case: Case, response: Response | None, logged: list[dict[str, str]], outcome: Outcome, who: str) -> None:
    """Record `response`; add a failure, with what reproduces it, for anything that breaks the rules."""
    problems = _crashes(logged)  # first: a crash names the failure's kind
    if response is None:
        problems.append(("stall", f"no answer within {REQUEST_SECONDS} s"))
    else:
        outcome.statuses[response.status_code] += 1
        outcome.largest = max(outcome.largest, len(response.content))
        if response.elapsed > outcome.slowest:
            outcome.slowest, outcome.slowest_query = response.elapsed, " ".join(str(case.body).split())
        if response.status_code >= 500:
            problems.append((f"status {response.status_code}", f"status {response.status_code}"))
        if len(response.content) > RESPONSE_BYTES:
            problems.append(("oversized", f"response of {len(response.content)} bytes"))
        errors = _graphql_errors(response)
        if errors is None and response.status_code in (200, 400):
            problems.append(("not a GraphQL response", "not a GraphQL response"))
        for error in errors or []:
            code = (error.get("extensions") or {}).get("code")
            message = str(error.get("message", ""))
            if not code:
                # Every error is typed (graphql/core/errors.py), refusals before execution too.
                kind = "error without a code: " + re.sub(r'".*"', '"…"', message)[:120]  # not its value
                problems.append((kind, f"error without a code: {message[:300]!r}"))
            elif code == "INTERNAL":
                # An exception nobody meant to raise, masked for the client: the log says which.
                problems.append((f"INTERNAL at {error.get('path')}", f"INTERNAL: {message[:300]!r}"))
    if problems:
        answer = "" if response is None else f"\n  -> {response.status_code} {response.content[:600]!r}"
        details = "; ".join(detail for _, detail in problems)
        outcome.failures.append(
            (problems[0][0], f"[{who}] {case.operation.label}: {details}\n  query: {case.body}{answer}")
        )


def _fuzz(server: LiveServer, token: Callable[[], str | None], who: str, log: ServerLog) -> Outcome:
    outcome = Outcome()
    session = requests.Session()
    session.trust_env = False  # loopback only: no proxy from the environment
    for operation in _operations():
        # Fresh per operation: a long run must not outlive the access token's lifespan.
        bearer = token()
        headers = {"Authorization": f"Bearer {bearer}"} if bearer else {}
        strategy = st.one_of(
            operation.as_strategy(GenerationMode.POSITIVE), operation.as_strategy(GenerationMode.NEGATIVE)
        )
        _send_examples(server, session, headers, strategy, outcome, log, who)
        outcome.operations += 1
    return outcome


def _send_examples(
    server: LiveServer,
    session: requests.Session,
    headers: dict[str, str],
    strategy: st.SearchStrategy[Case],
    outcome: Outcome,
    log: ServerLog,
    who: str,
) -> None:
    """One operation's examples, sent with its headers and checked."""

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def send(case: Case) -> None:
        outcome.examples += 1
        try:
            response = case.call(
                base_url=f"{server.url}/graphql", session=session, headers=headers, timeout=REQUEST_SECONDS
            )
        except requests.Timeout:
            response = None
        _check(case, response, log.new_errors(), outcome, who)

    send()


def _fresh_token(username: str) -> Callable[[], str]:
    """A token, renewed when it is a minute old (Keycloak's lifespan is longer)."""
    state: dict[str, float | str] = {"at": 0.0}

    def get() -> str:
        if time.monotonic() - float(state["at"]) > 60:
            state.update(at=time.monotonic(), token=password_token(username))
        return str(state["token"])

    return get


def test_fuzzed_requests_never_crash_stall_or_flood(fuzz_server: LiveServer, request: pytest.FixtureRequest) -> None:
    log = ServerLog(fuzz_server.log)
    started = time.monotonic()
    runs = {
        "anonymous": _fuzz(fuzz_server, lambda: None, "anonymous", log),
        "secretary": _fuzz(fuzz_server, _fresh_token("jinshui-secretary"), "secretary", log),
    }
    alive = fuzz_server.process.poll() is None
    health = httpx.get(f"{fuzz_server.url}/healthz", timeout=10, trust_env=False).status_code if alive else None

    lines = [
        f"{who}: {o.operations} operations, {o.examples} examples, {len(o.failures)} failures; "
        f"statuses {dict(sorted(o.statuses.items()))}; largest response {o.largest} B; "
        f"slowest {o.slowest:.2f} s: {o.slowest_query[:300]}"
        for who, o in runs.items()
    ]
    lines.append(f"server alive: {alive}, /healthz: {health}; {time.monotonic() - started:.0f} s")
    kinds: dict[str, list[str]] = {}
    for o in runs.values():
        for kind, detail in o.failures:
            kinds.setdefault(kind, []).append(detail)
    lines += [f"{len(details)} × {kind}" for kind, details in kinds.items()]
    record(request.config, lines)
    assert alive and health == 200, f"the server died or is unhealthy:\n{fuzz_server.log.read_text()[-3000:]}"
    assert not kinds, "fuzz failures, one example of each kind:\n" + "\n".join(
        f"{len(details)} × {details[0]}" for details in kinds.values()
    )
