"""The people registers as spreadsheets: residents, households and party members, imported
through tenants/imports.py (every row checked, then all or nothing) and exported with the same
headers, masked as the caller's role requires.

A row names its grid node by the hierarchical code officials see on the grid map (the node's
path, e.g. "JS01.A1.B03"); a code that is unique in the tenant alone is accepted too. Rows are
checked against the caller's grid: a grid head imports into his subtree only. Imports write in
bulk (tenants' bulk_insert) and raise one `people.imported` event with counts, not one event
per row: the screens refresh their figures, and no personal data travels.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Iterable
from contextlib import suppress
from dataclasses import dataclass
from typing import Any, cast

from tortoise.expressions import Q

from redgrid.platform import events
from redgrid.platform.context import RequestContext
from redgrid.platform.database import bulk_insert, bulk_insert_returning
from redgrid.tenants.grid.codes import GRID, GridCodes
from redgrid.tenants.grid.models import PartyOrganisation
from redgrid.tenants.imports import Column, parse_date, parse_phone, parse_text, parse_word
from redgrid.tenants.people import colour, idcard, tags
from redgrid.tenants.people.models import (
    HOUSEHOLD_KINDS,
    PARTY_CATEGORIES,
    TYPED_TAGS,
    Household,
    PartyMember,
    Resident,
)
from redgrid.tenants.people.privacy import Area, require_edit, require_registers, viewer
from redgrid.tenants.people.service import Person, address_of, check_person
from redgrid.tenants.scope import in_scope, path_filter

SEX_WORDS = {"男": "male", "女": "female", "male": "male", "female": "female"}
KIND_WORDS = {"自住": "owned", "出租": "rental", "空置": "vacant", **{k: k for k in HOUSEHOLD_KINDS}}
TAG_WORDS = {
    "独居": "living_alone",
    "独居老人": "living_alone",
    "残疾": "disabled",
    "残疾人": "disabled",
    "低保": "low_income",
    "困难": "hardship",
    "困难户": "hardship",
    "留守儿童": "left_behind_child",
    "流动人口": "floating",
    **{t: t for t in TYPED_TAGS},
}
CATEGORY_WORDS = {
    "在职党员": "in_service",
    "在职": "in_service",
    "居住地党员": "resident",
    "社区党员": "resident",
    "离退休党员": "retired",
    "离退休": "retired",
    "流动党员": "floating",
    "流动": "floating",
    "下岗失业党员": "laid_off",
    "下岗": "laid_off",
    **{c: c for c in PARTY_CATEGORIES},
}
NAMES = {**{v: k for k, v in KIND_WORDS.items() if k != v}, **{v: k for k, v in SEX_WORDS.items() if k != v}}
TAG_NAMES = {
    "living_alone": "独居",
    "disabled": "残疾",
    "low_income": "低保",
    "hardship": "困难",
    "left_behind_child": "留守儿童",
    "floating": "流动人口",
    "over_60": "60岁以上",
    "over_80": "80岁以上",
}
DERIVED_TAG_WORDS = frozenset(
    {*tags.AGE_TAGS, *(TAG_NAMES[t] for t in tags.AGE_TAGS)}
)  # from the birth date, not typed
CATEGORY_NAMES = {
    "in_service": "在职党员",
    "resident": "居住地党员",
    "retired": "离退休党员",
    "floating": "流动党员",
    "laid_off": "下岗失业党员",
}
PERSON_HEADERS: dict[str | None, str] = {
    "sex": "性别",
    "birthDate": "出生日期",
    "idNumber": "公民身份号码",
    "name": "姓名",
}  # check_person's fields
TAG_SPLIT = re.compile(r"[,，、;；/\s]+")
CHUNK = 10_000  # ids per IN list: well under PostgreSQL's bind-parameter limit
TURN_ROWS = 500  # rows a writer prepares between turns of the event loop


def _id_number(raw: str) -> str:
    """Only normalised here: `check` parses it once (checksum, birth date, sex)."""
    return idcard.normalise(raw)


def _valid_id_number(raw: str) -> str:
    return idcard.parse(raw, tags.today()).number


def _tags(raw: str) -> tuple[str, ...]:
    """The typed tags; the age tags the export writes (60岁以上, 80岁以上) follow from the birth
    date, so they are read and dropped: an exported file imports back."""
    parse = parse_word(TAG_WORDS, "tags")
    return tuple(
        sorted({parse(word) for word in TAG_SPLIT.split(raw) if word and word.lower() not in DERIVED_TAG_WORDS})
    )


BUILDING, UNIT, ROOM = (
    Column("building", ("楼栋", "楼号"), parse=parse_text(50)),
    Column("unit", ("单元",), required=False, parse=parse_text(50)),
    Column("room", ("房号", "室号", "门牌号"), parse=parse_text(50)),
)


async def _recolour_all(tenant_id: int, household_ids: Iterable[int]) -> None:
    """Colours after a bulk write, chunked. No per-household events: see the module docstring."""
    ids = sorted(set(household_ids))
    for start in range(0, len(ids), CHUNK):
        await colour.refresh(tenant_id, ids[start : start + CHUNK])


async def _imported(ctx: RequestContext, register: str, count: int) -> None:
    await events.record(ctx, "people", "people.imported", {"register": register, "count": count})


async def _chunked(query: Any, column: str, values: list[Any], *fields: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for start in range(0, len(values), CHUNK):
        rows += await query.filter(**{f"{column}__in": values[start : start + CHUNK]}).values(*fields)
    return rows


class HouseholdsRegister:
    register = "households"
    columns: tuple[Column, ...] = (
        GRID,
        BUILDING,
        UNIT,
        ROOM,
        Column("kind", ("房屋类型", "kind"), required=False, parse=parse_word(KIND_WORDS, "房屋类型")),
    )
    unique: tuple[str, ...] = ("grid", "building", "unit", "room")

    async def prepare(self, ctx: RequestContext) -> tuple[GridCodes, set[tuple[Any, ...]]]:
        require_edit(ctx, Area.RESIDENTS)
        grid = await GridCodes.load(ctx)
        rows = await Household.filter(tenant_id=ctx.require_tenant().id).values_list(
            "node__path", "building", "unit", "room"
        )
        return grid, {(path, b, u or None, r) for path, b, u, r in rows}

    def existing(self, state: tuple[GridCodes, set[tuple[Any, ...]]]) -> set[tuple[Any, ...]]:
        return state[1]

    def check(self, row: dict[str, Any], state: tuple[GridCodes, Any]) -> list[tuple[str | None, str]]:
        grid = state[0]
        problems = grid.check(row["grid"])
        if not problems:
            row["grid"] = grid.node(row["grid"]).path  # so a plain code and its path are one key
        return problems

    async def write(
        self, ctx: RequestContext, parts: AsyncIterator[list[dict[str, Any]]], state: tuple[GridCodes, Any]
    ) -> int:
        tenant_id = ctx.require_tenant().id
        count = 0
        async for rows in parts:
            count += await bulk_insert(Household, [_household(tenant_id, state[0].node(r["grid"]).id, r) for r in rows])
        await _imported(ctx, self.register, count)
        return count

    async def export(self, ctx: RequestContext) -> list[dict[str, Any]]:
        require_registers(ctx)
        rows = (
            await in_scope(ctx, Household.all(), "node__path")
            .order_by("node__path", "address")
            .values("node__path", "building", "unit", "room", "kind", "colour")
        )
        return [
            {
                "grid": r["node__path"],
                "building": r["building"],
                "unit": r["unit"],
                "room": r["room"],
                "kind": NAMES.get(r["kind"], r["kind"]),
            }
            for r in rows
        ]


def _household(tenant_id: int, node_id: int, row: dict[str, Any], hardship: bool = False) -> dict[str, Any]:
    kind = row.get("kind") or "owned"
    unit = row["unit"] or ""
    return {
        "tenant_id": tenant_id,
        "node_id": node_id,
        "building": row["building"],
        "unit": unit,
        "room": row["room"],
        "address": address_of(row["building"], unit, row["room"]),
        "kind": kind,
        "colour": colour.derive(kind, False, hardship),
    }


class _Households:
    """The households a residents import puts people in, by (node id, building, unit, room):
    those registered before, read node by node as the file's parts reach them (only on nodes
    that held any when the import began: a street's first import reads none), and those the
    import creates, coloured from the members of the part that creates them. Any household
    that gains members it was not coloured with (one registered before, or one created by an
    earlier part) is in `to_recolour`."""

    FIELDS = ("id", "node_id", "building", "unit", "room")

    def __init__(self, tenant_id: int) -> None:
        self.tenant_id = tenant_id
        self.ids: dict[tuple[Any, ...], int] = {}
        self.to_recolour: set[int] = set()
        self._unread: set[int] | None = None  # nodes with households from before, not read yet

    async def add(self, wanted: dict[tuple[Any, ...], tuple[dict[str, Any], bool]]) -> None:
        """Every address of `wanted` in `ids`, creating the households not registered yet."""
        if self._unread is None:
            node_ids = await Household.filter(tenant_id=self.tenant_id).distinct().values_list("node_id", flat=True)
            self._unread = set(cast("list[int]", node_ids))  # tortoise types flat values_list rows as tuples
        unread = sorted({key[0] for key in wanted} & self._unread)
        if unread:
            query = Household.filter(tenant_id=self.tenant_id)
            self._learn(await _chunked(query, "node_id", unread, *self.FIELDS))
            self._unread.difference_update(unread)
        self.to_recolour.update(self.ids[key] for key in wanted if key in self.ids)
        new = [
            _household(self.tenant_id, key[0], r, hardship)
            for key, (r, hardship) in wanted.items()
            if key not in self.ids
        ]
        if new:
            self._learn(await bulk_insert_returning(Household, new, self.FIELDS))

    def _learn(self, households: list[dict[str, Any]]) -> None:
        for h in households:
            self.ids[_address(h["node_id"], h)] = h["id"]


def _want(
    wanted: dict[tuple[Any, ...], tuple[dict[str, Any], bool]], key: tuple[Any, ...], row: dict[str, Any]
) -> None:
    """Note a row's address (`key`, see `_address`) in `wanted`: its first row, and whether any
    member is in hardship."""
    hardship = bool({"low_income", "hardship"} & set(row["tags"] or ()))
    first, earlier = wanted.get(key, (row, False))
    wanted[key] = (first, earlier or hardship)


def _address(node_id: int, row: dict[str, Any]) -> tuple[Any, ...]:
    """A household's identity in its grid node, from a household or a resident's row (whose
    missing unit is stored as "")."""
    return node_id, row["building"], row["unit"] or "", row["room"]


class ResidentsRegister:
    """Residents, each optionally in a household given by address: an address not yet
    registered in that grid node becomes a new household (its kind from 房屋类型)."""

    register = "residents"
    columns: tuple[Column, ...] = (
        Column("name", ("姓名", "name"), parse=parse_text(100)),
        Column("id_number", ("公民身份号码", "身份证号", "身份证号码", "id_number"), required=False, parse=_id_number),
        Column("sex", ("性别", "sex"), required=False, parse=parse_word(SEX_WORDS, "性别")),
        Column("birth_date", ("出生日期", "birth_date"), required=False, parse=parse_date),
        Column("phone", ("联系电话", "手机号码", "电话", "phone"), required=False, parse=parse_phone),
        GRID,
        Column("building", BUILDING.headers, required=False, parse=BUILDING.parse),
        UNIT,
        Column("room", ROOM.headers, required=False, parse=ROOM.parse),
        Column("kind", ("房屋类型", "kind"), required=False, parse=parse_word(KIND_WORDS, "房屋类型")),
        Column("tags", ("标签", "人员类别", "tags"), required=False, parse=_tags),
    )
    unique: tuple[str, ...] = ("id_number",)

    @dataclass
    class State:
        grid: GridCodes
        in_scope: set[tuple[str]]  # numbers of the residents the caller's grid covers: DUPLICATE
        registered_elsewhere: dict[str, int]  # number → the resident a row with it is held of

    async def prepare(self, ctx: RequestContext) -> ResidentsRegister.State:
        """A number registered only outside the caller's grid is not a duplicate to him: the
        row is written held for review (tenants/people/conflicts.py), as a new number would
        be, so an import answers nothing about residents he may not see."""
        require_edit(ctx, Area.RESIDENTS)
        rows = await Resident.filter(tenant_id=ctx.require_tenant().id, id_number__isnull=False).values_list(
            "id", "id_number", "node__path", "held_of_id"
        )
        covered = {number for _, number, path, _ in rows if ctx.scope.covers(path)}
        elsewhere = {number: i for i, number, _, held_of in rows if held_of is None and number not in covered}
        return self.State(await GridCodes.load(ctx), {(n,) for n in covered}, elsewhere)

    def existing(self, state: ResidentsRegister.State) -> set[tuple[str]]:
        return state.in_scope

    def check(self, row: dict[str, Any], state: ResidentsRegister.State) -> list[tuple[str | None, str]]:
        row["held_of_id"] = state.registered_elsewhere.get(row["id_number"]) if row["id_number"] else None
        problems = state.grid.check(row["grid"])
        if (row["building"] is None) != (row["room"] is None):
            problems.append((ROOM.headers[0], "give both 楼栋 and 房号 for a household, or neither"))
        person = Person(name=row["name"], id_number=row["id_number"], sex=row["sex"], birth_date=row["birth_date"])
        errors, values = check_person(person, tags.today())
        problems += [(PERSON_HEADERS.get(e.field, e.field), e.message) for e in errors]
        row.update(sex=values.get("sex"), birth_date=values.get("birth_date"))
        return problems

    async def write(
        self,
        ctx: RequestContext,
        parts: AsyncIterator[list[dict[str, Any]]],
        state: ResidentsRegister.State,
    ) -> int:
        """Each part's residents are inserted by a task while the next part is made ready
        (its rows, its households), so the server is rarely left waiting on Python."""
        tenant_id = ctx.require_tenant().id
        grid = state.grid
        homes = _Households(tenant_id)
        count = 0
        inserting: asyncio.Task[int] | None = None
        try:
            async for rows in parts:
                wanted: dict[tuple[Any, ...], tuple[dict[str, Any], bool]] = {}
                keys: list[tuple[Any, ...] | None] = []
                residents: list[dict[str, Any]] = []
                for i, r in enumerate(rows, 1):
                    node_id = grid.node(r["grid"]).id
                    key = _address(node_id, r) if r["building"] is not None else None
                    if key is not None:
                        _want(wanted, key, r)
                    keys.append(key)
                    residents.append(self._resident(tenant_id, node_id, r))
                    if i % TURN_ROWS == 0:  # the insert in flight gets its turns: each round trip waits for one
                        await asyncio.sleep(0)
                if inserting is not None:
                    count += await inserting
                    inserting = None
                await homes.add(wanted)
                for resident, key in zip(residents, keys, strict=True):
                    if key is not None:
                        resident["household_id"] = homes.ids[key]
                inserting = asyncio.create_task(bulk_insert(Resident, residents))
                await asyncio.sleep(0)  # it sends the rows now; the next part is read meanwhile
            if inserting is not None:
                count += await inserting
                inserting = None
        finally:
            if inserting is not None:  # the part being written when the file was abandoned
                with suppress(Exception):
                    await inserting  # also collects an error it ended with, so none goes unread
        await _recolour_all(tenant_id, homes.to_recolour)
        await _imported(ctx, self.register, count)
        return count

    @staticmethod
    def _resident(tenant_id: int, node_id: int, r: dict[str, Any]) -> dict[str, Any]:
        return {
            "tenant_id": tenant_id,
            "node_id": node_id,
            "household_id": None,
            "name": r["name"],
            "id_number": r["id_number"],
            "sex": r["sex"],
            "birth_date": r["birth_date"],
            "phone": r["phone"] or "",
            "held_of_id": r["held_of_id"],
            **{t: t in (r["tags"] or ()) for t in TYPED_TAGS},
        }

    async def export(self, ctx: RequestContext) -> list[dict[str, Any]]:
        require_registers(ctx)
        view = viewer(ctx)
        found = (
            await in_scope(ctx, Resident.all(), "node__path")
            .select_related("node", "household")
            .order_by("node__path", "id")
        )
        out = []
        for r in found:
            shown = view(r)
            home = r.household
            out.append(
                {
                    "name": shown.name,
                    "id_number": shown.id_number,
                    "sex": NAMES.get(shown.sex or "", shown.sex),
                    "birth_date": shown.birth_date,
                    "phone": shown.phone,
                    "grid": r.node.path,
                    "building": home.building if home else None,
                    "unit": home.unit if home else None,
                    "room": home.room if home else None,
                    "kind": NAMES.get(home.kind) if home else None,
                    "tags": "、".join(TAG_NAMES[t] for t in shown.tags),
                }
            )
        return out


class PartyMembersRegister:
    """Party members, each an already registered resident found by ID-card number, in an
    organisation (by name) on or above his grid node."""

    register = "party_members"
    columns: tuple[Column, ...] = (
        Column("id_number", ("公民身份号码", "身份证号", "身份证号码", "id_number"), parse=_valid_id_number),
        Column("name", ("姓名", "name"), required=False, parse=parse_text(100)),
        Column("organisation", ("所在党组织", "党组织", "organisation"), parse=parse_text(200)),
        Column("category", ("党员类别", "category"), parse=parse_word(CATEGORY_WORDS, "党员类别")),
        Column("joined_on", ("入党时间", "入党日期", "joined_on"), parse=parse_date),
    )
    unique: tuple[str, ...] = ("id_number",)

    @dataclass
    class State:
        residents: dict[str, tuple[int, str, str, int | None]]  # number → id, name, path, household
        organisations: dict[str, list[tuple[int, str]]]  # name → [(id, node path)]
        members: set[int]  # residents who are party members
        ctx: RequestContext

    async def prepare(self, ctx: RequestContext) -> PartyMembersRegister.State:
        """A number finds the resident the caller's grid covers, the registered one before one
        held for review; a number found only outside his grid answers as one never registered."""
        require_edit(ctx, Area.PARTY)
        tenant_id = ctx.require_tenant().id
        rows = (
            await Resident.filter(tenant_id=tenant_id, id_number__isnull=False)
            .filter(path_filter(ctx, "node__path") or Q())
            .values_list("id", "id_number", "name", "node__path", "household_id", "held_of_id")
        )
        rows.sort(key=lambda r: r[5] is None)  # held ones first: the registered one, if any, overwrites
        orgs: dict[str, list[tuple[int, str]]] = {}
        for org_id, name, path in await PartyOrganisation.filter(tenant_id=tenant_id).values_list(
            "id", "name", "node__path"
        ):
            orgs.setdefault(name, []).append((org_id, path))
        members = cast("list[int]", await PartyMember.filter(tenant_id=tenant_id).values_list("resident_id", flat=True))
        return self.State({n: (i, name, p, h) for i, n, name, p, h, _ in rows}, orgs, set(members), ctx)

    def existing(self, state: PartyMembersRegister.State) -> set[tuple[str]]:
        return set()  # membership is per resident, found in `check`

    def check(self, row: dict[str, Any], state: PartyMembersRegister.State) -> list[tuple[str | None, str]]:
        resident = state.residents.get(row["id_number"])
        if resident is None:
            return [
                ("公民身份号码", "no resident with this ID-card number is registered in your grid: import him first")
            ]
        resident_id, name, home, _ = resident
        if resident_id in state.members:
            return [("公民身份号码", "already registered in this tenant")]
        problems: list[tuple[str | None, str]] = []
        if row["name"] and row["name"] != name:
            problems.append(("姓名", "the register has another name for this ID-card number"))
        if row["joined_on"] > tags.today():
            problems.append(("入党时间", "a date in the past"))
        over = [
            org_id
            for org_id, path in state.organisations.get(row["organisation"], ())
            if home == path or home.startswith(path + ".")
        ]
        if not state.organisations.get(row["organisation"]):
            problems.append(("所在党组织", f"no party organisation is named {row['organisation']!r}"))
        elif len(over) != 1:
            problems.append(("所在党组织", "that organisation is not over the resident's grid node"))
        else:
            row["organisation_id"] = over[0]
        return problems

    async def write(
        self, ctx: RequestContext, parts: AsyncIterator[list[dict[str, Any]]], state: PartyMembersRegister.State
    ) -> int:
        tenant_id = ctx.require_tenant().id
        count = 0
        homes: set[int] = set()
        async for rows in parts:
            count += await bulk_insert(
                PartyMember,
                [
                    {
                        "tenant_id": tenant_id,
                        "resident_id": state.residents[r["id_number"]][0],
                        "organisation_id": r["organisation_id"],
                        "category": r["category"],
                        "joined_on": r["joined_on"],
                    }
                    for r in rows
                ],
            )
            homes.update(h for r in rows if (h := state.residents[r["id_number"]][3]) is not None)
        await _recolour_all(tenant_id, homes)
        await _imported(ctx, self.register, count)
        return count

    async def export(self, ctx: RequestContext) -> list[dict[str, Any]]:
        require_registers(ctx)
        view = viewer(ctx)
        found = (
            await in_scope(ctx, PartyMember.all(), "resident__node__path")
            .select_related("resident", "organisation")
            .order_by("organisation__name", "id")
        )
        return [
            {
                "id_number": view(m.resident).id_number,
                "name": m.resident.name,
                "organisation": m.organisation.name,
                "category": CATEGORY_NAMES.get(m.category, m.category),
                "joined_on": m.joined_on,
            }
            for m in found
        ]
