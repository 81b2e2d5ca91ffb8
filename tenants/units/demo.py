"""Demo joint-building council of Jinshui street, shaped after the seeds: "112 units offered
88 shareable resources and 75 needs", public-benefit projects to claim, and a service menu in
the five categories ("鑫党建、鑫讲堂、鑫民生、鑫健康、鑫文体") with orders in every status.

The 112 units are the seeds' mix (21 two-new organisations, 24 schools, 4 hospitals, 63
others). Schools and hospitals pair with the community, property companies and owners'
committees with a building, the rest with an area (片区). Everything follows from the unit's
index, no randomness, and is written in bulk like tenants/people/demo.py (no events: nobody
subscribes to a database being seeded). seed_demo runs it once, when it builds the grid.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from redgrid.platform.context import RequestContext
from redgrid.tenants.grid.models import GridNode
from redgrid.tenants.sharing.catalogue import publish_all
from redgrid.tenants.units.models import (
    SERVICE_CATEGORIES,
    JointUnit,
    PublicProject,
    ServiceItem,
    ServiceOrder,
    UnitNeed,
    UnitResource,
)

UNITS, SHAREABLE, PRIVATE, NEEDS, PROJECTS, MENU = 112, 88, 12, 75, 24, 182
# The seeds' mix of the 112 units; "other" spread over the kinds the register knows.
MIX = (
    ("two_new", 21),
    ("school", 24),
    ("hospital", 4),
    ("enterprise", 25),
    ("organ", 10),
    ("property_company", 12),
    ("owners_committee", 10),
    ("other", 6),
)
NAMES = {
    "two_new": "{n}号新经济组织",
    "school": "金水第{n}小学",
    "hospital": "金水社区卫生服务站{n}",
    "enterprise": "金水科技公司{n}",
    "organ": "区直机关{n}处",
    "property_company": "金水物业{n}",
    "owners_committee": "{n}号楼业主委员会",
    "other": "驻区单位{n}",
}
RESOURCES = {
    "venue": "党员活动室对外开放",
    "equipment": "投影与音响设备借用",
    "expertise": "专业人员志愿服务",
    "funds": "公益项目资金支持",
    "volunteers": "在职党员志愿服务队",
}
NEED_TEXTS = ("停车位协调", "员工子女暑期托管", "周边环境整治", "职工文体活动场地", "党员教育阵地共享")
PROJECT_TITLES = ("创全行动", "安全出行", "尊老爱亲", "微爱助学", "健康生活", "文艺活动")
MENU_TITLES = {
    "party_building": "鑫党建·微党课",
    "lecture": "鑫讲堂·政策宣讲",
    "livelihood": "鑫民生·便民服务",
    "health": "鑫健康·义诊进社区",
    "culture_sport": "鑫文体·文艺演出",
}
# (status, how many) of the demo orders; the first of each is placed by building 3.
ORDER_PLAN = (("ordered", 3), ("accepted", 3), ("delivered", 2), ("rated", 4))


def _kinds() -> list[str]:
    return [kind for kind, count in MIX for _ in range(count)]


def _pairing(kind: str, n: int, community: GridNode, areas: list[GridNode], buildings: list[GridNode]) -> GridNode:
    if kind in ("school", "hospital"):
        return community
    if kind == "owners_committee":  # n号楼业主委员会 of building n
        return buildings[(n - 1) % len(buildings)]
    if kind == "property_company":  # the first one manages building 3, the demo grid head's
        return buildings[(3 * n - 1) % len(buildings)]
    return areas[n % len(areas)]


async def seed_units(ctx: RequestContext, shape: str) -> str:
    """The demo's joint units, for a tenant shaped like Jinshui (the only demo tenant with any)."""
    tenant_id = ctx.require_tenant().id
    if shape != "jinshui":
        return "units: none in this demo tenant"
    nodes = await GridNode.filter(tenant_id=tenant_id).order_by("path")
    community = next(n for n in nodes if n.level == 1)
    areas = [n for n in nodes if n.level == 2]
    buildings = [n for n in nodes if n.level == 3]
    counters: dict[str, int] = {}
    units = []
    for i, kind in enumerate(_kinds()):
        counters[kind] = counters.get(kind, 0) + 1
        n = counters[kind]
        units.append(
            JointUnit(
                tenant_id=tenant_id,
                name=NAMES[kind].format(n=n),
                kind=kind,
                party_organisation=f"{NAMES[kind].format(n=n)}党支部" if kind != "owners_committee" else "",
                contacts=[{"name": f"联络员{i + 1}", "phone": f"1380001{i + 1:04d}", "role": "党建联络员"}],
                paired_node_id=_pairing(kind, n, community, areas, buildings).id,
            )
        )
    await JointUnit.bulk_create(units)
    unit_ids = [u.id for u in await JointUnit.filter(tenant_id=tenant_id).order_by("id")]
    kinds = tuple(RESOURCES)
    await UnitResource.bulk_create(
        [
            UnitResource(
                tenant_id=tenant_id,
                unit_id=unit_ids[r % UNITS],
                kind=kinds[r % len(kinds)],
                description=RESOURCES[kinds[r % len(kinds)]],
                shareable=r < SHAREABLE,
                share_scope="district" if r < SHAREABLE else "street",
            )
            for r in range(SHAREABLE + PRIVATE)
        ]
    )
    await publish_all(tenant_id)
    await UnitNeed.bulk_create(
        [
            UnitNeed(
                tenant_id=tenant_id, unit_id=unit_ids[(3 * k) % UNITS], description=NEED_TEXTS[k % len(NEED_TEXTS)]
            )
            for k in range(NEEDS)
        ]
    )
    now = datetime.now(UTC)
    projects = []
    for p in range(PROJECTS):
        status = ("open", "claimed", "completed")[p % 3]
        projects.append(
            PublicProject(
                tenant_id=tenant_id,
                node_id=areas[p % len(areas)].id,
                title=f"“益起来”{PROJECT_TITLES[p % 6]}项目{p + 1}",
                budget=Decimal(5000 + 2500 * (p % 8)),
                status=status,
                claimed_by_id=unit_ids[(7 * p) % UNITS] if status != "open" else None,
                claimed_at=now - timedelta(days=30) if status != "open" else None,
                completed_at=now - timedelta(days=3) if status == "completed" else None,
            )
        )
    await PublicProject.bulk_create(projects)
    await ServiceItem.bulk_create(
        [
            ServiceItem(
                tenant_id=tenant_id,
                unit_id=unit_ids[(5 * m) % UNITS],
                category=SERVICE_CATEGORIES[m % 5],
                title=f"{MENU_TITLES[SERVICE_CATEGORIES[m % 5]]}{m // 5 + 1}",
            )
            for m in range(MENU)
        ]
    )
    item_ids = [i.id for i in await ServiceItem.filter(tenant_id=tenant_id).order_by("id")]
    building_3 = next(b for b in buildings if b.code == "B03")
    orders, o = [], 0
    for status, count in ORDER_PLAN:
        for k in range(count):
            reached = ("ordered", "accepted", "delivered", "rated").index(status)
            orders.append(
                ServiceOrder(
                    tenant_id=tenant_id,
                    item_id=item_ids[(11 * o) % MENU],
                    node_id=(building_3 if k == 0 else areas[o % len(areas)]).id,
                    ordered_by="redgrid-demo",
                    status=status,
                    rating=5 - o % 2 if status == "rated" else None,
                    accepted_at=now if reached >= 1 else None,
                    delivered_at=now if reached >= 2 else None,
                    rated_at=now if reached >= 3 else None,
                )
            )
            o += 1
    await ServiceOrder.bulk_create(orders)
    return (
        f"{UNITS} units, {SHAREABLE} shareable resources, {NEEDS} needs, {PROJECTS} projects,"
        f" {MENU} menu items, {o} orders"
    )
