"""Static checks of deploy/docker-compose.yml and the image it builds (no Docker needed).

The compose file is parsed with PyYAML (merge keys included) and checked for what
`docker compose up` would only reveal at run time: dangling depends_on, undeclared volumes,
mounts of files that do not exist, settings the app does not know, services without health
checks, and a Dockerfile/.dockerignore pair that would not ship the code.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
COMPOSE_FILE = DEPLOY / "docker-compose.yml"
DOCKERFILE = DEPLOY / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"

# The settings the app reads (pydantic-settings, prefix REDGRID_); see README.md "Settings".
DOCUMENTED_ENV = {
    "REDGRID_DATA_DIR",
    "REDGRID_JWKS_CACHE_SECONDS",
    "REDGRID_USER_STATUS_TTL_SECONDS",
    "REDGRID_ENV",
    "REDGRID_HOST",
    "REDGRID_PORT",
    "REDGRID_DATABASE_URL",
    "REDGRID_MIGRATION_DATABASE_URL",
    "REDGRID_REDIS_URL",
    "REDGRID_KEYCLOAK_URL",
    "REDGRID_KEYCLOAK_ISSUER",
    "REDGRID_KEYCLOAK_REALM",
    "REDGRID_KEYCLOAK_CLIENT_ID",
    "REDGRID_KEYCLOAK_CLIENT_SECRET",
    "REDGRID_LOG_LEVEL",
    "REDGRID_SHUTDOWN_GRACE_SECONDS",
    "REDGRID_ATTACHMENTS_DIR",
}

# Services that run once and exit (no health check expected).
ONE_SHOT = {"migrate", "seed-demo"}
EXPECTED_SERVICES = {"postgres", "redis", "keycloak", "migrate", "app"}


@pytest.fixture(scope="module")
def compose() -> dict:
    with COMPOSE_FILE.open() as f:
        data = yaml.safe_load(f)
    assert isinstance(data, dict) and isinstance(data.get("services"), dict)
    return data


@pytest.fixture(scope="module")
def services(compose) -> dict:
    return compose["services"]


def _depends_on(service: dict) -> dict[str, str]:
    """depends_on as {target: condition}, from either the list or the mapping form."""
    deps = service.get("depends_on") or {}
    if isinstance(deps, list):
        return {name: "service_started" for name in deps}
    return {name: (spec or {}).get("condition", "service_started") for name, spec in deps.items()}


def _environment(service: dict) -> dict[str, str | None]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        pairs = (item.split("=", 1) for item in env)
        return {p[0]: (p[1] if len(p) > 1 else None) for p in pairs}
    return dict(env)


def _volumes(service: dict) -> list[dict]:
    """Volume entries in the long form: {type, source, target}."""
    out = []
    for entry in service.get("volumes") or []:
        if isinstance(entry, str):
            parts = entry.split(":")
            source, target = (parts[0], parts[1]) if len(parts) > 1 else (None, parts[0])
            kind = "bind" if source and source.startswith((".", "/", "~", "$")) else "volume"
            out.append({"type": kind, "source": source, "target": target})
        else:
            out.append(entry)
    return out


def _is_long_running(name: str, service: dict) -> bool:
    return name not in ONE_SHOT and str(service.get("restart", "")) != "no"


def _resolve(path: str) -> Path:
    """A path of the compose file, relative to the compose file's directory."""
    assert "$" not in path, f"path {path!r} depends on interpolation; keep mounts literal"
    return (COMPOSE_FILE.parent / path).resolve()


def test_expected_services_present(services):
    assert EXPECTED_SERVICES <= set(services), f"missing: {EXPECTED_SERVICES - set(services)}"


def test_no_obsolete_version_key(compose):
    assert "version" not in compose, "the top-level `version` key is obsolete in Compose v2"


def test_depends_on_targets_exist(services):
    for name, service in services.items():
        for target in _depends_on(service):
            assert target in services, f"{name} depends on unknown service {target}"
            assert target != name, f"{name} depends on itself"


def test_healthy_conditions_point_at_services_with_healthchecks(services):
    for name, service in services.items():
        for target, condition in _depends_on(service).items():
            if condition == "service_healthy":
                assert "healthcheck" in services[target], (
                    f"{name} waits for {target} to be healthy, but {target} has no healthcheck"
                )
            if condition == "service_completed_successfully":
                assert target in ONE_SHOT, f"{name} waits for long-running {target} to complete"


def test_startup_order(services):
    assert _depends_on(services["migrate"]) == {"postgres": "service_healthy"}
    app = _depends_on(services["app"])
    assert app["migrate"] == "service_completed_successfully"
    assert app["redis"] == "service_healthy"
    assert app["keycloak"] == "service_healthy"


def test_long_running_services_have_healthchecks(services):
    for name, service in services.items():
        if not _is_long_running(name, service):
            continue
        check = service.get("healthcheck")
        assert check, f"{name} runs for long but has no healthcheck"
        assert not check.get("disable"), f"{name} disables its healthcheck"
        test = check.get("test")
        assert test and test[0] in ("CMD", "CMD-SHELL"), f"{name}: healthcheck.test must be CMD/CMD-SHELL"


def test_one_shot_services_do_not_restart(services):
    for name in ONE_SHOT & set(services):
        assert str(services[name].get("restart", "no")) == "no", f"{name} must not restart"


def test_named_volumes_are_declared(compose, services):
    declared = set((compose.get("volumes") or {}).keys())
    used = set()
    for service in services.values():
        for volume in _volumes(service):
            if volume.get("type", "volume") == "volume" and volume.get("source"):
                used.add(volume["source"])
    assert used, "expected named volumes (database, attachments...)"
    assert used <= declared, f"undeclared named volumes: {sorted(used - declared)}"
    assert declared <= used, f"declared but unused volumes: {sorted(declared - used)}"


def test_bind_mounts_exist_in_repository(services):
    for name, service in services.items():
        for volume in _volumes(service):
            if volume.get("type") != "bind":
                continue
            source = _resolve(volume["source"])
            assert source.exists(), f"{name} mounts {volume['source']}, which does not exist"
            assert ROOT in source.parents or source == ROOT, f"{name} mounts outside the repo"
            # A missing source would otherwise become an empty directory on the host.
            if isinstance(volume.get("bind"), dict):
                assert volume["bind"].get("create_host_path") is False


def test_build_contexts_and_dockerfiles_exist(services):
    built = 0
    for name, service in services.items():
        build = service.get("build")
        if build is None:
            continue
        built += 1
        if isinstance(build, str):
            build = {"context": build}
        context = _resolve(build.get("context", "."))
        assert context.is_dir(), f"{name}: build context {context} is not a directory"
        dockerfile = context / build.get("dockerfile", "Dockerfile")
        assert dockerfile.is_file(), f"{name}: {dockerfile} does not exist"
        assert dockerfile.resolve() == DOCKERFILE
        assert context == ROOT, "the image is built with the repository root as context"
    assert built >= 1


def test_app_and_commands_share_the_image(services):
    images = {services[name].get("image") for name in ("app", "migrate")}
    assert len(images) == 1
    assert services["migrate"]["command"] == ["migrate"]
    assert services["app"]["command"] == ["serve"]


def test_redgrid_environment_is_documented(services):
    seen = set()
    for name, service in services.items():
        for key in _environment(service):
            if key.startswith("REDGRID_"):
                assert key in DOCUMENTED_ENV, f"{name} sets {key}, which the app does not read"
                seen.add(key)
    assert {"REDGRID_DATABASE_URL", "REDGRID_REDIS_URL", "REDGRID_KEYCLOAK_URL"} <= seen


def test_only_migrate_gets_the_owner_role(services):
    for name, service in services.items():
        env = _environment(service)
        if name == "migrate":
            assert "redgrid_owner" in env["REDGRID_MIGRATION_DATABASE_URL"]
        else:
            assert "REDGRID_MIGRATION_DATABASE_URL" not in env, f"{name} must not get the owner role"
        if "REDGRID_DATABASE_URL" in env:
            assert "://redgrid_app:" in env["REDGRID_DATABASE_URL"], f"{name} must use the app role"


def test_app_runs_hardened(services):
    app = services["app"]
    assert app.get("read_only") is True
    assert "ALL" in app.get("cap_drop", [])
    assert any(str(o).startswith("no-new-privileges") for o in app.get("security_opt", []))
    targets = {v["target"] for v in _volumes(app)}
    env = _environment(app)
    assert env["REDGRID_ATTACHMENTS_DIR"] in targets, "attachments must be on a volume"
    assert env["REDGRID_ENV"] == "production"


def test_keycloak_imports_the_realm(services):
    keycloak = services["keycloak"]
    assert keycloak["image"].startswith("quay.io/keycloak/keycloak:26.")
    command = keycloak["command"]
    command = command if isinstance(command, list) else command.split()
    assert command[0] in ("start-dev", "start") and "--import-realm" in command
    mounts = {v["target"]: v.get("source") for v in _volumes(keycloak)}
    target = "/opt/keycloak/data/import/redgrid-realm.json"
    assert target in mounts
    assert _resolve(mounts[target]) == DEPLOY / "keycloak" / "redgrid-realm.json"


def test_postgres_init_creates_restricted_app_role(services):
    postgres = services["postgres"]
    assert re.match(r"postgres:1[6-9]", postgres["image"])
    init = [v for v in _volumes(postgres) if v["target"].startswith("/docker-entrypoint-initdb.d")]
    assert init, "postgres needs the init script that creates the roles"
    sql_files = sorted(_resolve(init[0]["source"]).glob("*.sql"))
    assert sql_files
    sql = "\n".join(p.read_text() for p in sql_files)
    app_role = re.search(r"CREATE ROLE redgrid_app\b([^;]*);", sql, re.S)
    assert app_role, "the init script must create redgrid_app"
    attributes = app_role.group(1).upper().split()
    assert "NOSUPERUSER" in attributes and "NOBYPASSRLS" in attributes and "LOGIN" in attributes
    assert re.search(r"CREATE DATABASE redgrid OWNER redgrid_owner", sql)
    # Every \getenv variable the script reads is provided by the service.
    env = _environment(postgres)
    for variable in re.findall(r"\\getenv\s+\w+\s+(\w+)", sql):
        assert variable in env, f"postgres service lacks {variable} for the init script"


# --- the image the compose file builds ------------------------------------------------------


@pytest.fixture(scope="module")
def dockerfile() -> str:
    return DOCKERFILE.read_text()


def _instructions(text: str) -> list[tuple[str, str]]:
    joined = re.sub(r"\\\n", " ", text)
    out = []
    for line in joined.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            out.append((word.upper(), rest.strip()))
    return out


def test_dockerfile_shape(dockerfile):
    ins = _instructions(dockerfile)
    froms = [rest for word, rest in ins if word == "FROM"]
    assert len(froms) >= 2, "multi-stage build expected"
    # Python stages, and one Node stage that builds web/ (its output is all the runtime gets).
    node = [f for f in froms if "NODE_IMAGE" in f]
    assert len(node) == 1 and node[0].endswith(" AS web")
    assert all("PYTHON_IMAGE" in f or "python:3.11-slim" in f for f in froms if f not in node)
    assert re.search(r"ARG PYTHON_IMAGE=python:3\.11-slim", dockerfile)
    assert re.search(r"ARG NODE_IMAGE=node:20", dockerfile)
    final = dockerfile[dockerfile.rindex("\nFROM ") :]
    final_ins = _instructions(final)
    words = {word for word, _ in final_ins}
    assert {"USER", "HEALTHCHECK", "ENTRYPOINT", "CMD", "EXPOSE", "LABEL"} <= words
    assert dict(final_ins)["ENTRYPOINT"] == '["redgrid"]'
    assert dict(final_ins)["CMD"] == '["serve"]'
    assert dict(final_ins)["EXPOSE"] == "8000"
    user = dict(final_ins)["USER"].split(":")[0]
    assert user.isdigit() and int(user) >= 1000, "run as a fixed non-root uid"
    healthcheck = dict(final_ins)["HEALTHCHECK"]
    assert "/healthz" in healthcheck and "urllib" in healthcheck and "curl" not in healthcheck
    assert "REDGRID_ENV=production" in final
    assert "COPY --from=web /src/web/dist" in final and "REDGRID_WEB_DIR=" in final
    assert "npm" not in final and "node_modules" not in final
    assert "org.opencontainers.image." in final
    # No compilers in the runtime stage.
    assert "build-essential" not in final and "gcc" not in final


def test_dockerfile_copies_only_what_dockerignore_allows(dockerfile):
    """.dockerignore is an allow-list: every COPY source must be allowed and exist."""
    allowed = {line[1:].strip().rstrip("/") for line in DOCKERIGNORE.read_text().splitlines() if line.startswith("!")}
    assert "*" in [line.strip() for line in DOCKERIGNORE.read_text().splitlines()]
    copies = [rest for word, rest in _instructions(dockerfile) if word == "COPY"]
    sources = []
    for rest in copies:
        if rest.startswith("--from"):
            continue
        parts = [p for p in rest.split() if not p.startswith("--")]
        sources += parts[:-1]
    assert sources
    for source in sources:
        path = source.strip("./")
        assert path in allowed or path.split("/")[0] in allowed, f"COPY {source}: excluded by .dockerignore"
        assert (ROOT / source).exists(), f"COPY {source}: not in the repository"
    # The four code folders of pyproject's package-dir are all shipped.
    for folder in ("platform", "tenants", "graphql", "realtime"):
        assert folder in allowed and any(s.strip("./") == folder for s in sources)
