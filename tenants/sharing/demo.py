"""The demo's crowdfunding, as 篇2 of 《实现"一肩挑"…》 reports it: **169 projects worth 2.1158
million yuan with 146 paired units**. Seeded for the demo Jinshui, the street the demo gives
篇2's figures (its menu and projects): the 24 projects it has become 169, its 112 units 146
(the 34 more are park enterprises, paired with the community), and every project gets pledges
that sum to 2,115,800 yuan, every unit pledging at least once. Deterministic, written in bulk
like tenants/units/demo.py, once, when seed_demo builds the street (copies made with
`seed-demo --street` keep the council's 112 units)."""

from __future__ import annotations

from decimal import Decimal

from redgrid.platform.context import RequestContext
from redgrid.tenants.grid.models import GridNode
from redgrid.tenants.sharing.models import ProjectPledge
from redgrid.tenants.units.demo import PROJECT_TITLES
from redgrid.tenants.units.models import JointUnit, PublicProject

PROJECTS, UNITS, AMOUNT = 169, 146, Decimal("2115800")


async def seed_crowdfunding(ctx: RequestContext, slug: str) -> str:
    tenant_id = ctx.require_tenant().id
    if slug != "jinshui":
        return "crowdfunding: none in this demo tenant"
    community = await GridNode.filter(tenant_id=tenant_id, level=1).order_by("path").first()
    areas = await GridNode.filter(tenant_id=tenant_id, level=2).order_by("path")
    assert community is not None and areas
    have = await JointUnit.filter(tenant_id=tenant_id).count()
    await JointUnit.bulk_create(
        [
            JointUnit(
                tenant_id=tenant_id,
                name=f"园区众筹企业{n + 1}",
                kind="enterprise",
                party_organisation=f"园区众筹企业{n + 1}党支部",
                contacts=[],
                paired_node_id=community.id,
            )
            for n in range(UNITS - have)
        ]
    )
    projects = await PublicProject.filter(tenant_id=tenant_id).count()
    await PublicProject.bulk_create(
        [
            PublicProject(
                tenant_id=tenant_id,
                node_id=areas[p % len(areas)].id,
                title=f"“益起来”众筹{PROJECT_TITLES[p % 6]}项目{p + 1}",
                budget=Decimal(15000),
            )
            for p in range(projects, PROJECTS)
        ]
    )
    unit_ids = [u.id for u in await JointUnit.filter(tenant_id=tenant_id).order_by("id")]
    project_ids = [p.id for p in await PublicProject.filter(tenant_id=tenant_id).order_by("id")]
    share = (AMOUNT / PROJECTS).quantize(Decimal("1"), rounding="ROUND_FLOOR")  # 12,519 each
    rest = AMOUNT - share * PROJECTS
    await ProjectPledge.bulk_create(
        [
            ProjectPledge(
                tenant_id=tenant_id,
                project_id=project_id,
                unit_id=unit_ids[i % len(unit_ids)],
                amount=share + (rest if i == 0 else 0),
                pledged_by="redgrid-demo",
            )
            for i, project_id in enumerate(project_ids)
        ]
    )
    return f"crowdfunding: {PROJECTS} projects, {AMOUNT / 10000}万元 pledged by {UNITS} units"
