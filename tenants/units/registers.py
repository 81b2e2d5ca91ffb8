"""The joint-building units register as a spreadsheet: one row a unit, with its first contact
and the grid node it is paired with (tenants/imports.py checks every row, then writes all)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any, cast

from redgrid.platform import events
from redgrid.platform.context import RequestContext
from redgrid.platform.database import bulk_insert
from redgrid.tenants.grid.codes import GridCodes
from redgrid.tenants.imports import Column, parse_phone, parse_text, parse_word
from redgrid.tenants.units.access import contacts_viewer, covers_pairing, require, require_sees
from redgrid.tenants.units.models import UNIT_KINDS, JointUnit
from redgrid.tenants.units.service import units

KIND_WORDS = {
    "企业": "enterprise",
    "学校": "school",
    "医院": "hospital",
    "机关": "organ",
    "机关事业单位": "organ",
    "两新组织": "two_new",
    "物业公司": "property_company",
    "物业": "property_company",
    "业主委员会": "owners_committee",
    "业委会": "owners_committee",
    "其他": "other",
    **{k: k for k in UNIT_KINDS},
}
KIND_NAMES = {v: k for k, v in KIND_WORDS.items() if not k.isascii() and k not in ("机关事业单位", "物业", "业委会")}


class UnitsRegister:
    register = "units"
    columns: tuple[Column, ...] = (
        Column("name", ("单位名称", "name"), parse=parse_text(200)),
        Column("kind", ("单位类型", "kind"), parse=parse_word(KIND_WORDS, "单位类型")),
        Column(
            "party_organisation", ("党组织", "单位党组织", "party_organisation"), required=False, parse=parse_text(200)
        ),
        Column("contact", ("联系人", "contact"), required=False, parse=parse_text(100)),
        Column("phone", ("联系电话", "phone"), required=False, parse=parse_phone),
        Column("grid", ("结对网格编码", "结对社区", "paired_grid"), required=False, parse=parse_text(400)),
    )
    unique: tuple[str, ...] = ("name",)

    async def prepare(self, ctx: RequestContext) -> tuple[GridCodes, set[tuple[str]]]:
        require(ctx, "edits")
        units = JointUnit.filter(tenant_id=ctx.require_tenant().id)
        names = cast("list[str]", await units.values_list("name", flat=True))  # tortoise types flat rows as tuples
        return await GridCodes.load(ctx), {(n,) for n in names}

    def existing(self, state: tuple[GridCodes, set[tuple[str]]]) -> set[tuple[str]]:
        return state[1]

    def check(self, row: dict[str, Any], state: tuple[GridCodes, Any]) -> list[tuple[str | None, str]]:
        problems: list[tuple[str | None, str]] = []
        if row["grid"] is not None:
            problems += [("结对网格编码", reason) for _, reason in state[0].check(row["grid"])]
        elif not covers_pairing(state[0].ctx, None):
            problems.append(("结对网格编码", "only a secretary of the whole street keeps unpaired units"))
        if row["phone"] and not row["contact"]:
            problems.append(("联系人", "a phone needs the contact's name"))
        return problems

    async def write(
        self, ctx: RequestContext, parts: AsyncIterator[list[dict[str, Any]]], state: tuple[GridCodes, Any]
    ) -> int:
        tenant_id = ctx.require_tenant().id
        count = 0
        async for rows in parts:
            count += await bulk_insert(
                JointUnit,
                [
                    {
                        "tenant_id": tenant_id,
                        "name": r["name"],
                        "kind": r["kind"],
                        "party_organisation": r["party_organisation"] or "",
                        "contacts": [{"name": r["contact"], "phone": r["phone"] or "", "role": ""}]
                        if r["contact"]
                        else [],
                        "paired_node_id": state[0].node(r["grid"]).id if r["grid"] else None,
                    }
                    for r in rows
                ],
            )
        await events.record(ctx, "grid", "units.imported", {"register": self.register, "count": count})
        return count

    async def export(self, ctx: RequestContext) -> list[dict[str, Any]]:
        require_sees(ctx)
        shown = contacts_viewer(ctx)
        out = []
        for unit in await units(ctx).select_related("paired_node").order_by("name"):
            first = (shown(unit.contacts) or [{}])[0]
            out.append(
                {
                    "name": unit.name,
                    "kind": KIND_NAMES.get(unit.kind, unit.kind),
                    "party_organisation": unit.party_organisation,
                    "contact": first.get("name"),
                    "phone": first.get("phone"),
                    "grid": unit.paired_node.path if unit.paired_node else None,
                }
            )
        return out
