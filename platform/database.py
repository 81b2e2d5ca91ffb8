"""Database wiring: the Tortoise config, tenant- and district-scoped transactions and migrations.

Tenancy is enforced twice: services filter by the request's tenant, and on PostgreSQL every
tenant-owned table has a row-level security policy keyed on `app.tenant_id`, which
`tenant_transaction` sets with `set_config(..., true)` (the SET LOCAL form) so it dies with
the transaction and can never leak to the next user of a pooled connection. A district's
overview reads across its tenants through `district_transaction` and a second, SELECT-only
policy on the few tables it needs (`district_readable` models), keyed on `app.district_id`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from contextvars import ContextVar
from typing import Any
from urllib.parse import urlsplit

import structlog
from tortoise import Tortoise, connections
from tortoise.backends.base.client import BaseDBAsyncClient, TransactionalDBClient
from tortoise.backends.base.config_generator import expand_db_url
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from redgrid.platform.errors import InvalidInput, UserError
from redgrid.platform.settings import Settings, get_settings

log = structlog.get_logger("redgrid.database")

APP_LABEL = "redgrid"
MODEL_MODULES = [
    "redgrid.platform.models",
    "redgrid.tenants.grid.models",
    "redgrid.tenants.cases.models",
    "redgrid.tenants.people.models",
    "redgrid.tenants.units.models",
    "redgrid.tenants.staff.models",
    "redgrid.tenants.accounts.models",
    "redgrid.tenants.workers.models",
    "redgrid.tenants.district.models",
    "redgrid.tenants.visits.models",
    "redgrid.tenants.notices.models",
    "redgrid.tenants.knocks.models",
    "redgrid.tenants.sharing.models",
]
POLICY_NAME = "tenant_isolation"
DISTRICT_POLICY_NAME = "district_read"


def tortoise_config(database_url: str) -> dict[str, Any]:
    if database_url.startswith("sqlite://"):
        from pathlib import Path

        path, _, query = database_url.removeprefix("sqlite://").partition("?")
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        # WAL with synchronous=NORMAL, unless the URL says otherwise: a commit is not an fsync
        # (a crash of the process loses nothing; a power cut may lose the last commits). With
        # an fsync per commit the slowest live events (bench/subscribers.py, 1,000 subscribers)
        # began their fan-out 84-96 ms late; without, 14-24 ms.
        if "synchronous=" not in query:
            database_url += ("&" if query else "?") + "synchronous=NORMAL"
        connection: str | dict[str, Any] = database_url
    else:
        connection = expand_db_url(database_url)
        if connection["engine"] == "tortoise.backends.asyncpg":
            connection["credentials"]["reset"] = _leave_session_as_is  # asyncpg.create_pool's
    return {
        "connections": {"default": connection},
        "apps": {
            APP_LABEL: {
                "models": MODEL_MODULES,
                "default_connection": "default",
                "migrations": "redgrid.platform.migrations",
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


async def _leave_session_as_is(conn: Any) -> None:
    """What asyncpg's pool does to a released connection besides rolling back a transaction
    left open: nothing. Its default, `RESET ALL; UNLISTEN *; CLOSE ALL;` and unlocking session
    advisory locks, is a round trip that every request waits for at its end (0.2 to 0.4 ms),
    and RedGrid leaves none of them: settings are `set_config(..., true)` and advisory locks
    the transaction's own (pg_advisory_xact_lock), both gone at commit or rollback."""


def _cli_config() -> dict[str, Any]:
    """For the `tortoise` CLI (makemigrations): `tortoise -c redgrid.platform.database.TORTOISE_ORM`."""
    return tortoise_config(get_settings().effective_migration_database_url)


def __getattr__(name: str) -> Any:
    if name == "TORTOISE_ORM":
        return _cli_config()
    raise AttributeError(name)


async def init_database(settings: Settings | None = None, url: str | None = None) -> None:
    """Initialise the ORM for the whole process: request tasks must see the connections the
    start-up task opened, which is what Tortoise's own Starlette integration does too."""
    settings = settings or get_settings()
    await Tortoise.init(config=tortoise_config(url or settings.effective_database_url), _enable_global_fallback=True)


async def close_database() -> None:
    await Tortoise.close_connections()


def connection() -> BaseDBAsyncClient:
    return connections.get("default")


def is_postgres(conn: BaseDBAsyncClient | None = None) -> bool:
    return (conn or connection()).capabilities.dialect == "postgres"


# What to undo outside the database when the current tenant transaction rolls back, and what
# to do once its outermost transaction has committed.
_rollback_hooks: ContextVar[list[Callable[[], Awaitable[None]]] | None] = ContextVar("rollback_hooks", default=None)
_commit_hooks: ContextVar[list[Callable[[], None]] | None] = ContextVar("commit_hooks", default=None)


def on_rollback(hook: Callable[[], Awaitable[None]]) -> None:
    """Run `hook` if the current tenant transaction rolls back, e.g. to delete a stored file
    that only the rolled-back row referred to."""
    hooks = _rollback_hooks.get()
    if hooks is None:
        raise RuntimeError("on_rollback outside a tenant transaction")
    hooks.append(hook)


def on_commit(hook: Callable[[], None]) -> None:
    """Run `hook` once the outermost tenant transaction around this call has committed (once,
    however often it is asked for), or now when there is none: e.g. wake the publisher when the
    outbox rows it must send are visible. Nothing runs when the transaction rolls back."""
    hooks = _commit_hooks.get()
    if hooks is None:
        hook()
    elif hook not in hooks:
        hooks.append(hook)


@asynccontextmanager
async def tenant_transaction(tenant_id: int | None) -> AsyncIterator[BaseDBAsyncClient]:
    """One transaction with `app.tenant_id` set for its lifetime (None: no tenant, RLS hides all).

    Tortoise routes model queries made inside the block to this transaction's connection.
    When it rolls back (any exception out of the block, or a failed commit), the hooks given
    to `on_rollback` inside it run; when it commits, those given to `on_commit`. Inside another
    transaction it is a savepoint, after which the outer block's tenant is set again (a
    released savepoint keeps a set_config; one rolled back undoes it itself), and its hooks
    become the outer transaction's: only the outermost commit is a commit.
    """
    hooks: list[Callable[[], Awaitable[None]]] = []
    commit_hooks: list[Callable[[], None]] = []
    outer_hooks, outer_commit_hooks = _rollback_hooks.get(), _commit_hooks.get()
    token, commit_token = _rollback_hooks.set(hooks), _commit_hooks.set(commit_hooks)
    nested = isinstance(connection(), TransactionalDBClient)
    try:
        async with in_transaction("default") as conn:
            outer: str | None = None
            if is_postgres(conn):
                if nested:
                    rows = await conn.execute_query_dict("SELECT current_setting('app.tenant_id', true) AS tenant")
                    outer = rows[0]["tenant"] or ""
                await conn.execute_query(
                    "SELECT set_config('app.tenant_id', $1, true)",
                    ["" if tenant_id is None else str(tenant_id)],
                )
            yield conn
            if outer is not None:
                await conn.execute_query("SELECT set_config('app.tenant_id', $1, true)", [outer])
    except BaseException:
        for hook in reversed(hooks):
            try:
                await hook()
            except Exception:
                log.exception("rollback hook failed")
        raise
    finally:
        _rollback_hooks.reset(token)
        _commit_hooks.reset(commit_token)
    if outer_hooks is not None and outer_commit_hooks is not None:
        outer_hooks.extend(hooks)
        outer_commit_hooks.extend(h for h in commit_hooks if h not in outer_commit_hooks)
        return
    for commit_hook in commit_hooks:
        try:
            commit_hook()
        except Exception:
            log.exception("commit hook failed")


@asynccontextmanager
async def department_transaction(department_id: int) -> AsyncIterator[BaseDBAsyncClient]:
    """A `tenant_transaction` without a tenant for a district department's staff, with
    `app.district_department_id` set: the department policies (`department_rls`) then admit
    the rows of the cases referred to that department, and nothing else."""
    async with tenant_transaction(None) as conn:
        if is_postgres(conn):
            await conn.execute_query("SELECT set_config('app.district_department_id', $1, true)", [str(department_id)])
        yield conn
        if is_postgres(conn) and isinstance(connection(), TransactionalDBClient):  # nested: the outer had none
            await conn.execute_query("SELECT set_config('app.district_department_id', '', true)")


@asynccontextmanager
async def district_transaction(district_id: int) -> AsyncIterator[BaseDBAsyncClient]:
    """One transaction that reads, and only reads, the rows of every tenant of one district in
    the tables marked `district_readable` (their `district_read` policy admits them when
    `app.district_id` names the tenant's district); no tenant is set, so nothing can be written
    and no other table shows a tenant row. Nested, it is a savepoint after which the outer
    block's settings are set again. Its caller has checked that the district is the caller's."""
    nested = isinstance(connection(), TransactionalDBClient)
    async with in_transaction("default") as conn:
        outer: dict[str, Any] | None = None
        if is_postgres(conn):
            if nested:
                outer = (
                    await conn.execute_query_dict(
                        "SELECT current_setting('app.tenant_id', true) AS tenant, "
                        "current_setting('app.district_id', true) AS district"
                    )
                )[0]
            await conn.execute_query(
                "SELECT set_config('app.tenant_id', '', true), set_config('app.district_id', $1, true)",
                [str(district_id)],
            )
        yield conn
        if outer is not None:
            await conn.execute_query(
                "SELECT set_config('app.tenant_id', $1, true), set_config('app.district_id', $2, true)",
                [outer["tenant"] or "", outer["district"] or ""],
            )


@asynccontextmanager
async def unique_or(error: UserError) -> AsyncIterator[None]:
    """The block's writes in a savepoint: a unique index they break (the same key written by
    another request since the caller checked) is `error` for the caller, not a server error,
    and the caller's transaction goes on."""
    try:
        async with in_transaction("default"):
            yield
    except IntegrityError as exc:
        if "unique" not in str(exc).lower():  # PostgreSQL's and SQLite's words for it
            raise
        raise InvalidInput(error) from None


def _tenant_owned_models() -> dict[str, Any]:
    import importlib

    from redgrid.platform.models import TenantOwned

    for module in MODEL_MODULES:
        importlib.import_module(module)
    found: dict[str, Any] = {}
    pending = list(TenantOwned.__subclasses__())
    while pending:
        model = pending.pop()
        pending += model.__subclasses__()
        if not model._meta.abstract:
            found[model._meta.db_table] = model
    return found


async def bulk_insert(model: Any, rows: list[dict[str, Any]]) -> int:
    """Insert many rows in few statements, inside the caller's transaction; returns how many.
    See `_insert_many`."""
    await _insert_many(model, rows, ())
    return len(rows)


async def bulk_insert_returning(
    model: Any, rows: list[dict[str, Any]], returning: tuple[str, ...]
) -> list[dict[str, Any]]:
    """`bulk_insert`, answering the `returning` fields (e.g. the new ids, with the columns that
    identify each row) of every row inserted, in no particular order."""
    return await _insert_many(model, rows, returning)


async def _insert_many(model: Any, rows: list[dict[str, Any]], returning: tuple[str, ...]) -> list[dict[str, Any]]:
    """Insert many rows in few statements, inside the caller's transaction.

    On PostgreSQL the rows are COPied into a temporary table of the transaction's own, then
    moved with one `INSERT … SELECT`: PostgreSQL refuses COPY FROM on tables with row-level
    security, but not on a temporary table, and the `INSERT` is checked by the same policies
    as any other. On 200,000 residents this took 4.4 s against 6.1 s for an
    `INSERT … SELECT FROM unnest(arrays)` and 4.1 s for a COPY straight into the table.
    Elsewhere, Tortoise's bulk_create. Rows give field names; omitted fields take their defaults.
    """
    import json
    from datetime import UTC, datetime

    meta = model._meta
    fields = [
        (name, column, meta.fields_map[name])
        for name, column in meta.fields_db_projection.items()
        if not getattr(meta.fields_map[name], "generated", False)
    ]
    conn = connection()
    if not is_postgres(conn):
        if not returning:
            await model.bulk_create([model(**row) for row in rows], batch_size=1000)
            return []
        made = [await model.create(**row) for row in rows]  # the embedded default: small files
        return [{name: getattr(m, name) for name in returning} for m in made]
    if not isinstance(conn, TransactionalDBClient):
        raise RuntimeError("bulk inserts belong in a transaction (their staging table lives in it)")
    now = datetime.now(UTC)

    def default_of(field: Any) -> Any:
        if getattr(field, "auto_now_add", False) or getattr(field, "auto_now", False):
            return now
        return field.default() if callable(field.default) else field.default

    keys = [name for name, _, _ in fields]
    defaults = [default_of(f) for _, _, f in fields]
    json_at = [i for i, (_, _, f) in enumerate(fields) if f.__class__.__name__ == "JSONField"]

    def record(row: dict[str, Any]) -> tuple[Any, ...]:
        values = tuple(map(row.get, keys, defaults))  # the per-row cost of a large import: kept in C
        if not json_at:
            return values
        text = list(values)
        for i in json_at:
            text[i] = None if values[i] is None else json.dumps(values[i], ensure_ascii=False)
        return tuple(text)

    table, stage = meta.db_table, f"bulk_{meta.db_table}"
    columns = [column for _, column, _ in fields]
    names = ", ".join(f'"{column}"' for column in columns)
    insert = f'INSERT INTO "{table}" ({names}) SELECT {names} FROM "{stage}"'
    if returning:
        insert += " RETURNING " + ", ".join(f'"{meta.fields_db_projection[name]}" AS "{name}"' for name in returning)
    async with conn.acquire_connection() as raw:
        # The table's column types, no constraints, no rows; dropped when the transaction ends.
        # One round trip (simple protocol): the server idles for each.
        await raw.execute(
            f'CREATE TEMPORARY TABLE IF NOT EXISTS "{stage}" ON COMMIT DROP AS '
            f'SELECT {names} FROM "{table}" WITH NO DATA; TRUNCATE "{stage}"'
        )
        await raw.copy_records_to_table(stage, records=[record(r) for r in rows], columns=columns)
        if returning:
            return [dict(r) for r in await raw.fetch(insert)]
        await raw.execute(insert)
        return []


def tenant_owned_tables() -> list[str]:
    return sorted(_tenant_owned_models())


def district_readable_tables() -> list[str]:
    return sorted(table for table, model in _tenant_owned_models().items() if model.district_readable)


def row_level_security_sql(app_role: str | None) -> list[str]:
    """Idempotent statements: RLS policy on every tenant-owned table, grants for the app role."""
    statements: list[str] = []
    tenant_expr = "NULLIF(current_setting('app.tenant_id', true), '')::bigint"
    district_expr = "NULLIF(current_setting('app.district_id', true), '')::bigint"
    for table, model in sorted(_tenant_owned_models().items()):
        condition = f"tenant_id = {tenant_expr}"
        if model.rls_bypass_setting:
            condition += f" OR current_setting('{model.rls_bypass_setting}', true) = 'on'"
        statements += [
            f'ALTER TABLE "{table}" ENABLE ROW LEVEL SECURITY',
            f'DROP POLICY IF EXISTS {POLICY_NAME} ON "{table}"',
            f'CREATE POLICY {POLICY_NAME} ON "{table}" USING ({condition}) WITH CHECK ({condition})',
            f'DROP POLICY IF EXISTS {DISTRICT_POLICY_NAME} ON "{table}"',
        ]
        if model.district_readable:
            # SELECT only: in a district transaction no tenant is set, so tenant_isolation
            # refuses every write; the tenant table is a platform table without RLS.
            statements.append(
                f'CREATE POLICY {DISTRICT_POLICY_NAME} ON "{table}" FOR SELECT USING (tenant_id IN '
                f"(SELECT t.id FROM tenant t WHERE t.district_id = {district_expr}))"
            )
    statements += department_policy_sql()
    statements += sharing_policy_sql()
    if app_role:
        role = f'"{app_role}"'
        statements += [
            f"GRANT USAGE ON SCHEMA public TO {role}",
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}",
            f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}",
        ]
    return statements


DEPARTMENT_POLICY = "district_department"


def department_policy_sql() -> list[str]:
    """Idempotent statements: beside the tenant policy, one permissive policy per command a
    district department's staff need on a table (`TenantOwned.department_rls`)."""
    department = "NULLIF(current_setting('app.district_department_id', true), '')::bigint"
    statements: list[str] = []
    for table, model in sorted(_tenant_owned_models().items()):
        for command in ("SELECT", "INSERT", "UPDATE", "DELETE"):
            name = f"{DEPARTMENT_POLICY}_{command.lower()}"
            statements.append(f'DROP POLICY IF EXISTS {name} ON "{table}"')
            if (condition := model.department_rls.get(command)) is None:
                continue
            condition = condition.format(department=department)
            using = "" if command == "INSERT" else f" USING ({condition})"
            check = f" WITH CHECK ({condition})" if command in ("INSERT", "UPDATE") else ""
            statements.append(f'CREATE POLICY {name} ON "{table}" FOR {command}{using}{check}')
    return statements


SHARING_POLICY = "street_sharing"


def sharing_policy_sql() -> list[str]:
    """Idempotent statements: beside the tenant policy, one permissive policy per command
    another street may use on a table (`TenantOwned.sharing_rls`: the catalogue and requests of
    tenants/sharing/), and a restrictive one every insert must meet (`sharing_insert_check`)."""
    statements: list[str] = []
    for table, model in sorted(_tenant_owned_models().items()):
        for command in ("SELECT", "INSERT", "UPDATE", "DELETE"):
            name = f"{SHARING_POLICY}_{command.lower()}"
            statements.append(f'DROP POLICY IF EXISTS {name} ON "{table}"')
            if (condition := model.sharing_rls.get(command)) is None:
                continue
            using = "" if command == "INSERT" else f" USING ({condition})"
            check = f" WITH CHECK ({condition})" if command in ("INSERT", "UPDATE") else ""
            statements.append(f'CREATE POLICY {name} ON "{table}" FOR {command}{using}{check}')
        statements.append(f'DROP POLICY IF EXISTS {SHARING_POLICY}_insert_check ON "{table}"')
        if model.sharing_insert_check:
            statements.append(
                f'CREATE POLICY {SHARING_POLICY}_insert_check ON "{table}" AS RESTRICTIVE FOR INSERT '
                f"WITH CHECK ({model.sharing_insert_check})"
            )
    return statements


def _role_of(url: str) -> str | None:
    return urlsplit(url).username


async def migrate(settings: Settings | None = None) -> list[str]:
    """Apply Tortoise migrations with the owner role, then RLS policies and the app role's grants.

    Re-runnable: applied migrations are recorded by Tortoise, and the RLS step drops and
    recreates its policies. Returns a line per step for the CLI to print.
    """
    from tortoise.migrations.api import migrate as tortoise_migrate

    settings = settings or get_settings()
    owner_url = settings.effective_migration_database_url
    report: list[str] = []

    def progress(event: str, app_label: str, name: str) -> None:
        report.append(f"{event}: {app_label}.{name}")

    await tortoise_migrate(config=tortoise_config(owner_url), progress=progress)
    try:
        conn = connection()
        if is_postgres(conn):
            owner, app = _role_of(owner_url), _role_of(settings.effective_database_url)
            grantee = app if app and app != owner else None
            async with in_transaction("default") as tx:
                for statement in row_level_security_sql(grantee):
                    await tx.execute_script(statement)
            report.append(
                f"row-level security on {len(tenant_owned_tables())} tenant-owned tables"
                + (f"; grants to {grantee}" if grantee else "")
            )
    finally:
        await Tortoise.close_connections()
    return report
