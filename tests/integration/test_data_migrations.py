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
