"""Public-benefit projects (公益项目): a community puts one up, a unit claims it (认领), and it
is completed: open → claimed → completed.

Each step is one conditional UPDATE on the status it leaves, so of any number of concurrent
claims exactly one finds the project still open; the others get ALREADY_CLAIMED. A project
belongs to the grid of its node, and its events go to the "grid" area at that path.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

from tortoise.queryset import QuerySet

from redgrid.platform import events
from redgrid.platform.context import RequestContext
from redgrid.platform.errors import InvalidInput, UserError, text_errors
from redgrid.tenants.people.service import node_for_write
from redgrid.tenants.scope import in_scope
from redgrid.tenants.units.access import require, require_sees, sees_units
from redgrid.tenants.units.models import PublicProject
from redgrid.tenants.units.service import unit_for_write

MAX_BUDGET = Decimal("1000000000000")  # fits DECIMAL(14, 2)


def projects(ctx: RequestContext) -> QuerySet[PublicProject]:
    require_sees(ctx)
    return in_scope(ctx, PublicProject.all(), "node__path")


async def project_by_id(ctx: RequestContext, project_id: int) -> PublicProject | None:
    return await projects(ctx).get_or_none(id=project_id) if sees_units(ctx) else None


def _check(title: str | None, description: str | None, budget: Decimal | None) -> list[UserError]:
    errors: list[UserError | None] = [
        *(text_errors("title", title, 200) if title is not None else []),
        *(
            text_errors("description", description, 1000, required=False, multiline=True)
            if description is not None
            else []
        ),
    ]
    if budget is not None:
        try:
            valid = Decimal(0) <= budget < MAX_BUDGET and budget == budget.quantize(Decimal("0.01"))
        except InvalidOperation:
            valid = False
        if not valid:
            errors.append(UserError("budget", "OUT_OF_RANGE", "a budget in yuan, at least 0, with at most 2 decimals"))
    return [e for e in errors if e is not None]


async def create_project(
    ctx: RequestContext, *, node_id: int, title: str, description: str = "", budget: Decimal
) -> PublicProject:
    require(ctx, "edits")
    errors = _check(title, description, budget)
    if errors:
        raise InvalidInput(*errors)
    node = await node_for_write(ctx, node_id)
    project = await PublicProject.create(
        tenant_id=node.tenant_id,  # type: ignore[attr-defined]
        node=node,
        title=title.strip(),
        description=description.strip(),
        budget=budget,
    )
    await events.record(ctx, "grid", "units.project_created", {"id": project.id}, path=node.path)
    return project


async def _for_write(ctx: RequestContext, project_id: int, field: str = "id") -> PublicProject:
    project = (
        await PublicProject.filter(tenant_id=ctx.require_tenant().id, id=project_id).select_related("node").first()
    )
    if project is None or not ctx.scope.covers(project.node.path):  # outside his grid: answered as if missing
        raise InvalidInput(UserError(field, "NOT_FOUND", "no such project"))
    return project


async def update_project(
    ctx: RequestContext,
    project_id: int,
    *,
    title: str | None = None,
    description: str | None = None,
    budget: Decimal | None = None,
) -> PublicProject:
    require(ctx, "edits")
    errors = _check(title, description, budget)
    if errors:
        raise InvalidInput(*errors)
    project = await _for_write(ctx, project_id)
    for column, value in (("title", title), ("description", description)):
        if value is not None:
            setattr(project, column, value.strip())
    if budget is not None:
        project.budget = budget
    await project.save(update_fields=["title", "description", "budget"])
    await events.record(ctx, "grid", "units.project_updated", {"id": project.id}, path=project.node.path)
    return project


async def claim_project(ctx: RequestContext, project_id: int, unit_id: int) -> PublicProject:
    """Record that `unit_id` claims the project; refused when someone claimed it first."""
    require(ctx, "claims")
    project = await _for_write(ctx, project_id, "projectId")
    unit = await unit_for_write(ctx, unit_id, "unitId")
    now = datetime.now(UTC)
    won = await PublicProject.filter(id=project.id, status="open").update(
        status="claimed", claimed_by_id=unit.id, claimed_at=now
    )
    if not won:
        raise InvalidInput(
            UserError("projectId", "ALREADY_CLAIMED", "the project is no longer open: another unit claimed it first")
        )
    await project.refresh_from_db()
    await events.record(
        ctx, "grid", "units.project_claimed", {"id": project.id, "unitId": unit.id}, path=project.node.path
    )
    return project


async def complete_project(ctx: RequestContext, project_id: int) -> PublicProject:
    require(ctx, "claims")
    project = await _for_write(ctx, project_id)
    done = await PublicProject.filter(id=project.id, status="claimed").update(
        status="completed", completed_at=datetime.now(UTC)
    )
    if not done:
        raise InvalidInput(
            UserError("id", "NOT_CLAIMED", f"only a claimed project is completed; this one is {project.status}")
        )
    await project.refresh_from_db()
    await events.record(ctx, "grid", "units.project_completed", {"id": project.id}, path=project.node.path)
    return project
