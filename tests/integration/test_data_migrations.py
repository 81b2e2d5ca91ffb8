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


async def test_full_width_id_numbers_become_ascii_unless_the_ascii_one_is_registered(db, street):
    tenant = await Tenant.get(slug=street.slug)
    lone, twin = idcard.make("320115", date(1950, 3, 1), 901), idcard.make("320115", date(1950, 3, 1), 903)
    with pytest.raises(_Undo):  # the rows are the test's own: rolled back at the end
        async with tenant_transaction(tenant.id) as conn:
            node = await GridNode.filter(tenant_id=tenant.id).first()
            assert node is not None
            for name, number in (
                ("全角", lone.translate(FULL_WIDTH)),
                ("全角二", twin.translate(FULL_WIDTH)),
                ("半角", twin),
            ):
                await conn.execute_query(
                    "INSERT INTO resident (tenant_id, node_id, name, id_number, phone, living_alone, disabled, "
                    "low_income,"
                    " hardship, left_behind_child, floating, created_at)"
                    " VALUES ($1, $2, $3, $4, '', false, false, false, false, false, false, now())",
                    [tenant.id, node.id, name, number],
                )
            await ascii_id_numbers(None, SimpleNamespace(client=conn))
            rows = await conn.execute_query_dict(
                "SELECT name, id_number FROM resident WHERE name IN ('全角', '全角二', '半角') ORDER BY name"
            )
            assert {r["name"]: r["id_number"] for r in rows} == {
                "全角": lone,
                "全角二": twin.translate(FULL_WIDTH),
                "半角": twin,
            }
            raise _Undo


default_case_categories = importlib.import_module(
    "redgrid.platform.migrations.0009_default_case_categories"
).default_case_categories


async def test_a_tenant_without_categories_gets_the_defaults_and_one_with_its_own_keeps_them(db, street):
    """Run as `redgrid migrate` runs it: by the tables' owner, whom row-level security lets
    see every tenant (asyncpg straight to the owner's URL, in a transaction rolled back)."""
    import os

    import asyncpg

    owner = await asyncpg.connect(os.environ["REDGRID_TEST_MIGRATION_DATABASE_URL"])
    try:
        async with owner.transaction():
            own = street.tenant.id
            await owner.execute(
                "UPDATE case_category SET on_scene_minutes = 5 WHERE tenant_id = $1 AND code = 'dispute'", own
            )
            await owner.execute("DELETE FROM case_category WHERE tenant_id = $1 AND code = 'livelihood'", own)
            bare = await owner.fetchval(
                "INSERT INTO tenant (slug, name, kind, district_id, created_at)"
                " SELECT 'no-categories', '无类别', 'street', district_id, now() FROM tenant WHERE id = $1 "
                "RETURNING id",
                own,
            )
            client = SimpleNamespace(
                capabilities=SimpleNamespace(dialect="postgres"),
                execute_query=lambda sql, params: owner.execute(sql, *params),
            )
            await default_case_categories(None, SimpleNamespace(client=client))
            rows = await owner.fetch(
                "SELECT code, on_scene_minutes, resolve_minutes, answer_minutes FROM case_category WHERE "
                "tenant_id = $1",
                bare,
            )
            assert sorted(tuple(r) for r in rows) == sorted(
                (code, 10, 60, 1440)
                for code in ("city_appearance", "street_order", "safety_hazard", "dispute", "livelihood")
            )
            mine = dict(await owner.fetch("SELECT code, on_scene_minutes FROM case_category WHERE tenant_id = $1", own))
            assert mine["dispute"] == 5 and mine["livelihood"] == 10  # its own kept, the missing one back
            raise _Undo
    except _Undo:
        pass
    finally:
        await owner.close()


MIGRATE_TO = """
import asyncio, sys
from tortoise import Tortoise
from tortoise.migrations.api import migrate
from redgrid.platform.database import tortoise_config

async def main():
    try:
        await migrate(config=tortoise_config(sys.argv[1]), target=sys.argv[2] or None)
    finally:
        await Tortoise.close_connections()
asyncio.run(main())
"""
NUMBER_CONSTRAINTS = """SELECT n.nspname || '.' || c.conname FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid
    JOIN pg_namespace n ON n.oid = t.relnamespace WHERE t.relname = 'resident' AND c.contype = 'u' ORDER BY 1"""


def _migrate_to(url: str, target: str = ""):
    import subprocess
    import sys
    from pathlib import Path

    return subprocess.run(
        [sys.executable, "-c", MIGRATE_TO, url, target],
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        timeout=300,
    )


async def test_0010_swaps_only_its_own_tables_number_constraint_and_unapplies_once_none_is_held(db):
    """On a database of its own, migrated to 0009 by the owner, with a resident a party member
    refers to, another schema's `resident` and another unique constraint on this one: 0010
    drops only the (tenant_id, id_number) constraint of the schema's own table; its reverse
    is refused while a resident is held, then puts the constraint back."""
    import os
    from urllib.parse import urlsplit, urlunsplit

    import asyncpg

    owner_url = os.environ["REDGRID_TEST_MIGRATION_DATABASE_URL"]
    parts = urlsplit(owner_url)
    name = parts.path.strip("/") + "_mig0010"
    admin = await asyncpg.connect(urlunsplit(parts._replace(path="/postgres")))
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    url = urlunsplit(parts._replace(path=f"/{name}"))
    done = _migrate_to(url, "redgrid.0009_default_case_categories")
    assert done.returncode == 0, done.stderr
    owner = await asyncpg.connect(url)
    try:
        await owner.execute("""
            INSERT INTO district (slug, name, created_at) VALUES ('d', '区', now());
            INSERT INTO tenant (slug, name, kind, district_id, created_at) VALUES ('t', '街道', 'street', 1, now());
            INSERT INTO grid_node (tenant_id, code, path, name, level, head_name, head_phone, created_at)
                VALUES (1, 'n', 'n', '网格', 1, '', '', now());
            INSERT INTO resident (tenant_id, node_id, name, id_number, phone, living_alone, disabled, low_income,
                hardship, left_behind_child, floating, created_at)
                VALUES (1, 1, '党员', '110101195001010011', '', false, false, false, false, false, false, now());
            INSERT INTO party_organisation (tenant_id, node_id, name, kind, secretary_name, created_at)
                VALUES (1, 1, '支部', 'branch', '', now());
            INSERT INTO party_member (tenant_id, resident_id, organisation_id, category, joined_on, listed, photo_url,
                duties, phone_public, created_at)
                VALUES (1, 1, 1, 'in_service', '2000-07-01', true, '', '', false, now());
            ALTER TABLE resident ADD CONSTRAINT resident_id_name_unique UNIQUE (id, name);
            CREATE SCHEMA elsewhere;
            CREATE TABLE elsewhere.resident (tenant_id bigint, id_number varchar(18),
                CONSTRAINT elsewhere_number UNIQUE (tenant_id, id_number));
        """)
        assert await owner.fetch(NUMBER_CONSTRAINTS) == [
            ("elsewhere.elsewhere_number",),
            ("public.resident_id_name_unique",),
            ("public.uid_resident_tenant__68984b",),
        ]
        done = _migrate_to(url)
        assert done.returncode == 0, done.stderr
        assert await owner.fetch(NUMBER_CONSTRAINTS) == [
            ("elsewhere.elsewhere_number",),
            ("public.resident_id_name_unique",),
        ]
        assert await owner.fetchval("SELECT resident_id FROM party_member") == 1
        insert = (
            "INSERT INTO resident (tenant_id, node_id, name, id_number, phone, living_alone, disabled, low_income,"
            " hardship, left_behind_child, floating, created_at, held_of_id) VALUES (1, 1, $1,"
            " '110101195001010011', '', false, false, false, false, false, false, now(), $2) RETURNING id"
        )
        with pytest.raises(asyncpg.UniqueViolationError):
            await owner.fetchval(insert, "重复", None)
        held = await owner.fetchval(insert, "待核", 1)

        refused = _migrate_to(url, "redgrid.0009_default_case_categories")
        assert refused.returncode != 0 and "held for review" in refused.stderr
        assert await owner.fetchval("SELECT count(*) FROM tortoise_migrations WHERE name = '0010_held_residents'") == 1
        await owner.execute("DELETE FROM resident WHERE id = $1", held)
        done = _migrate_to(url, "redgrid.0009_default_case_categories")
        assert done.returncode == 0, done.stderr
        assert await owner.fetch(NUMBER_CONSTRAINTS) == [
            ("elsewhere.elsewhere_number",),
            ("public.resident_id_name_unique",),
            ("public.uid_resident_tenant__68984b",),
        ]
        assert (
            await owner.fetchval("SELECT count(*) FROM information_schema.columns WHERE column_name = 'held_of_id'")
            == 0
        )
        again = _migrate_to(url)
        assert again.returncode == 0, again.stderr
        assert (
            await owner.fetchval(
                "SELECT count(*) FROM pg_indexes WHERE indexname = 'uid_resident_registered_id_number'"
            )
            == 1
        )
    finally:
        await owner.close()
    admin = await asyncpg.connect(urlunsplit(parts._replace(path="/postgres")))
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()
