"""Home visits (入户走访): recording a visit, with its follow-up case in one step, reading a
household's visits, and the visit coverage of a grid node.

Scoped like the households: a secretary, grid head or grid worker records and reads visits of
the households his grid covers; anything outside it answers as missing. A visit and the case
its follow-up becomes are written together or not at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from tortoise.functions import Count

from redgrid.platform import events
from redgrid.platform.context import RequestContext, ScopeKind
from redgrid.platform.database import tenant_transaction
from redgrid.platform.errors import InvalidInput, UserError, text_errors
from redgrid.tenants.cases import service as cases
from redgrid.tenants.cases.models import Case
from redgrid.tenants.grid.models import GridNode
from redgrid.tenants.people.models import Household
from redgrid.tenants.people.tags import LOCAL_TIME
from redgrid.tenants.scope import in_scope, subtree
from redgrid.tenants.visits.models import HomeVisit

VISITORS = ("secretary", "grid-head", "grid-worker")
DEFAULT_DAYS = 30
MAX_DAYS = 366  # how far back a visit may be dated, and the longest coverage window
MAX_VISITS_PAGE = 100


@dataclass(frozen=True)
class FollowUp:
    """What a visit found that needs more than the visitor: it becomes a case in the
    household's grid node, reported by him."""

    title: str
    category_id: int
    priority: str = "normal"
    description: str = ""


@dataclass(frozen=True)
class Coverage:
    """Households of a node's subtree, and how many of them were visited in the window."""

    node: GridNode | None  # None: the whole street
    households: int
    visited: int

    @property
    def rate(self) -> float | None:
        return round(self.visited / self.households, 4) if self.households else None


def local_today() -> date:
    return datetime.now(LOCAL_TIME).date()


async def _household_in_scope(ctx: RequestContext, household_id: int) -> Household | None:
    tenant = ctx.require_tenant()
    household = await Household.filter(tenant_id=tenant.id, id=household_id).select_related("node").first()
    return household if household is not None and ctx.scope.covers(household.node.path) else None


async def record_visit(
    ctx: RequestContext,
    *,
    household_id: int,
    findings: str,
    visited_on: date | None = None,
    follow_up: FollowUp | None = None,
) -> tuple[HomeVisit, Case | None]:
    """Record a visit by the caller to a household his grid covers (NOT_FOUND otherwise), on a
    day from a year ago to today (default today); with `follow_up`, also its case, in the
    household's node, both or neither."""
    tenant = ctx.require_tenant()
    identity = ctx.require_role(*VISITORS)
    today = local_today()
    errors = text_errors("findings", findings, required=False, code="TOO_LONG", multiline=True)
    day = visited_on or today
    if not today - timedelta(days=MAX_DAYS) <= day <= today:
        errors.append(UserError("visitedOn", "OUT_OF_RANGE", f"a day from {MAX_DAYS} days ago to today"))
    household = await _household_in_scope(ctx, household_id)
    if household is None:  # outside his grid: as if missing
        errors.append(UserError("householdId", "NOT_FOUND", "no such household"))
    if errors:
        raise InvalidInput(*errors)
    assert household is not None
    async with tenant_transaction(tenant.id):  # a savepoint: a refused follow-up leaves no visit
        case = None
        if follow_up is not None:
            case = await cases.report(
                ctx,
                title=follow_up.title,
                category_id=follow_up.category_id,
                source="home_visit",
                node_id=household.node.id,
                priority=follow_up.priority,
                description=follow_up.description or findings,
                address=household.address,
            )
        visit = await HomeVisit.create(
            tenant_id=tenant.id,
            household=household,
            visited_on=day,
            visitor=identity.username,
            findings=findings,
            follow_up_case=case,
        )
        await events.record(
            ctx,
            "people",
            "people.home_visit_recorded",
            {"id": visit.id, "householdId": household.id},  # ids only, as every people event
            path=household.node.path,
        )
    return visit, case


async def visit_by_id(ctx: RequestContext, visit_id: int) -> HomeVisit | None:
    """A visit to a household of the caller's grid; None for any other, or for another role."""
    identity = ctx.require_user()
    if not identity.has_any(*VISITORS):
        return None
    return await in_scope(ctx, HomeVisit.all(), "household__node__path").get_or_none(id=visit_id)


async def visits_of(ctx: RequestContext, household_id: int, first: int = 20) -> list[HomeVisit]:
    """A household's visits, the latest first (none for a household outside his grid)."""
    ctx.require_role(*VISITORS)
    if not 1 <= first <= MAX_VISITS_PAGE:
        raise InvalidInput(UserError("first", "OUT_OF_RANGE", f"from 1 to {MAX_VISITS_PAGE}"))
    if await _household_in_scope(ctx, household_id) is None:
        return []
    return (
        await HomeVisit.filter(tenant_id=ctx.require_tenant().id, household_id=household_id)
        .order_by("-visited_on", "-id")
        .limit(first)
    )


async def coverage(
    ctx: RequestContext, node_id: int | None = None, days: int = DEFAULT_DAYS
) -> tuple[Coverage, list[Coverage]]:
    """The visit coverage of a node (default: the caller's grid) and of each of its active
    children: of the households in each subtree, how many had a visit in the last `days` days
    (today included). A node outside his grid is NOT_FOUND."""
    tenant = ctx.require_tenant()
    ctx.require_role(*VISITORS)
    if not 1 <= days <= MAX_DAYS:
        raise InvalidInput(UserError("days", "OUT_OF_RANGE", f"from 1 to {MAX_DAYS} days"))
    node: GridNode | None = None
    if node_id is not None:
        node = await GridNode.get_or_none(tenant_id=tenant.id, id=node_id)
        if node is None or not ctx.scope.covers(node.path):
            raise InvalidInput(UserError("nodeId", "NOT_FOUND", "no such grid node"))
    elif ctx.scope.kind is not ScopeKind.TENANT:
        node = await GridNode.get_or_none(tenant_id=tenant.id, path=ctx.scope.path or "")
        if node is None:
            raise InvalidInput(UserError("nodeId", "NOT_FOUND", "you have no grid"))
    children_of = GridNode.filter(tenant_id=tenant.id, retired_at=None)
    children = await (children_of.filter(parent_id=node.id) if node else children_of.filter(parent_id=None)).order_by(
        "path"
    )
    since = local_today() - timedelta(days=days - 1)
    households = in_scope(ctx, Household.all(), "node__path")
    visits = in_scope(ctx, HomeVisit.filter(visited_on__gte=since), "household__node__path")
    if node is not None:
        households = households.filter(subtree("node__path", node.path))
        visits = visits.filter(subtree("household__node__path", node.path))
    per_path: dict[str, list[int]] = {}
    rows: list[tuple[str, int]] = (
        await households.annotate(n=Count("id")).group_by("node__path").values_list("node__path", "n")
    )
    for path, n in rows:
        per_path.setdefault(path, [0, 0])[0] += n
    visited: list[tuple[str, int]] = (
        await visits.annotate(n=Count("household_id", distinct=True))
        .group_by("household__node__path")
        .values_list("household__node__path", "n")
    )
    for path, n in visited:
        per_path.setdefault(path, [0, 0])[1] += n

    def within(of: GridNode | None) -> Coverage:
        found = [v for path, v in per_path.items() if of is None or path == of.path or path.startswith(of.path + ".")]
        return Coverage(of, sum(v[0] for v in found), sum(v[1] for v in found))

    return within(node), [within(child) for child in children]
