"""Departments, the sinking staff they send down to grid nodes, joint duty teams, and the
staff's yearly evaluation.

Who sees what: departments are the street's and open to every staff role of the tenant.
Staff and teams are seen by the grid roles when they serve the caller's grid: placed on a
node of his subtree or on one above it (staff sent to the community serve every building in
it). A sinking staff member himself sees his own rows. Phones are shown as the people
registers show them (tenants/people/privacy.py: full, masked or hidden by role).

Who edits: departments and evaluations, a tenant-wide secretary. Staff and teams, a
secretary or grid head whose grid covers the node.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from tortoise.expressions import Q, Subquery
from tortoise.queryset import QuerySet

from redgrid.platform import events
from redgrid.platform.context import Forbidden, RequestContext, ScopeKind
from redgrid.platform.errors import InvalidInput, UserError, text_errors
from redgrid.tenants.grid.models import GridNode
from redgrid.tenants.people.privacy import phone_shown
from redgrid.tenants.people.service import node_for_write
from redgrid.tenants.people.volunteers import USERNAME
from redgrid.tenants.phones import phone_error
from redgrid.tenants.staff.models import (
    DEPARTMENT_KINDS,
    Department,
    DutyShift,
    DutyTeam,
    DutyTeamMember,
    SinkingStaff,
    StaffEvaluation,
)
from redgrid.tenants.workers import links

STAFF_ROLES = ("secretary", "grid-head", "grid-worker", "dept-staff")
EDITORS = ("secretary", "grid-head")
GRID_READERS = ("secretary", "grid-head", "grid-worker")


def ancestors(path: str) -> list[str]:
    """The paths from the root down to `path`, itself included."""
    parts = path.split(".")
    return [".".join(parts[: i + 1]) for i in range(len(parts))]


def on_one_line(a: str, b: str) -> bool:
    """One node is the other or above it: staff there can serve the other."""
    return a == b or a.startswith(b + ".") or b.startswith(a + ".")


def serving(ctx: RequestContext, path_field: str, own: Q) -> Q:
    """Rows placed where they serve the caller's grid (its subtree or a node above it), for
    the grid roles; otherwise, and besides, the caller's `own` rows."""
    identity = ctx.require_user()
    if identity.has_any(*GRID_READERS):
        if ctx.scope.kind is ScopeKind.TENANT:
            return Q()
        if ctx.scope.kind is ScopeKind.SUBTREE and ctx.scope.path is not None:
            path = ctx.scope.path
            above: dict[str, Any] = {f"{path_field}__in": ancestors(path)}
            below: dict[str, Any] = {f"{path_field}__startswith": path + "."}
            return Q(**above) | Q(**below) | own
    return own


def departments(ctx: RequestContext) -> QuerySet[Department]:
    ctx.require_role(*STAFF_ROLES)
    return Department.filter(tenant_id=ctx.require_tenant().id)


def staff(ctx: RequestContext) -> QuerySet[SinkingStaff]:
    identity = ctx.require_role(*STAFF_ROLES)
    own = links.mine(identity.username)
    return SinkingStaff.filter(tenant_id=ctx.require_tenant().id).filter(serving(ctx, "node__path", own))


def teams(ctx: RequestContext) -> QuerySet[DutyTeam]:
    """Teams serving the caller's grid; for sinking staff, the teams they are members of."""
    identity = ctx.require_role(*STAFF_ROLES)
    tenant = ctx.require_tenant()
    # A subquery: a bare ValuesQuery inside Q is not iterable and failed every scoped caller.
    mine = Q(
        id__in=Subquery(
            DutyTeamMember.filter(links.mine(identity.username, "staff__"), tenant_id=tenant.id).values("team_id")
        )
    )
    return DutyTeam.filter(tenant_id=tenant.id).filter(serving(ctx, "node__path", mine))


@dataclass(frozen=True)
class StaffView:
    """A staff member as the caller may see him: the phone full, masked or hidden by role."""

    id: int
    name: str
    phone: str | None
    username: str | None
    account_id: int | None
    department_id: int
    node_id: int
    created_at: datetime


def viewer(ctx: RequestContext) -> Callable[[SinkingStaff], StaffView]:
    """A function showing staff as the caller may see them (the rule is looked up once)."""
    shown = phone_shown(ctx)

    def view(s: SinkingStaff) -> StaffView:
        return StaffView(
            id=s.id,
            name=s.name,
            phone=shown(s.phone or None),
            username=s.username or None,
            account_id=s.account_id,  # type: ignore[attr-defined]
            department_id=s.department_id,  # type: ignore[attr-defined]
            node_id=s.node_id,  # type: ignore[attr-defined]
            created_at=s.created_at,
        )

    return view


def _require_street_secretary(ctx: RequestContext) -> None:
    ctx.require_role("secretary")
    if ctx.scope.kind is not ScopeKind.TENANT:
        raise Forbidden("only a tenant-wide secretary changes departments and evaluations")


async def save_department(ctx: RequestContext, *, name: str, kind: str, department_id: int | None = None) -> Department:
    """Create a department, or rename and re-kind one (`department_id`)."""
    tenant = ctx.require_tenant()
    _require_street_secretary(ctx)
    errors = text_errors("name", name, 200, code="INVALID_NAME")
    if kind not in DEPARTMENT_KINDS:
        errors.append(UserError("kind", "INVALID_KIND", f"kind is one of {', '.join(DEPARTMENT_KINDS)}"))
    if errors:
        raise InvalidInput(*errors)
    same_name = Department.filter(tenant_id=tenant.id, name=name.strip())
    if department_id is not None:
        same_name = same_name.exclude(id=department_id)
    if await same_name.exists():
        raise InvalidInput(UserError("name", "DUPLICATE", "a department of that name exists"))
    if department_id is None:
        return await Department.create(tenant_id=tenant.id, name=name.strip(), kind=kind)
    department = await Department.get_or_none(tenant_id=tenant.id, id=department_id)
    if department is None:
        raise InvalidInput(UserError("id", "NOT_FOUND", "no such department"))
    department.name, department.kind = name.strip(), kind
    await department.save(update_fields=["name", "kind"])
    return department


async def editable_node(ctx: RequestContext, node_id: int, field: str = "nodeId") -> GridNode:
    """An active node that a secretary or grid head of the caller's grid may staff."""
    ctx.require_role(*EDITORS)
    return await node_for_write(ctx, node_id, field)


def _check_person(name: str, phone: str, username: str) -> list[UserError]:
    errors = text_errors("name", name, 100, code="INVALID_NAME")
    if (error := phone_error(phone)) is not None:
        errors.append(error)
    if username and not USERNAME.match(username):
        errors.append(
            UserError(
                "username", "INVALID_USERNAME", "a Keycloak username: lower-case letters, digits, '.', '_', '@', '-'"
            )
        )
    return errors


async def save_staff(
    ctx: RequestContext,
    *,
    name: str,
    department_id: int,
    node_id: int,
    phone: str = "",
    username: str = "",
    staff_id: int | None = None,
) -> SinkingStaff:
    """Register a staff member at a grid node, or change one (`staff_id`): the caller's grid
    must cover both the node he leaves and the node he goes to."""
    tenant = ctx.require_tenant()
    errors = _check_person(name, phone, username)
    department = await Department.get_or_none(tenant_id=tenant.id, id=department_id)
    if department is None:
        errors.append(UserError("departmentId", "NOT_FOUND", "no such department"))
    if errors:
        raise InvalidInput(*errors)
    node = await editable_node(ctx, node_id)
    existing = None
    if staff_id is not None:
        existing = await SinkingStaff.filter(tenant_id=tenant.id, id=staff_id).select_related("node").first()
        if existing is None or not ctx.scope.covers(existing.node.path):  # outside his grid: answered as if missing
            raise InvalidInput(UserError("id", "NOT_FOUND", "no such staff member"))
        if existing.account_id is not None and username != existing.username:  # type: ignore[attr-defined]
            raise InvalidInput(
                UserError("username", "ACCOUNT_LINKED", "his username is his linked account's: a secretary relinks him")
            )
    if (
        username
        and await SinkingStaff.filter(tenant_id=tenant.id, username=username).exclude(id=staff_id or 0).exists()
    ):
        raise InvalidInput(UserError("username", "DUPLICATE", "that user is already a staff member"))
    values: dict[str, Any] = {
        "name": name.strip(),
        "phone": phone,
        "username": username,
        "department": department,
        "node": node,
    }
    if existing is None:
        member = await SinkingStaff.create(tenant_id=tenant.id, **values)
    else:
        member = existing.update_from_dict(values)
        await member.save()
        # His shifts not yet begun follow his username (DutyShift keeps it for the assignee check).
        await DutyShift.filter(tenant_id=tenant.id, staff_id=member.id, checked_in_at=None, cancelled_at=None).update(
            assignee_username=username
        )
    await events.record(
        ctx,
        "roster",
        "roster.staff_assigned",
        {
            "id": member.id,
            "nodeId": node.id,
            "departmentId": department.id,  # type: ignore[union-attr]
            "people": [username] if username else [],
        },
        path=node.path,
    )
    return member


def _sees(ctx: RequestContext) -> bool:
    return ctx.require_user().has_any(*STAFF_ROLES)


async def department_by_id(ctx: RequestContext, department_id: int) -> Department | None:
    """None too when the caller's role may not see it: `node(id)` answers null."""
    return await departments(ctx).get_or_none(id=department_id) if _sees(ctx) else None


async def staff_by_id(ctx: RequestContext, staff_id: int) -> SinkingStaff | None:
    return await staff(ctx).get_or_none(id=staff_id) if _sees(ctx) else None


async def team_by_id(ctx: RequestContext, team_id: int) -> DutyTeam | None:
    return await teams(ctx).get_or_none(id=team_id) if _sees(ctx) else None


async def create_team(ctx: RequestContext, *, node_id: int, name: str) -> DutyTeam:
    tenant = ctx.require_tenant()
    if errors := text_errors("name", name, 200, code="INVALID_NAME"):
        raise InvalidInput(*errors)
    node = await editable_node(ctx, node_id)
    if await DutyTeam.filter(tenant_id=tenant.id, node_id=node.id, name=name.strip()).exists():
        raise InvalidInput(UserError("name", "DUPLICATE", "this node has a team of that name"))
    team = await DutyTeam.create(tenant_id=tenant.id, node=node, name=name.strip())
    await events.record(
        ctx, "roster", "roster.team_created", {"id": team.id, "nodeId": node.id, "people": []}, path=node.path
    )
    return team


async def _team_for_write(ctx: RequestContext, team_id: int) -> DutyTeam:
    ctx.require_role(*EDITORS)
    team = await DutyTeam.filter(tenant_id=ctx.require_tenant().id, id=team_id).select_related("node").first()
    if team is None or not ctx.scope.covers(team.node.path):  # outside his grid: answered as if missing
        raise InvalidInput(UserError("teamId", "NOT_FOUND", "no such duty team"))
    return team


async def set_team_member(ctx: RequestContext, *, team_id: int, staff_id: int, member: bool) -> DutyTeam:
    """Add a staff member serving the team's node (placed on it, above or below it) to the
    team, or take him off. Adding a member twice or removing a non-member changes nothing."""
    tenant = ctx.require_tenant()
    team = await _team_for_write(ctx, team_id)
    person = await SinkingStaff.filter(tenant_id=tenant.id, id=staff_id).select_related("node").first()
    if person is None:
        raise InvalidInput(UserError("staffId", "NOT_FOUND", "no such staff member"))
    # Only joining asks that he serve the team's node: a member sent elsewhere since must
    # still be taken off (the check on removal kept him on the team for good).
    if member and not on_one_line(person.node.path, team.node.path):
        raise InvalidInput(UserError("staffId", "NOT_SERVING", "the staff member does not serve the team's grid node"))
    if member:
        _, changed = await DutyTeamMember.get_or_create(tenant_id=tenant.id, team=team, staff=person)
    else:
        changed = await DutyTeamMember.filter(tenant_id=tenant.id, team_id=team.id, staff_id=person.id).delete() > 0
    if changed:
        await events.record(
            ctx,
            "roster",
            "roster.team_member_added" if member else "roster.team_member_removed",
            {"id": team.id, "staffId": person.id, "people": [person.username] if person.username else []},
            path=team.node.path,
        )
    return team


async def set_evaluation(
    ctx: RequestContext, *, staff_id: int, year: int, score: str, comment: str = ""
) -> StaffEvaluation:
    """The yearly evaluation of a staff member, 0 to 100 with two decimals; set again to correct."""
    tenant = ctx.require_tenant()
    _require_street_secretary(ctx)
    errors = []
    try:
        value = Decimal(score)
        if not (value.is_finite() and 0 <= value <= 100 and value == value.quantize(Decimal("0.01"))):
            raise InvalidOperation
    except InvalidOperation:
        errors.append(UserError("score", "OUT_OF_RANGE", "a score from 0 to 100, at most two decimals"))
    if not 2000 <= year <= 2100:
        errors.append(UserError("year", "OUT_OF_RANGE", "a year from 2000 to 2100"))
    errors += text_errors("comment", comment, 500, required=False, code="TOO_LONG", multiline=True)
    person = await SinkingStaff.get_or_none(tenant_id=tenant.id, id=staff_id)
    if person is None:
        errors.append(UserError("staffId", "NOT_FOUND", "no such staff member"))
    if errors:
        raise InvalidInput(*errors)
    evaluation, _ = await StaffEvaluation.update_or_create(
        tenant_id=tenant.id,
        staff=person,
        year=year,
        defaults={"score": value, "comment": comment.strip()},
    )
    return evaluation
