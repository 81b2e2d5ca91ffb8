"""Who a notification reaches: accounts of the tenant, resolved through the registers' links.

- the case's assignee: whoever acts as it (tenants/staff/dispatch.py: the grid worker, the
  sinking staff member, each member of a duty team who has a username);
- the managers of a level: at `grid`, the grid heads whose grid covers the case (the nearest
  ones); at `community`, the secretaries scoped to a subtree covering it (the nearest ones); at
  `street` and `department`, the street's tenant-wide secretaries (as `may_manage` in
  tenants/cases/service.py decides who acts there). A level with nobody falls to the next;
- a pairing's grid workers: the accounts of the grid-worker register serving the elder's node
  (the nearest node on the way up that has any).

Only enabled accounts of the tenant receive anything: a username typed for a record that was
never linked, or of a disabled account, gets nothing."""

from __future__ import annotations

from collections.abc import Iterable
from typing import cast

from redgrid.platform.models import Account
from redgrid.tenants.grid.models import GridNode
from redgrid.tenants.staff.service import ancestors
from redgrid.tenants.workers.models import GridWorkerNode

LEVELS = ("grid", "community", "street", "department")


async def accounts_among(tenant_id: int, usernames: Iterable[str]) -> list[str]:
    """The usernames that are enabled accounts of the tenant, sorted, once each."""
    wanted = sorted({u for u in usernames if u})
    if not wanted:
        return []
    found = Account.filter(tenant_id=tenant_id, username__in=wanted, enabled=True)
    return sorted(cast("list[str]", await found.values_list("username", flat=True)))


async def _nearest(tenant_id: int, role: str, path: str) -> list[str]:
    """The accounts of `role` scoped to the deepest node on `path`'s way up that has any."""
    rows = await Account.filter(
        tenant_id=tenant_id, role=role, enabled=True, grid_scope__path__in=ancestors(path)
    ).values_list("username", "grid_scope__path")
    if not rows:
        return []
    deepest = max(len(str(p)) for _, p in rows)
    return sorted(str(u) for u, p in rows if len(str(p)) == deepest)


async def managers_at(tenant_id: int, level: str, path: str) -> list[str]:
    """The managers who act on a case at `level` placed at `path` (see the module's text)."""
    for at in LEVELS[LEVELS.index(level) :] if level in LEVELS else LEVELS[2:]:
        if at == "grid":
            found = await _nearest(tenant_id, "grid-head", path)
        elif at == "community":
            found = await _nearest(tenant_id, "secretary", path)
        else:
            query = Account.filter(tenant_id=tenant_id, role="secretary", enabled=True, grid_scope_id=None)
            found = sorted(cast("list[str]", await query.values_list("username", flat=True)))
        if found:
            return found
    return []


async def grid_workers_serving(tenant_id: int, node: GridNode) -> list[str]:
    """The accounts of the grid-worker register serving `node`, or the nearest node above it
    that has any."""
    rows = await GridWorkerNode.filter(
        tenant_id=tenant_id,
        node__path__in=ancestors(node.path),
        worker__account_id__isnull=False,
        worker__account__enabled=True,
    ).values_list("worker__account__username", "node__path")
    if not rows:
        return []
    deepest = max(len(str(p)) for _, p in rows)
    return sorted({str(u) for u, p in rows if len(str(p)) == deepest})
