"""`redgrid seed-demo`: the demo district and its two tenants, shaped after the seeds.

Jinshui street: Jinshui Garden community → 6 area branches (片区, five buildings each) → 30
buildings, ~4,000 residents. Hushu town: total grid → 45 villages → 172 micro-grids, with
residents in the first village (tenants/people/demo.py). The demo grid head and grid worker
of each tenant are scoped to one grid (Jinshui: building 3; Hushu: village 1).
Idempotent: a tenant that already has a grid is left as it is, but for today's duty shifts
(tenants/staff/demo.py). `--scale` adds one large street, `--district-streets` and
`--jiangning-scale` many generated streets to the district (tenants/district/demo.py).

`seed-demo --street SLUG --like jinshui|hushu` builds one more street of that shape, with its
own demo-role accounts made through the account service: a demo or a test of its own that
no other one writes into.
"""

from __future__ import annotations

from dataclasses import dataclass

from redgrid.platform.auth.identity import Identity
from redgrid.platform.context import GridScope, RequestContext, ScopeKind
from redgrid.platform.database import tenant_transaction
from redgrid.platform.demo_users import DEMO_DISTRICT, DEMO_ROLES, DEMO_TENANTS, demo_users
from redgrid.platform.errors import InvalidInput, UserError
from redgrid.platform.models import Account, District, Tenant
from redgrid.platform.provisioning import Provisioner
from redgrid.platform.user_directory import UserDirectory
from redgrid.tenants.accounts import rules as account_rules
from redgrid.tenants.accounts.service import AccountDraft, create_account
from redgrid.tenants.district.demo import StreetPlan, spread
from redgrid.tenants.district.demo import seed_street as seed_generated_street
from redgrid.tenants.district.snapshot import refresh as refresh_snapshot
from redgrid.tenants.grid import service as grid
from redgrid.tenants.grid.models import GridNode
from redgrid.tenants.grid.shapes import polygon, split
from redgrid.tenants.people.demo import seed_people
from redgrid.tenants.people.scale import seed_scale
from redgrid.tenants.sharing.demo import seed_crowdfunding
from redgrid.tenants.staff.demo import seed_staff
from redgrid.tenants.tenancy import create_district, create_tenant
from redgrid.tenants.units.demo import seed_units
from redgrid.tenants.workers.demo import seed_workers

OPERATOR = Identity("redgrid-cli", "redgrid-cli", frozenset({"platform-admin"}), None, None)
SECRETARY = frozenset({"secretary"})


def operator_context() -> RequestContext:
    """The CLI acts as a platform admin; it is run by whoever runs the server."""
    return RequestContext(OPERATOR)


def secretary_context(tenant: Tenant) -> RequestContext:
    identity = Identity("redgrid-cli", "redgrid-cli", SECRETARY, tenant.slug, None)
    return RequestContext(identity, tenant, GridScope(ScopeKind.TENANT))


async def _jinshui(ctx: RequestContext) -> GridNode:
    """Five-level grid: community → area (片区, 5 buildings) → building → unit → central household.
    A general branch on the community, a branch per area, a party group per building."""
    await grid.set_levels(ctx, ["社区", "片区", "楼栋", "单元", "党员中心户"])
    # The demo has no surveyed boundaries: generated rectangles (tenants/grid/shapes.py) give the
    # wall's map something to draw.
    box = (118.830, 31.940, 118.850, 31.955)
    areas = split(box, 6)
    community = await grid.create_node(ctx, parent_id=None, code="JS01", name="金水花园社区", boundary=polygon(box))
    await grid.update_node(ctx, community.id, head_name="王书记", head_phone="13800000001")
    await grid.add_party_organisation(ctx, community.id, name="金水花园社区党总支", kind="general_branch")
    await grid.add_station(ctx, community.id, name="金水花园党群服务站", kind="station")
    building_3 = community
    for area in range(1, 7):
        area_box = areas[area - 1]
        area_node = await grid.create_node(
            ctx, parent_id=community.id, code=f"A{area}", name=f"第{area}片区", boundary=polygon(area_box)
        )
        buildings = split(area_box, 5)
        await grid.add_party_organisation(ctx, area_node.id, name=f"第{area}片区党支部", kind="branch")
        await grid.add_station(ctx, area_node.id, name=f"第{area}片区党群服务点", kind="point")
        await grid.update_node(ctx, area_node.id, head_name=f"片区长{area}", head_phone=f"138000001{area:02d}")
        for b in range(5 * (area - 1) + 1, 5 * area + 1):
            node = await grid.create_node(
                ctx,
                parent_id=area_node.id,
                code=f"B{b:02d}",
                name=f"{b}号楼",
                boundary=polygon(buildings[(b - 1) % 5]),
            )
            await grid.add_party_organisation(ctx, node.id, name=f"{b}号楼党小组", kind="group")
            await grid.update_node(ctx, node.id, head_name=f"楼栋长{b}", head_phone=f"1390000{b:04d}")
            if b == 3:
                building_3 = node
    return building_3


async def _hushu(ctx: RequestContext) -> GridNode:
    """Town total grid → 45 villages (communities) → 172 micro-grids; 15 stations and 97 points."""
    await grid.set_levels(ctx, ["街道总网格", "村(社区)网格", "微网格"])
    box = (118.950, 31.800, 119.050, 31.880)  # generated, as Jinshui's
    villages = split(box, 45)
    town = await grid.create_node(ctx, parent_id=None, code="HS", name="湖熟街道总网格", boundary=polygon(box))
    await grid.add_party_organisation(ctx, town.id, name="湖熟街道党工委", kind="general_branch")
    first_village = town
    micro, points = 172, 97
    for v in range(1, 46):
        village = await grid.create_node(
            ctx, parent_id=town.id, code=f"V{v:02d}", name=f"第{v}村(社区)网格", boundary=polygon(villages[v - 1])
        )
        await grid.add_party_organisation(ctx, village.id, name=f"第{v}村党总支", kind="general_branch")
        await grid.update_node(ctx, village.id, head_name=f"村书记{v}", head_phone=f"1370000{v:04d}")
        if v <= 15:
            await grid.add_station(ctx, village.id, name=f"第{v}村党群服务站", kind="station")
        first_village = village if v == 1 else first_village
        count = micro // 45 + (1 if v <= micro % 45 else 0)  # 172 micro-grids over 45 villages
        cells = split(villages[v - 1], count)
        for m in range(1, count + 1):
            cell = await grid.create_node(
                ctx, parent_id=village.id, code=f"M{m}", name=f"微网格{m}", boundary=polygon(cells[m - 1])
            )
            await grid.update_node(ctx, cell.id, head_name=f"微网格长{v}-{m}")
            if points > 0 and m <= 3:
                await grid.add_station(ctx, cell.id, name=f"微网格{v}-{m}党群服务点", kind="point")
                points -= 1
    return first_village


BUILDERS = {"jinshui": _jinshui, "hushu": _hushu}


async def seed_demo(provisioner: Provisioner) -> list[str]:
    report: list[str] = []
    operator = operator_context()
    district = await create_district(operator, *DEMO_DISTRICT)
    report.append(f"district {district.value.slug}: {'created' if district.created else 'exists'}")
    for slug, name, kind in DEMO_TENANTS:
        made = await create_tenant(
            operator, provisioner, slug=slug, name=name, district_slug=DEMO_DISTRICT[0], kind=kind
        )
        tenant = made.value
        async with tenant_transaction(tenant.id):
            secretary = secretary_context(tenant)
            if await GridNode.filter(tenant_id=tenant.id).exists():
                staff = await seed_staff(secretary, slug)  # today's shifts, for a demo shown on a new day
                await refresh_snapshot(tenant)
                report.append(f"tenant {slug}: grid exists, left as it is; {staff}")
                continue
            scoped = await BUILDERS[slug](secretary)
            people = await seed_people(secretary, slug)
            units = await seed_units(secretary, slug)
            units += f"; {await seed_crowdfunding(secretary, slug)}"
            staff = await seed_staff(secretary, slug)
            for user in demo_users():
                if user.tenant == slug:
                    scope = scoped if user.role in ("grid-head", "grid-worker", "volunteer") else None
                    await Account.update_or_create(
                        tenant_id=tenant.id,
                        username=user.username,
                        defaults={"grid_scope": scope, "role": user.role, "display_name": user.username},
                    )
            workers = await seed_workers(secretary, slug, scoped)
            count = await GridNode.filter(tenant_id=tenant.id).count()
            await refresh_snapshot(tenant)  # the district's view of registers written without events
        report.append(
            f"tenant {slug}: {count} grid nodes; grid users scoped to {scoped.name}; {people}; {units}; {staff}; "
            f"{workers}"
        )
    return report


SCOPED_ROLES = ("grid-head", "grid-worker", "volunteer")  # on the builder's node; the others street-wide


async def seed_street(
    provisioner: Provisioner, directory: UserDirectory, slug: str, *, like: str, district_slug: str
) -> list[str]:
    """`seed-demo --street SLUG`: a street built and seeded like the demo tenant `like`, in
    district `district_slug` (made when missing), with accounts `SLUG-<role>` for the five
    tenant roles, whose temporary passwords the report shows once. A street that already
    has a grid is left as it is, but for today's duty shifts."""
    shapes = {s: (name, kind) for s, name, kind in DEMO_TENANTS}
    if like not in shapes:
        raise InvalidInput(UserError("like", "INVALID_SHAPE", f"a street is shaped like one of {', '.join(shapes)}"))
    problems = [p for role in DEMO_ROLES if (p := account_rules.username_problem(f"{slug}-{role}"))]
    if problems:
        raise InvalidInput(
            UserError("street", "INVALID_SLUG", f"{slug!r} makes invalid user names: {problems[0].message}")
        )
    operator = operator_context()
    report: list[str] = []
    if not await District.exists(slug=district_slug):
        name = DEMO_DISTRICT[1] if district_slug == DEMO_DISTRICT[0] else district_slug
        await create_district(operator, district_slug, name)
        report.append(f"district {district_slug}: created")
    name, kind = shapes[like]
    made = await create_tenant(
        operator, provisioner, slug=slug, name=f"{name}({slug})", district_slug=district_slug, kind=kind
    )
    tenant = made.value
    async with tenant_transaction(tenant.id):
        secretary = secretary_context(tenant)
        if await GridNode.filter(tenant_id=tenant.id).exists():
            return [*report, f"tenant {slug}: grid exists, left as it is; {await seed_staff(secretary, like)}"]
        scoped = await BUILDERS[like](secretary)
        lines = [
            await seed_people(secretary, like),
            await seed_units(secretary, like),
            await seed_staff(secretary, like),
        ]
        report.append(f"tenant {slug} (like {like}): grid users scoped to {scoped.name}; " + "; ".join(lines))
        for role in DEMO_ROLES:
            username = f"{slug}-{role}"
            draft = AccountDraft(username, username, role, scoped.id if role in SCOPED_ROLES else None)
            account = await create_account(secretary, directory, draft)
            shown = "an invitation was e-mailed" if account.invited else account.temporary_password
            report.append(f"  {username} ({role}): temporary password (shown once): {shown}")
        report.append(f"tenant {slug}: {await seed_workers(secretary, slug, scoped)}")
        await refresh_snapshot(tenant)
    return report


SCALE_TENANT = ("scale", "规模测试街道")


async def seed_scale_street(provisioner: Provisioner, residents: int) -> str:
    """`seed-demo --scale N`: one more street of the demo district with N generated residents
    (tenants/people/scale.py), for benchmarks. Refused when that street already has a grid."""
    made = await create_tenant(
        operator_context(),
        provisioner,
        slug=SCALE_TENANT[0],
        name=SCALE_TENANT[1],
        district_slug=DEMO_DISTRICT[0],
        kind="street",
    )
    async with tenant_transaction(made.value.id):
        return f"tenant {SCALE_TENANT[0]}: " + await seed_scale(secretary_context(made.value), residents)


# "Four Red Gathering Power": Jiangning's 1,938 grids and 515 workstations, over its ten streets.
JIANGNING_SCALE = {"streets": 10, "grids": 1938, "stations": 515}
# Per street when not given: grids, workstations, residents, cases.
PER_STREET = {"grids": 40, "stations": 10, "residents": 20_000, "cases": 300}


@dataclass(frozen=True)
class DistrictScale:
    streets: int
    grids: int
    stations: int
    residents: int
    cases: int

    def plans(self) -> list[StreetPlan]:
        """The totals spread over the streets, street 1 taking the remainders first."""
        parts = [spread(total, self.streets) for total in (self.grids, self.stations, self.residents, self.cases)]
        return [StreetPlan(i + 1, *(p[i] for p in parts)) for i in range(self.streets)]


async def seed_district_streets(provisioner: Provisioner, district_slug: str, scale: DistrictScale) -> list[str]:
    """`seed-demo --district-streets N`: N generated streets in the district (tenants/district/
    demo.py), `<district>-s01`, `<district>-s02`, …; a street that already has a grid is left
    as it is. Each street is written in a transaction of its own."""
    report = []
    for plan in scale.plans():
        made = await create_tenant(
            operator_context(),
            provisioner,
            slug=f"{district_slug}-s{plan.number:02d}",
            name=f"规模演示第{plan.number}街道",
            district_slug=district_slug,
            kind="street",
        )
        async with tenant_transaction(made.value.id):
            report.append(await seed_generated_street(secretary_context(made.value), plan))
    return report
