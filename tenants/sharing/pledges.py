"""Crowdfunded public-benefit projects (众筹): several units pledge amounts to one project, and
the totals are counted per project, per street and per district.

A pledge is a unit's, one per project (pledging again sets the new amount); a completed project
takes no more. Who records a pledge: whoever records claims (tenants/units/access.py) for a
unit he sees, or a unit contact for his own unit. Totals are sums in the database; the
district's are read in a `district_transaction`, whose SELECT-only policy admits the district's
pledges (`district_readable`), counts only.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from tortoise.functions import Count, Sum

from redgrid.platform import events
from redgrid.platform.context import RequestContext
from redgrid.platform.database import district_transaction, unique_or
from redgrid.platform.errors import InvalidInput, UserError
from redgrid.platform.models import District, Tenant
from redgrid.tenants.district.rules import district_to_read
from redgrid.tenants.sharing.access import contact_of
from redgrid.tenants.sharing.models import ProjectPledge
from redgrid.tenants.units.access import require, sees_units
from redgrid.tenants.units.models import JointUnit, PublicProject
from redgrid.tenants.units.projects import MAX_BUDGET, project_by_id
from redgrid.tenants.units.service import unit_for_write


@dataclass(frozen=True)
class Totals:
    projects: int  # projects with at least one pledge
    units: int  # distinct units pledging
    amount: Decimal  # yuan


def _amount_problem(amount: Decimal) -> UserError | None:
    try:
        valid = Decimal(0) < amount < MAX_BUDGET and amount == amount.quantize(Decimal("0.01"))
    except ArithmeticError:
        valid = False
    return None if valid else UserError("amount", "OUT_OF_RANGE", "an amount in yuan, above 0, with at most 2 decimals")


async def _pledging_unit(ctx: RequestContext, unit_id: int) -> JointUnit:
    if contact_of(ctx, unit_id):
        unit = await JointUnit.get_or_none(tenant_id=ctx.require_tenant().id, id=unit_id)
        if unit is not None:
            return unit
    require(ctx, "claims")
    return await unit_for_write(ctx, unit_id, "unitId")


async def pledge(ctx: RequestContext, project_id: int, unit_id: int, amount: Decimal) -> ProjectPledge:
    """The unit pledges `amount` to the project (its earlier pledge replaced)."""
    tenant = ctx.require_tenant()
    if (problem := _amount_problem(amount)) is not None:
        raise InvalidInput(problem)
    unit = await _pledging_unit(ctx, unit_id)
    project = await PublicProject.filter(tenant_id=tenant.id, id=project_id).select_related("node").first()
    if project is None or not (ctx.scope.covers(project.node.path) or ctx.unit_id == unit.id):
        raise InvalidInput(UserError("projectId", "NOT_FOUND", "no such project"))
    if project.status == "completed":
        raise InvalidInput(UserError("projectId", "COMPLETED", "a completed project takes no more pledges"))
    username = ctx.require_user().username
    row = await ProjectPledge.get_or_none(tenant_id=tenant.id, project_id=project.id, unit_id=unit.id)
    if row is None:
        async with unique_or(UserError("unitId", "DUPLICATE", "the unit pledged at the same moment; try again")):
            row = await ProjectPledge.create(
                tenant_id=tenant.id, project=project, unit=unit, amount=amount, pledged_by=username
            )
    else:
        row.amount, row.pledged_by = amount, username
        await row.save(update_fields=["amount", "pledged_by"])
    await events.record(
        ctx, "grid", "units.project_pledged", {"id": project.id, "unitId": unit.id}, path=project.node.path
    )
    return row


async def project_totals(ctx: RequestContext, project_id: int) -> Totals | None:
    project = await project_by_id(ctx, project_id)
    if project is None:
        return None
    return await _totals(ProjectPledge.filter(tenant_id=project.tenant_id, project_id=project.id))  # type: ignore[attr-defined]


async def street_totals(ctx: RequestContext) -> Totals:
    """The caller's street, whole (the totals are counts and sums, no unit named)."""
    tenant = ctx.require_tenant()
    if not sees_units(ctx):
        require(ctx, "claims")
    return await _totals(ProjectPledge.filter(tenant_id=tenant.id))


async def _totals(query: object) -> Totals:
    rows = await query.annotate(  # type: ignore[attr-defined]
        amount=Sum("amount"), projects=Count("project_id", distinct=True), units=Count("unit_id", distinct=True)
    ).values("amount", "projects", "units")
    row = rows[0] if rows else {}
    return Totals(row.get("projects") or 0, row.get("units") or 0, Decimal(row.get("amount") or 0))


@dataclass(frozen=True)
class DistrictTotals:
    district: District
    streets: list[tuple[Tenant, Totals]]
    total: Totals


async def district_totals(ctx: RequestContext, slug: str | None = None) -> DistrictTotals | None:
    """Per street of the district the caller may read (its admin, a platform admin), and in
    total (a unit pledging in two streets counts once per street)."""
    slug = district_to_read(ctx.require_user(), slug)
    district = await District.get_or_none(slug=slug)
    if district is None:
        return None
    tenants = await Tenant.filter(district_id=district.id).order_by("slug")
    per_street = []
    async with district_transaction(district.id):
        for tenant in tenants:
            per_street.append((tenant, await _totals(ProjectPledge.filter(tenant_id=tenant.id))))
    total = Totals(
        sum(t.projects for _, t in per_street),
        sum(t.units for _, t in per_street),
        sum((t.amount for _, t in per_street), Decimal(0)),
    )
    return DistrictTotals(district, per_street, total)
