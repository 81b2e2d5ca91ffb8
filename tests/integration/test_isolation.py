"""Tenancy is enforced twice: by the services' filters and by PostgreSQL row-level security."""

from __future__ import annotations

import asyncio
import base64
from urllib.parse import urlsplit

import asyncpg
import pytest

from redgrid.platform.database import (
    _tenant_owned_models,
    connection,
    district_readable_tables,
    tenant_owned_tables,
    tenant_transaction,
)
from redgrid.platform.models import Tenant
from redgrid.tenants.grid.models import GridNode

from .clients import gql_data, password_token

NODES = "query($after: String) { gridNodes(first: 500, after: $after) { totalCount edges { node { id path } } } }"
NODE = "query($id: ID!) { node(id: $id) { id ... on GridNode { path } } }"


def global_id(node_id: int) -> str:
    return base64.b64encode(f"GridNode:{node_id}".encode()).decode()


@pytest.fixture(scope="module")
async def tenants(db):
    return {t.slug: t for t in await Tenant.all()}


async def test_tenant_a_token_finds_none_of_tenant_b(live_server, db, tenants):
    token = password_token("jinshui-secretary")
    data = await gql_data(live_server, NODES, token=token)
    paths = {e["node"]["path"] for e in data["gridNodes"]["edges"]}
    async with tenant_transaction(tenants["jinshui"].id):
        jinshui_count = await GridNode.filter(tenant_id=tenants["jinshui"].id, retired_at=None).count()
    assert data["gridNodes"]["totalCount"] == jinshui_count == len(paths) >= 37
    assert all(p.startswith("JS01") for p in paths)
    async with tenant_transaction(tenants["hushu"].id):
        hushu_ids = await GridNode.filter(tenant_id=tenants["hushu"].id).values_list("id", flat=True)
    assert len(hushu_ids) >= 218
    for node_id in hushu_ids[:20]:
        found = await gql_data(live_server, NODE, {"id": global_id(node_id)}, token=token)
        assert found["node"] is None


async def test_row_level_security_holds_when_the_filter_is_bypassed(db, tenants):
    jinshui, hushu = tenants["jinshui"].id, tenants["hushu"].id
    # Raw SQL through the app's own connection, deliberately without a tenant filter.
    async with tenant_transaction(jinshui) as conn:
        rows = await conn.execute_query_dict("SELECT tenant_id FROM grid_node WHERE tenant_id = $1", [hushu])
        assert rows == []
        everything = await conn.execute_query_dict("SELECT DISTINCT tenant_id FROM grid_node")
        assert everything == [{"tenant_id": jinshui}]
        # Writing into another tenant is refused by the policy's WITH CHECK.
        with pytest.raises(Exception, match="row-level security"):
            async with tenant_transaction(jinshui) as inner:
                await inner.execute_query(
                    "INSERT INTO grid_node (tenant_id, code, path, name, level, created_at) "
                    "VALUES ($1, 'X', 'X', 'x', 1, now())",
                    [hushu],
                )
    async with tenant_transaction(None) as conn:
        assert await conn.execute_query_dict("SELECT * FROM grid_node") == []
        assert await conn.execute_query_dict("SELECT * FROM account") == []
    # Outside any transaction: nothing is set on the pooled connection either.
    assert await connection().execute_query_dict("SELECT * FROM grid_node") == []


async def test_a_transaction_cut_off_mid_way_leaves_no_tenant_on_its_pooled_connection(db, tenants):
    """The pool does not RESET a released connection (platform/database.py): what keeps the next
    request from seeing this one's tenant is that the tenant is set for the transaction only,
    and that a transaction cut off is rolled back (by Tortoise, or by asyncpg on release)."""
    entered = asyncio.Event()
    backend: list[int] = []

    async def cut_off() -> None:
        async with tenant_transaction(tenants["jinshui"].id) as conn:
            _, rows = await conn.execute_query("SELECT pg_backend_pid() AS pid")
            backend.append(rows[0]["pid"])
            entered.set()
            await conn.execute_query("SELECT pg_sleep(30)")

    task = asyncio.create_task(cut_off())
    await entered.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    # asyncpg's pool hands out the connection released last: the one the cut-off request used.
    rows = await connection().execute_query_dict(
        "SELECT pg_backend_pid() AS pid, current_setting('app.tenant_id', true) AS tenant, count(*) AS nodes "
        "FROM grid_node"
    )
    assert rows[0]["pid"] == backend[0]  # the same session, kept by the pool
    assert rows[0]["tenant"] in (None, "") and rows[0]["nodes"] == 0


async def test_every_tenant_owned_table_has_its_policy(db):
    tables = tenant_owned_tables()
    assert {"grid_node", "account"} <= set(tables)
    rows = await connection().execute_query_dict(
        "SELECT c.relname, c.relrowsecurity, "
        "(SELECT count(*) FROM pg_policy p WHERE p.polrelid = c.oid) AS policies "
        "FROM pg_class c WHERE c.relname = ANY($1::text[])",
        [tables],
    )
    assert {r["relname"] for r in rows} == set(tables)
    # The tenant policy, one per command a district department's staff have on the table, on
    # the tables a district's overview reads a SELECT-only one, and one per command another
    # street has (and its insert check) on the tables of sharing across streets.
    models = _tenant_owned_models()
    readable = set(district_readable_tables())

    def expected(model) -> int:
        return 1 + len(model.department_rls) + len(model.sharing_rls) + (model.sharing_insert_check is not None)

    assert all(
        r["relrowsecurity"] and r["policies"] == expected(models[r["relname"]]) + (r["relname"] in readable)
        for r in rows
    ), rows
    assert sum(r["policies"] for r in rows) > len(rows)  # the case tables have department policies
    # Every table with a tenant_id column is a TenantOwned model.
    with_column = await connection().execute_query_dict(
        "SELECT table_name FROM information_schema.columns WHERE table_schema = 'public' AND column_name = 'tenant_id'"
    )
    assert {r["table_name"] for r in with_column} == set(tables)


async def test_app_role_is_not_owner_and_cannot_bypass(db, fresh_database):
    app_role = urlsplit(fresh_database["REDGRID_DATABASE_URL"]).username
    conn = await asyncpg.connect(fresh_database["REDGRID_DATABASE_URL"])
    try:
        role = await conn.fetchrow("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = $1", app_role)
        assert role["rolsuper"] is False and role["rolbypassrls"] is False
        owners = await conn.fetch("SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'public'")
        assert app_role not in {r["tableowner"] for r in owners}
    finally:
        await conn.close()


async def test_migrate_is_rerunnable(fresh_database):
    from .conftest import redgrid

    second = redgrid(fresh_database, "migrate")
    assert "apply_done" not in second.stdout
    assert "row-level security" in second.stdout


async def test_a_nested_tenant_transaction_gives_the_outer_block_its_tenant_back(db):
    """A tenant transaction inside another is a savepoint: released, the outer block's tenant
    is set again (PostgreSQL keeps a released savepoint's set_config); rolled back, undone."""

    async def tenant_now(conn) -> str:
        return (await conn.execute_query_dict("SELECT current_setting('app.tenant_id', true) AS t"))[0]["t"]

    jinshui = await Tenant.get(slug="jinshui")
    async with tenant_transaction(None) as outer:
        async with tenant_transaction(jinshui.id) as inner:
            assert await tenant_now(inner) == str(jinshui.id)
            assert await GridNode.filter(tenant_id=jinshui.id).exists()
        assert await tenant_now(outer) == ""
        assert not await GridNode.filter(tenant_id=jinshui.id).exists()  # RLS hides the tenant's rows again
        with pytest.raises(RuntimeError):
            async with tenant_transaction(jinshui.id):
                raise RuntimeError("rolled back")
        assert await tenant_now(outer) == ""
