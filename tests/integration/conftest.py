"""Integration fixtures: the real PostgreSQL, Redis and Keycloak that deploy/services.sh
starts, a freshly migrated and seeded test database, and a real server process.

Run through `bash deploy/test.sh`; without the services' environment these tests fail (they
never skip: a missing service is a failure, not a pass).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import httpx
import pytest
from tortoise import Tortoise

from redgrid.platform.database import tortoise_config
from redgrid.platform.models import Tenant

from .fuzz_summary import pytest_terminal_summary  # noqa: F401 - the fuzz test's counts in the summary

ROOT = Path(__file__).resolve().parents[2]
REQUIRED = (
    "REDGRID_TEST_DATABASE_URL",
    "REDGRID_TEST_MIGRATION_DATABASE_URL",
    "REDGRID_REDIS_URL",
    "REDGRID_KEYCLOAK_URL",
    "REDGRID_KEYCLOAK_CLIENT_SECRET",
    "REDGRID_SERVICES_KEYCLOAK_ADMIN",
    "REDGRID_SERVICES_KEYCLOAK_ADMIN_PASSWORD",
)


def worker_services(environ: dict[str, str] | os._Environ[str], worker: str) -> dict[str, str]:
    """The services' settings of xdist worker `worker` (gw0, gw1, ...): a database of its own,
    `<test database>_<worker>` (made by `own_database`), and the Redis index `worker`'s number
    above the suite's. Keycloak is shared: each module's street has a unique slug, and what the
    workers must not do at once takes `clients.realm_lock()`."""
    from urllib.parse import urlsplit, urlunsplit

    changed = {}
    for name in ("REDGRID_TEST_DATABASE_URL", "REDGRID_TEST_MIGRATION_DATABASE_URL"):
        if environ.get(name):
            parts = urlsplit(environ[name])
            changed[name] = urlunsplit(parts._replace(path=f"{parts.path.rstrip('/')}_{worker}"))
    if environ.get("REDGRID_REDIS_URL"):
        parts = urlsplit(environ["REDGRID_REDIS_URL"])
        index = int(parts.path.strip("/") or 0) + int(worker.removeprefix("gw"))
        changed["REDGRID_REDIS_URL"] = urlunsplit(parts._replace(path=f"/{index}"))
    return changed


def pytest_configure(config: pytest.Config) -> None:
    """Under xdist, this worker's own database and Redis index, for the fixtures and for the
    tests that read the environment themselves."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker:
        os.environ.update(worker_services(os.environ, worker))


async def own_database(owner_url: str, app_role: str) -> None:
    """The database of `owner_url`, made when missing as deploy/services.sh makes redgrid_test:
    owned by the owner role (which may CREATEDB), the app role may connect and use temporary
    tables, nobody else anything."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(owner_url)
    name = parts.path.strip("/")
    conn = await asyncpg.connect(urlunsplit(parts._replace(path="/postgres")))
    try:
        if await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
            return
        await conn.execute(f'CREATE DATABASE "{name}"')
        await conn.execute(f'REVOKE ALL ON DATABASE "{name}" FROM PUBLIC')
        await conn.execute(f'GRANT CONNECT, TEMP ON DATABASE "{name}" TO "{app_role}"')
    finally:
        await conn.close()


def _require_services() -> dict[str, str]:
    missing = [name for name in REQUIRED if not os.environ.get(name)]
    if missing:
        pytest.fail(
            "the real services are not configured (missing " + ", ".join(missing) + "); "
            "run the suite with `bash deploy/test.sh`",
            pytrace=False,
        )
    return dict(os.environ)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def server_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    env = _require_services()
    env.update(
        REDGRID_ENV="production",
        REDGRID_DATABASE_URL=env["REDGRID_TEST_DATABASE_URL"],
        REDGRID_MIGRATION_DATABASE_URL=env["REDGRID_TEST_MIGRATION_DATABASE_URL"],
        REDGRID_USER_STATUS_TTL_SECONDS="1",
        REDGRID_DATA_DIR=str(tmp_path_factory.mktemp("redgrid-data")),
        REDGRID_LOG_LEVEL="WARNING",
        REDGRID_SHUTDOWN_GRACE_SECONDS="5",
        REDGRID_SLA_SCAN_SECONDS="1",
        # The suite sends many requests as a few users from one address: test_rate_limits.py
        # starts its own server with small limits. A short leeway keeps expiry tests short.
        REDGRID_LIMIT_RATE_USER="100000/minute",
        REDGRID_LIMIT_RATE_ANONYMOUS="100000/minute",
        REDGRID_LIMIT_RATE_GUESSING="100000/minute",
        REDGRID_LIMIT_RATE_COST="1000000000/minute",
        REDGRID_LIMIT_RATE_PUBLIC="100000/minute",
        REDGRID_LIMIT_RATE_PUBLIC_REPORTS="100000/day",
        REDGRID_LIMIT_IN_FLIGHT="1000",
        REDGRID_LIMIT_IN_FLIGHT_BUSY="1000",
        REDGRID_LIMIT_WS_PENDING_PER_ADDRESS="1000",
        REDGRID_TOKEN_LEEWAY_SECONDS="2",
    )
    return env


def redgrid(env: dict[str, str], *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """`redgrid ARGS` in a process of its own; with `check`, it must succeed.

    `seed-demo` other than `--street` makes the demo's groups in the shared realm when they are
    missing: while they are, one xdist worker at a time (two would both create them)."""
    if args[:1] == ("seed-demo",) and "--street" not in args and not _demo_groups_exist():
        from .clients import realm_lock

        with realm_lock():
            return _redgrid(env, *args, check=check)
    return _redgrid(env, *args, check=check)


def _demo_groups_exist() -> bool:
    from keycloak.exceptions import KeycloakGetError

    from redgrid.platform.demo_users import DEMO_DISTRICT, DEMO_TENANTS

    from .clients import realm_admin

    admin = realm_admin()
    paths = [f"/districts/{DEMO_DISTRICT[0]}", *(f"/tenants/{slug}" for slug, _, _ in DEMO_TENANTS)]
    try:
        for path in paths:
            admin.get_group_by_path(path)
    except KeycloakGetError:
        return False
    return True


def _redgrid(env: dict[str, str], *args: str, check: bool) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "redgrid.platform.root.cli", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if check:
        assert result.returncode == 0, f"redgrid {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
    return result


async def _reset_schema(owner_url: str, app_role: str) -> None:
    conn = await asyncpg.connect(owner_url)
    try:
        await conn.execute("DROP SCHEMA IF EXISTS public CASCADE")
        await conn.execute("CREATE SCHEMA public")
        await conn.execute(f'GRANT USAGE ON SCHEMA public TO "{app_role}"')
    finally:
        await conn.close()


@pytest.fixture(scope="session")
async def fresh_database(server_env: dict[str, str]) -> dict[str, str]:
    """An empty schema, migrated by `redgrid migrate` and seeded by `redgrid seed-demo`."""
    from urllib.parse import urlsplit

    app_role = urlsplit(server_env["REDGRID_DATABASE_URL"]).username or ""
    await own_database(server_env["REDGRID_MIGRATION_DATABASE_URL"], app_role)
    await _reset_schema(server_env["REDGRID_MIGRATION_DATABASE_URL"], app_role)
    redgrid(server_env, "migrate")
    redgrid(server_env, "seed-demo")
    return server_env


@pytest.fixture(scope="session")
async def db(fresh_database: dict[str, str]) -> AsyncIterator[None]:
    """The ORM in the test process, connected as the app's own role."""
    await Tortoise.init(config=tortoise_config(fresh_database["REDGRID_DATABASE_URL"]), _enable_global_fallback=True)
    yield
    await Tortoise.close_connections()


class LiveServer:
    def __init__(self, env: dict[str, str], port: int | None = None) -> None:
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.ws_url = f"ws://127.0.0.1:{self.port}/graphql"
        self.log = Path(env["REDGRID_DATA_DIR"]) / f"server-{self.port}.log"
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "redgrid.platform.root.cli",
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
            ],
            env=env,
            cwd=ROOT,
            stdout=self.log.open("w"),
            stderr=subprocess.STDOUT,
        )

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        last = ""
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                response = httpx.get(f"{self.url}/readyz", timeout=5)
                if response.status_code == 200:
                    return
                last = response.text
            except httpx.HTTPError as exc:
                last = str(exc)
            time.sleep(0.3)
        raise AssertionError(f"server not ready: {last}\n{self.log.read_text()[-3000:]}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()


@pytest.fixture(scope="session")
def live_server(fresh_database: dict[str, str]) -> Iterator[LiveServer]:
    server = LiveServer(fresh_database)
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()


class Street:
    """A street of one test module's own, built like the demo's Jinshui by `redgrid seed-demo
    --street` (same grid codes and paths, same registers) in a district of its own, with its
    five demo-role users `<slug>-<role>`. Nothing another module does is seen in it."""

    ROLES = ("secretary", "grid-head", "grid-worker", "dept-staff", "volunteer")

    def __init__(self, slug: str, tenant: Tenant, passwords: dict[str, str]) -> None:
        self.slug = slug
        self.district = f"{slug}-district"
        self.tenant = tenant
        self._passwords = passwords

    def username(self, role: str) -> str:
        return f"{self.slug}-{role}"

    def password(self, role: str) -> str:
        return self._passwords[role]

    def token(self, role: str) -> str:
        """A fresh access token of the street's user of `role`."""
        from .clients import password_token

        return password_token(self.username(role), self._passwords[role])


def street_slug(module: str) -> str:
    """Unique per run (the realm outlives the test database), short enough for user names."""
    import re
    import secrets

    name = re.sub(r"[^a-z0-9]+", "-", module.rsplit(".", 1)[-1].removeprefix("test_").lower()).strip("-")[:20]
    return f"t-{name}-{secrets.token_hex(3)}"


def forget_street(slug: str) -> None:
    """Delete the street's Keycloak side: every user of its group (its five and those its
    tests made), its group and its district's group."""
    from keycloak.exceptions import KeycloakGetError

    from .clients import realm_admin

    admin = realm_admin()
    for path in (f"/tenants/{slug}", f"/districts/{slug}-district"):
        try:
            group = admin.get_group_by_path(path)
        except KeycloakGetError:
            continue
        for user in admin.get_group_members(group["id"], {"max": 10000}):
            admin.delete_user(user["id"])
        admin.delete_group(group["id"])
    for role in Street.ROLES:  # a user whose group join failed
        user_id = admin.get_user_id(f"{slug}-{role}")
        if user_id:
            admin.delete_user(user_id)


async def build_street(env: dict[str, str], slug: str, district: str, like: str = "jinshui") -> Street:
    """`redgrid seed-demo --street SLUG` in `district`, its users given lasting passwords and
    e-mails (what each user's first login would do). The caller forgets it (forget_street)."""
    import secrets

    from .clients import realm_admin

    redgrid(env, "seed-demo", "--street", slug, "--like", like, "--district", district)
    admin = realm_admin()
    passwords = {}
    for role in Street.ROLES:
        user_id = admin.get_user_id(f"{slug}-{role}")
        passwords[role] = f"Pw-{secrets.token_hex(16)}"
        admin.set_user_password(user_id, passwords[role], temporary=False)
        user = admin.get_user(user_id)  # Keycloak's update replaces the attributes: sent back whole
        email = f"{slug}-{role}@example.com"
        admin.update_user(user_id, {**user, "email": email, "emailVerified": True, "requiredActions": []})
    street = Street(slug, await Tenant.get(slug=slug), passwords)
    street.district = district
    return street


@pytest.fixture(scope="module")
async def street(request: pytest.FixtureRequest, fresh_database: dict[str, str], db: None) -> AsyncIterator[Street]:
    """This module's own street (see Street); its Keycloak users are deleted afterwards."""
    slug = street_slug(request.module.__name__)
    try:
        yield await build_street(fresh_database, slug, f"{slug}-district")
    finally:
        forget_street(slug)


@pytest.fixture(scope="module")
def tokens(street: Street) -> dict[str, str]:
    """Real Keycloak tokens of the module's street by role, and of the demo Hushu's secretary
    (another street). Per module, so none outlives the realm's access-token lifespan."""
    from .clients import password_token

    return {role: street.token(role) for role in Street.ROLES} | {"hushu-secretary": password_token("hushu-secretary")}


@pytest.fixture(scope="module")
def demo_tokens() -> dict[str, str]:
    """Tokens of the demo Jinshui's users by role, and of Hushu's secretary: for the modules
    whose subject is the demo district itself (its two streets side by side, its line
    departments) or its demo users, which override `tokens` with these."""
    from .clients import password_token

    names = ("secretary", "grid-head", "grid-worker", "dept-staff", "volunteer")
    return {n: password_token(f"jinshui-{n}") for n in names} | {"hushu-secretary": password_token("hushu-secretary")}


@pytest.fixture(scope="module")
async def grid(live_server: LiveServer, tokens: dict[str, str]) -> dict[str, dict]:
    """The module street's grid (Jinshui's shape) by path: node id and its party organisation's id (test_people and the
    modules that reuse its helpers; test_units* have a `grid` of their own)."""
    from .clients import gql_data

    query = "{ gridNodes(first: 500) { edges { node { id path partyOrganisations { id } } } } }"
    data = await gql_data(live_server, query, token=tokens["secretary"])
    return {
        e["node"]["path"]: {"id": e["node"]["id"], "org": (e["node"]["partyOrganisations"] or [{}])[0].get("id")}
        for e in data["gridNodes"]["edges"]
    }


# Fixtures the modules share, defined beside the helpers they go with (last: those modules
# import the classes above).
from .browser import page, shots, web_client  # noqa: E402, F401
from .districts import other_district  # noqa: E402, F401
from .realtime_api import home, second_server  # noqa: E402, F401
