"""Data migrations, run on rows they were written for (a fresh test database has none)."""

from __future__ import annotations

import importlib
from datetime import date
from types import SimpleNamespace

import pytest

from redgrid.platform.database import tenant_transaction
from redgrid.platform.models import Tenant
from redgrid.tenants.grid.models import GridNode
from redgrid.tenants.people import idcard

ascii_id_numbers = importlib.import_module("redgrid.platform.migrations.0008_ascii_id_numbers").ascii_id_numbers
FULL_WIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")


class _Undo(Exception):
    pass


async def test_full_width_id_numbers_become_ascii_unless_the_ascii_one_is_registered(db):
    tenant = await Tenant.get(slug="jinshui")
    lone, twin = idcard.make("320115", date(1950, 3, 1), 901), idcard.make("320115", date(1950, 3, 1), 903)
    with pytest.raises(_Undo):  # the rows are the test's own: rolled back at the end
        async with tenant_transaction(tenant.id) as conn:
            node = await GridNode.filter(tenant_id=tenant.id).first()
            assert node is not None
            for name, number in (("全角", lone.translate(FULL_WIDTH)), ("全角二", twin.translate(FULL_WIDTH)), ("半角", twin)):
                await conn.execute_query(
                    "INSERT INTO resident (tenant_id, node_id, name, id_number, phone, living_alone, disabled, low_income,"
                    " hardship, left_behind_child, floating, created_at)"
                    " VALUES ($1, $2, $3, $4, '', false, false, false, false, false, false, now())",
                    [tenant.id, node.id, name, number])
            await ascii_id_numbers(None, SimpleNamespace(client=conn))
            rows = await conn.execute_query_dict(
                "SELECT name, id_number FROM resident WHERE name IN ('全角', '全角二', '半角') ORDER BY name")
            assert {r["name"]: r["id_number"] for r in rows} == {
                "全角": lone, "全角二": twin.translate(FULL_WIDTH), "半角": twin}
            raise _Undo


default_case_categories = importlib.import_module("redgrid.platform.migrations.0009_default_case_categories").default_case_categories


async def test_a_tenant_without_categories_gets_the_defaults_and_one_with_its_own_keeps_them(db):
    """Run as `redgrid migrate` runs it: by the tables' owner, whom row-level security lets
    see every tenant (asyncpg straight to the owner's URL, in a transaction rolled back)."""
    import os

    import asyncpg

    owner = await asyncpg.connect(os.environ["REDGRID_TEST_MIGRATION_DATABASE_URL"])
    try:
        async with owner.transaction():
            jinshui = await owner.fetchval("SELECT id FROM tenant WHERE slug = 'jinshui'")
            await owner.execute("UPDATE case_category SET on_scene_minutes = 5 WHERE tenant_id = $1 AND code = 'dispute'", jinshui)
            await owner.execute("DELETE FROM case_category WHERE tenant_id = $1 AND code = 'livelihood'", jinshui)
            bare = await owner.fetchval(
                "INSERT INTO tenant (slug, name, kind, district_id, created_at)"
                " SELECT 'no-categories', '无类别', 'street', district_id, now() FROM tenant WHERE id = $1 RETURNING id", jinshui)
            client = SimpleNamespace(capabilities=SimpleNamespace(dialect="postgres"),
                                     execute_query=lambda sql, params: owner.execute(sql, *params))
            await default_case_categories(None, SimpleNamespace(client=client))
            rows = await owner.fetch("SELECT code, on_scene_minutes, resolve_minutes, answer_minutes FROM case_category WHERE tenant_id = $1", bare)
            assert sorted(tuple(r) for r in rows) == sorted((code, 10, 60, 1440) for code in (
                "city_appearance", "street_order", "safety_hazard", "dispute", "livelihood"))
            mine = dict(await owner.fetch("SELECT code, on_scene_minutes FROM case_category WHERE tenant_id = $1", jinshui))
            assert mine["dispute"] == 5 and mine["livelihood"] == 10  # its own kept, the missing one back
            raise _Undo
    except _Undo:
        pass
    finally:
        await owner.close()
