"""A synthetic street of any size for benchmarks (`redgrid seed-demo --scale N`, bench/).

Communities of 100 buildings, about 200 residents a building in households of three, a
party group per building and 6% party members. Everything is derived from the row number,
so two runs build the same street, and the rows are the spreadsheets officials would send,
imported through the registers' own import path (tenants/imports.py).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date, timedelta

from redgrid.platform.context import RequestContext
from redgrid.tenants.grid import service as grid
from redgrid.tenants.grid.models import GridNode
from redgrid.tenants.imports import run_import
from redgrid.tenants.people import idcard
from redgrid.tenants.people.registers import PartyMembersRegister, ResidentsRegister

BUILDINGS_PER_COMMUNITY = 100
RESIDENTS_PER_BUILDING = 200
HOUSEHOLD_SIZE = 3
REGION = "320199"  # no demo or test uses it
FIRST_BIRTH = date(1935, 1, 1)
RESIDENT_HEADERS = ["姓名", "公民身份号码", "联系电话", "网格编码", "楼栋", "单元", "房号", "房屋类型", "标签"]
MEMBER_HEADERS = ["公民身份号码", "所在党组织", "党员类别", "入党时间"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀英华"


def building_paths(residents: int) -> list[str]:
    buildings = max(1, -(-residents // RESIDENTS_PER_BUILDING))
    return [f"S{b // BUILDINGS_PER_COMMUNITY + 1:02d}.B{b % BUILDINGS_PER_COMMUNITY + 1:03d}" for b in range(buildings)]


def id_number(i: int) -> str:
    """Unique for every i: 999 sequence numbers a birthday, birthdays from 1935 on."""
    return idcard.make(REGION, FIRST_BIRTH + timedelta(days=i // 999), i % 999 + 1)


def resident_rows(residents: int) -> Iterator[list[str]]:
    paths = building_paths(residents)
    for i in range(residents):
        path = paths[i // RESIDENTS_PER_BUILDING]
        household = (i % RESIDENTS_PER_BUILDING) // HOUSEHOLD_SIZE
        tags = "低保" if i % 97 == 0 else ("独居" if i % 89 == 0 else "")
        yield [
            SURNAMES[i % 20] + GIVEN[(i // 20) % 20] + GIVEN[(i // 400) % 20],
            id_number(i),
            f"139{i:08d}",
            path,
            path.rsplit(".", 1)[1],
            f"{household % 4 + 1}单元",
            f"{household // 4 + 1:02d}01",
            "出租" if household % 10 == 0 else "自住",
            tags,
        ]


def organisation_name(path: str) -> str:
    return f"{path}党小组"


def member_rows(residents: int) -> Iterator[list[str]]:
    paths = building_paths(residents)
    for i in range(0, residents, 17):  # about 6%
        yield [id_number(i), organisation_name(paths[i // RESIDENTS_PER_BUILDING]), "居住地党员", "1995-07-01"]


def as_csv(headers: list[str], rows: Iterator[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


async def build_grid(ctx: RequestContext, residents: int) -> int:
    """The street's two levels with a party group a building; returns the buildings made."""
    if await GridNode.filter(tenant_id=ctx.require_tenant().id).exists():
        raise ValueError("the scale tenant already has a grid")
    await grid.set_levels(ctx, ["社区", "楼栋"])
    communities: dict[str, int] = {}
    paths = building_paths(residents)
    for path in paths:
        community, building = path.split(".")
        if community not in communities:
            node = await grid.create_node(ctx, parent_id=None, code=community, name=f"第{community[1:]}社区")
            communities[community] = node.id
        node = await grid.create_node(ctx, parent_id=communities[community], code=building, name=f"{building[1:]}号楼")
        await grid.add_party_organisation(ctx, node.id, name=organisation_name(path), kind="group")
    return len(paths)


async def seed_scale(ctx: RequestContext, residents: int) -> str:
    buildings = await build_grid(ctx, residents)
    people = await run_import(ctx, ResidentsRegister(), "scale.csv", as_csv(RESIDENT_HEADERS, resident_rows(residents)))
    members = await run_import(
        ctx, PartyMembersRegister(), "members.csv", as_csv(MEMBER_HEADERS, member_rows(residents))
    )
    for result in (people, members):
        if result.errors:
            raise ValueError(f"the generated rows did not import: {result.errors[:3]}")
    return f"{buildings} buildings, {people.imported} residents, {members.imported} party members"
