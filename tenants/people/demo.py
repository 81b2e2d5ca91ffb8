"""Demo registers: Jinshui Garden's ~4,000 residents over its 30 buildings, a smaller set in
Hushu's first village.

Generated from a fixed seed, so every run builds the same people (valid GB 11643 numbers
included), and written in bulk, straight to the tables: the data is valid by construction
(numbers from idcard.make, colours from colour.refresh), and nobody is subscribed to the
events of a database being seeded, so none are recorded.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from redgrid.platform.context import RequestContext
from redgrid.tenants.grid.models import GridNode, PartyOrganisation
from redgrid.tenants.people import colour, idcard, tags
from redgrid.tenants.people.models import (
    Attendance,
    Commitment,
    Household,
    Pairing,
    PartyMember,
    PointsEntry,
    Resident,
    ServiceRecord,
    Volunteer,
    VolunteerTeam,
)
from redgrid.tenants.people.party import ATTENDANCE_POINTS
from redgrid.tenants.people.service import address_of
from redgrid.tenants.scope import subtree

REGION = "320115"  # 南京市江宁区
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹"
GIVEN = (
    "伟",
    "芳",
    "娜",
    "敏",
    "静",
    "丽",
    "强",
    "磊",
    "军",
    "洋",
    "勇",
    "艳",
    "杰",
    "娟",
    "涛",
    "明",
    "超",
    "秀英",
    "桂英",
    "玉兰",
    "建国",
    "建华",
    "国强",
    "志强",
    "秀兰",
    "春梅",
    "海燕",
    "文华",
    "德明",
    "淑珍",
)
DUTIES = ("楼栋长", "政策宣传员", "矛盾调解员", "环境监督员", "平安巡逻员", "助老服务员")
PROMISES = ("每周巡查楼道消防通道", "结对帮扶一户困难家庭", "每月参加一次志愿服务", "协助调解邻里纠纷", "宣传垃圾分类")
SERVICES = ("楼道清理", "陪同独居老人就医", "垃圾分类宣传", "夜间平安巡逻", "为老人代购生活用品")


@dataclass(frozen=True)
class Plan:
    """Where the people live: grid nodes at `level` (under `under`, when given), each with
    `buildings` buildings; how many residents; the demo volunteer's grid."""

    level: int
    residents: int
    buildings: int
    volunteer_under: str
    under: str | None = None
    seed: int = 11643


PLANS = {
    "jinshui": Plan(level=3, residents=4000, buildings=1, volunteer_under="JS01.A1.B03"),
    "hushu": Plan(level=3, residents=600, buildings=4, volunteer_under="HS.V01", under="HS.V01", seed=1938),
}


@dataclass
class Person:
    name: str
    birth: date
    male: bool
    household: int  # index into the household list
    tags: set[str]


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def _birth(rng: random.Random, today: date, low: int, high: int) -> date:
    return today - timedelta(days=rng.randint(low * 365 + 1, high * 365 - 1))


def _phone(rng: random.Random) -> str:
    return f"1{rng.choice('35789')}{rng.randint(0, 999_999_999):09d}"


def _household_people(rng: random.Random, size: int, today: date) -> list[tuple[date, set[str]]]:
    """Births and tags of one household: an elder living alone, an elderly couple, or a family."""
    if size == 1:
        old = rng.random() < 0.75
        birth = _birth(rng, today, 60, 95) if old else _birth(rng, today, 22, 59)
        return [(birth, {"living_alone"} if old else set())]
    if rng.random() < 0.62:  # elderly couple, maybe with a grown child and grandchild
        people: list[tuple[date, set[str]]] = [(_birth(rng, today, 60, 92), set()), (_birth(rng, today, 60, 90), set())]
        if size >= 3:
            people.append((_birth(rng, today, 25, 55), set()))
        if size == 4:
            people.append((_birth(rng, today, 3, 16), {"left_behind_child"} if rng.random() < 0.3 else set()))
        return people
    people = [(_birth(rng, today, 25, 58), set()) for _ in range(2)]
    people += [(_birth(rng, today, 1, 20), set()) for _ in range(size - 2)]
    return people


def _org_for(node: GridNode, orgs: Sequence[PartyOrganisation]) -> PartyOrganisation:
    """The organisation on the node or its nearest ancestor."""
    over = [o for o in orgs if node.path == o.node.path or node.path.startswith(o.node.path + ".")]
    return max(over, key=lambda o: len(o.node.path))


async def _ids(query: Any, key: str) -> dict[Any, int]:
    return {row[key]: row["id"] for row in await query.values("id", key)}


async def seed_people(ctx: RequestContext, shape: str) -> str:
    """Build the tenant's demo registers after the demo tenant `shape` (a key of PLANS); the
    demo user names are the tenant's own. Returns a line for the seed report."""
    tenant_id = ctx.require_tenant().id
    plan = PLANS[shape]
    rng, today = random.Random(plan.seed), tags.today()
    query = GridNode.filter(tenant_id=tenant_id, level=plan.level, retired_at=None)
    nodes = await (query.filter(subtree("path", plan.under)) if plan.under else query).order_by("path")
    orgs = await PartyOrganisation.filter(tenant_id=tenant_id).select_related("node")

    # Households and their people, node by node.
    households: list[Household] = []
    places: set[tuple[int, str]] = set()
    people: list[Person] = []
    per_node = plan.residents // len(nodes)
    for node in nodes:
        count = 0
        while count < per_node:
            b = rng.randint(1, plan.buildings)
            building = node.name if plan.buildings == 1 else f"{b}幢"
            unit, room = f"{rng.randint(1, 3)}单元", f"{rng.randint(1, 6)}{rng.randint(1, 4):02d}"
            if (node.id, address_of(building, unit, room)) in places:
                continue
            places.add((node.id, address_of(building, unit, room)))
            vacant = rng.random() < 0.04
            kind = "vacant" if vacant else ("rental" if rng.random() < 0.15 else "owned")
            households.append(
                Household(
                    tenant_id=tenant_id,
                    node_id=node.id,
                    building=building,
                    unit=unit,
                    room=room,
                    address=address_of(building, unit, room),
                    kind=kind,
                )
            )
            if vacant:
                continue
            size = rng.choices((1, 2, 3, 4), weights=(30, 35, 20, 15))[0]
            poor = rng.random() < 0.06
            for birth, marks in _household_people(rng, size, today):
                if poor:
                    marks.add("low_income" if rng.random() < 0.6 else "hardship")
                if kind == "rental" and rng.random() < 0.5:
                    marks.add("floating")
                if rng.random() < 0.03:
                    marks.add("disabled")
                people.append(Person(_name(rng), birth, rng.random() < 0.5, len(households) - 1, marks))
                count += 1
    await Household.bulk_create(households, batch_size=1000)
    rows = await Household.filter(tenant_id=tenant_id).values("id", "node_id", "address")
    by_place = {(r["node_id"], r["address"]): r["id"] for r in rows}
    ids_of_household = [by_place[(h.node_id, h.address)] for h in households]  # type: ignore[attr-defined]

    # Residents, each with a unique valid ID-card number.
    taken: set[str] = set()
    residents = []
    for p in people:
        sequence = rng.randrange(1 if p.male else 0, 1000, 2)
        number = idcard.make(REGION, p.birth, sequence)
        while number in taken:
            sequence = (sequence + 2) % 1000
            number = idcard.make(REGION, p.birth, sequence)
        taken.add(number)
        h = households[p.household]
        residents.append(
            Resident(
                tenant_id=tenant_id,
                node_id=h.node_id,  # type: ignore[attr-defined]
                household_id=ids_of_household[p.household],
                name=p.name,
                id_number=number,
                sex="male" if p.male else "female",
                birth_date=p.birth,
                phone=_phone(rng) if tags.age_on(p.birth, today) >= 14 else "",
                **{t: True for t in p.tags},
            )
        )
    await Resident.bulk_create(residents, batch_size=1000)
    resident_ids = await _ids(Resident.filter(tenant_id=tenant_id), "id_number")
    for r in residents:
        r.id = resident_ids[r.id_number]

    members = await _party_members(tenant_id, rng, today, nodes, orgs, residents)
    pairings = await _volunteers(ctx, plan, rng, today, nodes, residents)
    await colour.refresh(tenant_id, set(ids_of_household))
    return f"{len(residents)} residents in {len(households)} households, {members} party members, {pairings} pairings"


async def _party_members(
    tenant_id: int,
    rng: random.Random,
    today: date,
    nodes: Sequence[GridNode],
    orgs: Sequence[PartyOrganisation],
    residents: Sequence[Resident],
) -> int:
    """Five to eight adults per node in its party group, with their cards and points."""
    adults: dict[int, list[Resident]] = {}
    for r in residents:
        if tags.age_on(r.birth_date, today) >= 22:  # type: ignore[arg-type]
            adults.setdefault(r.node_id, []).append(r)  # type: ignore[attr-defined]
    members = []
    for node in nodes:
        org = _org_for(node, orgs)
        for i, r in enumerate(rng.sample(adults[node.id], min(len(adults[node.id]), rng.randint(5, 8)))):
            age = tags.age_on(r.birth_date, today)  # type: ignore[arg-type]
            category = (
                "retired" if age >= 60 else rng.choice(("in_service", "in_service", "resident", "floating", "laid_off"))
            )
            joined = tags.years_before(today, rng.randint(1, max(1, age - 20)))
            members.append(
                PartyMember(
                    tenant_id=tenant_id,
                    resident_id=r.id,
                    organisation_id=org.id,
                    category=category,
                    joined_on=joined,
                    listed=i < 3,
                    photo_url=f"https://photos.example.cn/party/{r.id}.jpg" if i < 3 else "",
                    duties=DUTIES[(node.id + i) % len(DUTIES)] if i < 3 else "",
                    phone_public=i < 2,
                )
            )
    await PartyMember.bulk_create(members, batch_size=1000)
    member_ids = await _ids(PartyMember.filter(tenant_id=tenant_id), "resident_id")
    now = datetime.now(UTC)
    commitments, services, attendances, points = [], [], [], []
    for m in members:
        member_id = member_ids[m.resident_id]  # type: ignore[attr-defined]
        for _ in range(rng.randint(1, 2)):
            done = rng.random() < 0.5
            commitments.append(
                Commitment(
                    tenant_id=tenant_id,
                    member_id=member_id,
                    content=rng.choice(PROMISES),
                    deadline=today + timedelta(days=rng.randint(-90, 180)),
                    verified_by="redgrid-demo" if done else "",
                    verified_at=now if done else None,
                )
            )
        for _ in range(rng.randint(1, 3)):
            services.append(
                ServiceRecord(
                    tenant_id=tenant_id,
                    member_id=member_id,
                    served_on=today - timedelta(days=rng.randint(1, 200)),
                    content=rng.choice(SERVICES),
                    hours=Decimal(rng.randint(1, 8)) / 2,
                )
            )
        for month in rng.sample(range(1, 7), rng.randint(1, 3)):
            held = today - timedelta(days=30 * month)
            attendances.append(
                Attendance(
                    tenant_id=tenant_id,
                    member_id=member_id,
                    title=f"{held:%Y年%m月}主题党日",
                    held_on=held,
                    kind="theme_party_day",
                )
            )
            points.append(
                PointsEntry(
                    tenant_id=tenant_id,
                    member_id=member_id,
                    points=ATTENDANCE_POINTS["theme_party_day"],
                    reason=f"attended {held:%Y-%m-%d} 主题党日",
                    recorded_by="redgrid-demo",
                )
            )
        if rng.random() < 0.4:
            points.append(
                PointsEntry(
                    tenant_id=tenant_id,
                    member_id=member_id,
                    points=rng.choice((2, 5, 10)),
                    reason="志愿服务表现突出",
                    recorded_by="redgrid-demo",
                )
            )
    await Commitment.bulk_create(commitments, batch_size=1000)
    await ServiceRecord.bulk_create(services, batch_size=1000)
    await Attendance.bulk_create(attendances, batch_size=1000)
    await PointsEntry.bulk_create(points, batch_size=1000)
    return len(members)


async def _volunteers(
    ctx: RequestContext,
    plan: Plan,
    rng: random.Random,
    today: date,
    nodes: Sequence[GridNode],
    residents: Sequence[Resident],
) -> int:
    """An elderly-care team whose volunteers ring the love doorbell of every elder living alone;
    the tenant's demo volunteer user looks after the elders of his grid."""
    tenant = ctx.require_tenant()
    tenant_id = tenant.id
    await VolunteerTeam.bulk_create(
        [
            VolunteerTeam(tenant_id=tenant_id, name="爱心敲门志愿队", kind="elderly_care"),
            VolunteerTeam(tenant_id=tenant_id, name="平安巡逻志愿队", kind="patrol"),
            VolunteerTeam(tenant_id=tenant_id, name="邻里调解志愿队", kind="mediation"),
        ]
    )
    care = await VolunteerTeam.get(tenant_id=tenant_id, kind="elderly_care")
    helpers = rng.sample([r for r in residents if 25 <= tags.age_on(r.birth_date, today) < 60], 20)  # type: ignore[arg-type]
    await Volunteer.bulk_create(
        [Volunteer(tenant_id=tenant_id, team_id=care.id, username=f"{tenant.slug}-volunteer", name="志愿者小李")]
        + [Volunteer(tenant_id=tenant_id, team_id=care.id, resident_id=r.id, name=r.name) for r in helpers]
    )
    volunteers = await Volunteer.filter(tenant_id=tenant_id).order_by("id")
    demo_user, others = volunteers[0], volunteers[1:]
    paths = {n.id: n.path for n in nodes}
    elders = [
        r
        for r in residents
        if r.living_alone and tags.age_on(r.birth_date, today) >= 60  # type: ignore[arg-type]
    ]
    pairings = []
    for i, elder in enumerate(elders):
        path = paths[elder.node_id]  # type: ignore[attr-defined]
        mine = (path == plan.volunteer_under or path.startswith(plan.volunteer_under + ".")) and i % 3 == 0
        pairings.append(
            Pairing(
                tenant_id=tenant_id,
                volunteer_id=(demo_user if mine else others[i % len(others)]).id,
                resident_id=elder.id,
                kind="love_doorbell" if i % 2 == 0 else "knock_daily",
                started_on=today - timedelta(days=rng.randint(10, 400)),
            )
        )
    await Pairing.bulk_create(pairings, batch_size=1000)
    return len(pairings)
