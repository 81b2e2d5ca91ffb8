"""People linked to their accounts: a grid node's head, a grid worker, a sinking staff member
and a volunteer each name at most the one `Account` of their tenant that the person signs in
as, and an account is linked to at most one record of each register.

Which accounts a caller may link (`linkable_account`): a tenant-wide caller, any of his tenant;
a caller scoped to a subtree, only the accounts whose grid lies inside it. Anything else (no
such username, another tenant's user, an account outside his grid) is one and the same
NOT_FOUND, so linking reveals no account the caller may not see.

While a staff member or volunteer is linked, his `username` is his account's: the code that
recognises a caller as "this staff member" or "this volunteer" (his shifts, his duty teams,
his pairings, the cases dispatched to him) goes through `mine`, which follows the link and,
for records not yet linked, the username typed for them.
"""

from __future__ import annotations

from typing import Any, cast

from tortoise.expressions import Q
from tortoise.models import Model

from redgrid.platform import events
from redgrid.platform.context import RequestContext, ScopeKind
from redgrid.platform.database import unique_or
from redgrid.platform.errors import InvalidInput, UserError
from redgrid.platform.models import Account
from redgrid.tenants.grid.models import GridNode
from redgrid.tenants.people.models import Volunteer
from redgrid.tenants.staff.models import DutyShift, SinkingStaff

MAX_USERNAME = 128  # Keycloak's usernames, as Account.username holds them
LINKERS = ("secretary",)


def mine(username: str, prefix: str = "") -> Q:
    """The records of the person signed in as `username`: linked to his account, or not linked
    and carrying his username. `prefix` reaches the record through a relation ("staff__")."""
    linked: dict[str, Any] = {f"{prefix}account__username": username}
    typed: dict[str, Any] = {f"{prefix}account_id": None, f"{prefix}username": username}
    return Q(**linked) | Q(**typed)


def account_in_view(ctx: RequestContext, scope_path: str | None) -> bool:
    """Whether the caller may see (and link) an account whose grid is `scope_path` (None: none)."""
    if ctx.scope.kind is ScopeKind.TENANT:
        return True
    return scope_path is not None and ctx.scope.covers(scope_path)


async def linkable_account(ctx: RequestContext, username: str, field: str) -> Account:
    """The caller's tenant's account of `username`, when he may see it; NOT_FOUND otherwise."""
    tenant = ctx.require_tenant()
    missing = InvalidInput(UserError(field, "NOT_FOUND", "no such account"))
    if not username or len(username) > MAX_USERNAME:
        raise missing
    account = await Account.filter(tenant_id=tenant.id, username=username).select_related("grid_scope").first()
    # The platform's Account types its grid scope as a Model: the platform may not name GridNode.
    scope = cast("GridNode | None", account.grid_scope) if account else None
    if account is None or not account_in_view(ctx, scope.path if scope else None):
        raise missing
    return account


def covers_node(account: Account, node: GridNode) -> bool:
    """An account with a grid acts only inside it; one without (a tenant-wide role) anywhere."""
    scope = cast("GridNode | None", account.grid_scope)
    return scope is None or node.path == scope.path or node.path.startswith(scope.path + ".")


async def _taken(model: type[Model], tenant_id: int, account: Account, record_id: int) -> bool:
    """Another record of the register already is this account's (linked, or typed with it)."""
    others = model.filter(tenant_id=tenant_id).exclude(id=record_id)
    return await others.filter(Q(account_id=account.id) | Q(username=account.username)).exists()


async def link_staff(ctx: RequestContext, staff_id: int, username: str | None) -> SinkingStaff:
    """Link a staff member of the caller's grid to an account (None: unlink him). His username
    becomes the account's (or none), and so does the one on his shifts not yet begun."""
    tenant = ctx.require_tenant()
    ctx.require_role(*LINKERS)
    person = await SinkingStaff.filter(tenant_id=tenant.id, id=staff_id).select_related("node").first()
    if person is None or not ctx.scope.covers(person.node.path):  # outside his grid: answered as if missing
        raise InvalidInput(UserError("id", "NOT_FOUND", "no such staff member"))
    account = None if username is None else await linkable_account(ctx, username, "username")
    duplicate = UserError("username", "DUPLICATE", "that account is already a staff member's")
    if account is not None and await _taken(SinkingStaff, tenant.id, account, person.id):
        raise InvalidInput(duplicate)
    person.account = account
    person.username = account.username if account else ""
    async with unique_or(duplicate):  # the same account linked by another request meanwhile
        await person.save(update_fields=["account_id", "username"])
    await DutyShift.filter(tenant_id=tenant.id, staff_id=person.id, checked_in_at=None, cancelled_at=None).update(
        assignee_username=person.username
    )
    await events.record(
        ctx,
        "roster",
        "roster.staff_assigned",
        {
            "id": person.id,
            "nodeId": person.node.id,
            "departmentId": person.department_id,  # type: ignore[attr-defined]
            "people": [person.username] if person.username else [],
        },
        path=person.node.path,
    )
    return person


async def link_volunteer(ctx: RequestContext, volunteer_id: int, username: str | None) -> Volunteer:
    """Link a volunteer (the street's register) to an account (None: unlink him); his username
    becomes the account's (or none), so his pairings follow the link."""
    tenant = ctx.require_tenant()
    ctx.require_role(*LINKERS)
    volunteer = await Volunteer.filter(tenant_id=tenant.id, id=volunteer_id).select_related("resident__node").first()
    if volunteer is None:
        raise InvalidInput(UserError("id", "NOT_FOUND", "no such volunteer"))
    account = None if username is None else await linkable_account(ctx, username, "username")
    duplicate = UserError("username", "DUPLICATE", "that account is already a volunteer's")
    if account is not None and await _taken(Volunteer, tenant.id, account, volunteer.id):
        raise InvalidInput(duplicate)
    volunteer.account = account
    volunteer.username = account.username if account else None
    async with unique_or(duplicate):
        await volunteer.save(update_fields=["account_id", "username"])
    await events.record(
        ctx,
        "people",
        "people.volunteer_registered",
        {"id": volunteer.id, "teamId": volunteer.team_id},  # type: ignore[attr-defined]
        path=volunteer.resident.node.path if volunteer.resident else None,
    )
    return volunteer
