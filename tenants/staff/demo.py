"""Demo staff and rosters: each tenant's line departments, their staff sent down to the
community (Jinshui) or the first village (Hushu), a joint duty team, and duty shifts around
the clock today for the demo grid worker and the demo sinking staff member, so both can check
in from a client whenever the demo is shown.

Idempotent and deterministic: rows are found by their names, shifts by person and start, so a
second run adds only the shifts of a new day. Written straight to the tables, like the people
registers' demo, without events.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from redgrid.platform.context import RequestContext
from redgrid.tenants.grid.models import GridNode, ServiceStation
from redgrid.tenants.people.tags import LOCAL_TIME
from redgrid.tenants.staff.models import Department, DutyShift, DutyTeam, DutyTeamMember, SinkingStaff


@dataclass(frozen=True)
class Plan:
    departments: tuple[tuple[str, str], ...]  # name, kind
    staff: tuple[tuple[str, str, int, str], ...]  # name, phone, department index, node path
    team_node: str  # the joint duty team's node; its members are the staff placed there
    worker_node: str  # where the demo grid worker's shifts are


PLANS = {
    "jinshui": Plan(
        departments=(
            ("金水派出所", "police"),
            ("金水城管执法中队", "urban_management"),
            ("金水市场监管所", "market_supervision"),
            ("金水司法所", "judicial"),
        ),
        staff=(
            ("周警官", "13900010001", 0, "JS01.A1"),
            ("吴队员", "13900010002", 1, "JS01.A1"),
            ("郑监管员", "13900010003", 2, "JS01.A1"),
            ("冯警官", "13900010004", 0, "JS01.A2"),
            ("陈队员", "13900010005", 1, "JS01.A2"),
            ("孙司法助理", "13900010006", 3, "JS01"),
        ),
        team_node="JS01.A1",
        worker_node="JS01.A1.B03",
    ),
    "hushu": Plan(
        departments=(
            ("湖熟派出所", "police"),
            ("湖熟城管执法中队", "urban_management"),
            ("湖熟市场监管所", "market_supervision"),
            ("湖熟司法所", "judicial"),
        ),
        staff=(
            ("钱警官", "13900020001", 0, "HS.V01"),
            ("李队员", "13900020002", 1, "HS.V01"),
            ("赵监管员", "13900020003", 2, "HS.V01"),
            ("黄司法助理", "13900020004", 3, "HS"),
        ),
        team_node="HS.V01",
        worker_node="HS.V01",
    ),
}


def _day_and_night(now: datetime) -> list[tuple[datetime, datetime]]:
    """Last night's, today's day and tonight's shifts (two-shift duty, 08:00 and 20:00)."""
    today = now.astimezone(LOCAL_TIME).date()
    eight = datetime.combine(today, time(8), LOCAL_TIME)
    edges = [eight - timedelta(hours=12), eight, eight + timedelta(hours=12), eight + timedelta(hours=24)]
    return [(a.astimezone(UTC), b.astimezone(UTC)) for a, b in zip(edges, edges[1:], strict=False)]


async def seed_staff(ctx: RequestContext, shape: str, now: datetime | None = None) -> str:
    """The staff of the demo tenant `shape` (a key of PLANS), with the tenant's own demo users."""
    plan = PLANS.get(shape)
    if plan is None:
        return "no staff"
    tenant = ctx.require_tenant()
    slug = tenant.slug
    nodes = {
        n.path: n
        for n in await GridNode.filter(
            tenant_id=tenant.id, path__in=[p for *_, p in plan.staff] + [plan.team_node, plan.worker_node]
        )
    }
    departments = [
        (await Department.get_or_create(tenant_id=tenant.id, name=name, defaults={"kind": kind}))[0]
        for name, kind in plan.departments
    ]
    members = []
    for i, (name, phone, department, path) in enumerate(plan.staff):
        username = f"{slug}-dept-staff" if i == 0 else ""  # the demo user is the first one
        person, _ = await SinkingStaff.get_or_create(
            tenant_id=tenant.id,
            name=name,
            node=nodes[path],
            defaults={"phone": phone, "username": username, "department": departments[department]},
        )
        members.append(person)
    team_node = nodes[plan.team_node]
    team, _ = await DutyTeam.get_or_create(tenant_id=tenant.id, node=team_node, name=f"{team_node.name}联勤联动队")
    for person in members:
        if person.node_id == team_node.id:  # type: ignore[attr-defined]
            await DutyTeamMember.get_or_create(tenant_id=tenant.id, team=team, staff=person)
    station = await ServiceStation.filter(tenant_id=tenant.id, node=team_node).order_by("id").first()
    created = 0
    for starts_at, ends_at in _day_and_night(now or datetime.now(UTC)):
        for username, node, staff in (
            (f"{slug}-dept-staff", team_node, members[0]),
            (f"{slug}-grid-worker", nodes[plan.worker_node], None),
        ):
            _, made = await DutyShift.get_or_create(
                tenant_id=tenant.id,
                assignee_username=username,
                starts_at=starts_at,
                defaults={"node": node, "ends_at": ends_at, "staff": staff, "station": station if staff else None},
            )
            created += made
    return f"{len(departments)} departments, {len(members)} sinking staff, 1 duty team, {created} new shifts"
