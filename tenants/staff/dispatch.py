"""Who a case may be dispatched to, checked against the registers, and who then acts on it.

- `grid_worker`: the username of an account of the tenant whose grid scope covers the case,
  or that a grid worker of the register serving the case's node or one above it is linked to.
- `duty_team`: the id of a joint duty team (decimal, as text) placed on the case's node or
  above it; every member of the team with a username acts as the assignee.
- `dept_staff`: the username of a sinking staff member of the tenant. By username rather than
  id because the username is what recognises him when he acts. Not bound to the case's node:
  a case escalated to the line departments goes to whichever staff the department sends.
- `line_dept`: the id of a line department of the district, given by the action
  `refer` (tenants/cases/service.py), not by dispatch; each of its staff acts as the assignee.
"""

from __future__ import annotations

from typing import cast

from redgrid.platform.errors import InvalidInput, UserError
from redgrid.platform.models import Account, DistrictDepartmentMember
from redgrid.tenants.grid.models import GridNode
from redgrid.tenants.staff.models import DutyTeam, DutyTeamMember, SinkingStaff
from redgrid.tenants.staff.service import ancestors
from redgrid.tenants.workers import links
from redgrid.tenants.workers.models import GridWorkerNode


def _refuse(code: str, message: str) -> InvalidInput:
    return InvalidInput(UserError("assignee", code, message))


async def check_assignee(tenant_id: int, kind: str, assignee: str, case_path: str) -> None:
    """Refuse (a user error on `assignee`) an assignee the registers do not back."""
    if kind == "grid_worker":
        account = await Account.filter(tenant_id=tenant_id, username=assignee).select_related("grid_scope").first()
        if account is None:
            raise _refuse("UNKNOWN_ASSIGNEE", "no grid worker of that username has a grid here")
        # The platform's Account types its grid scope as a Model: the platform may not name GridNode.
        scope = cast("GridNode | None", account.grid_scope)
        if scope is not None and (case_path == scope.path or case_path.startswith(scope.path + ".")):
            return
        serving = GridWorkerNode.filter(tenant_id=tenant_id, worker__account_id=account.id)
        if scope is None and not await serving.exists():
            raise _refuse("UNKNOWN_ASSIGNEE", "no grid worker of that username has a grid here")
        if not await serving.filter(node__path__in=ancestors(case_path)).exists():
            raise _refuse("OUTSIDE_ASSIGNEE_GRID", "the case is outside that grid worker's grid")
    elif kind == "duty_team":
        team = None
        if assignee.isdigit():
            team = await DutyTeam.filter(tenant_id=tenant_id, id=int(assignee)).select_related("node").first()
        if team is None:
            raise _refuse("UNKNOWN_ASSIGNEE", "no such duty team")
        if not (case_path == team.node.path or case_path.startswith(team.node.path + ".")):
            raise _refuse("OUTSIDE_ASSIGNEE_GRID", "the team's grid node does not cover the case")
    elif not await SinkingStaff.filter(links.mine(assignee), tenant_id=tenant_id).exists():
        raise _refuse("UNKNOWN_ASSIGNEE", "no sinking staff member has that username")


async def acting_usernames(tenant_id: int, kind: str | None, assignee: str | None) -> list[str]:
    """The usernames that act as the case's assignee: the team's members for a duty team."""
    if not assignee:
        return []
    if kind == "line_dept":
        staff = DistrictDepartmentMember.filter(department_id=int(assignee))
        return sorted(str(n) for n in await staff.values_list("username", flat=True))
    if kind != "duty_team":
        return [assignee]
    members = DutyTeamMember.filter(tenant_id=tenant_id, team_id=int(assignee))
    # tortoise types flat values_list rows as tuples
    names = cast("list[str | None]", await members.values_list("staff__username", flat=True))
    return sorted({n for n in names if n})


async def teams_of(tenant_id: int, username: str) -> list[str]:
    """The duty teams of the staff member signed in as `username` (through his account link),
    as the text a case's assignee holds."""
    members = DutyTeamMember.filter(links.mine(username, "staff__"), tenant_id=tenant_id)
    ids = await members.values_list("team_id", flat=True)
    return [str(i) for i in ids]
