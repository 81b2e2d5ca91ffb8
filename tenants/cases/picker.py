"""Whom a case may be dispatched to: the picker a manager of the case chooses from, each
candidate named as the registers name him and carrying the account he signs in as, so that a
client shows a real person and the case then appears among his "assigned to me".

- grid workers of the register linked to an account and serving the case's node or one above it;
- joint duty teams placed on the case's node or above it;
- sinking staff who sign in (linked to an account, or given a username).

Each list holds what the caller may see of its register (tenants/workers, tenants/staff), at
most PER_KIND candidates, by name. Dispatch itself (tenants/staff/dispatch.py) also accepts an
account whose own grid covers the case without a register row.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from tortoise.expressions import Subquery

from redgrid.platform.context import Forbidden, RequestContext
from redgrid.tenants.cases.service import may_manage, visible
from redgrid.tenants.staff import service as staff
from redgrid.tenants.workers import service as workers
from redgrid.tenants.workers.models import POSTS, GridWorkerNode, GridWorkerPost

PER_KIND = 100


@dataclass(frozen=True)
class Candidate:
    kind: str  # one of tenants/cases/models.ASSIGNEE_KINDS
    assignee: str  # what a dispatch names: a username, or a duty team's id
    name: str  # as the register names him (or the team)
    account_id: int | None  # the account he signs in as (none for a team)
    posts: tuple[str, ...] = ()  # a grid worker's posts


async def candidates(ctx: RequestContext, case_id: int) -> list[Candidate]:
    """The candidates for the case, when the caller may dispatch it (one refusal otherwise,
    whether the case is out of his sight or only out of his hands)."""
    case = await (await visible(ctx)).select_related("node").get_or_none(id=case_id)
    if case is None or not await may_manage(ctx, case, case.node.path):
        raise Forbidden("you may not dispatch this case")
    line = staff.ancestors(case.node.path)
    tenant_id = case.tenant_id  # type: ignore[attr-defined]
    serving = GridWorkerNode.filter(tenant_id=tenant_id, node__path__in=line).values("worker_id")
    rows = (
        await workers.workers(ctx)
        .filter(account_id__isnull=False, id__in=Subquery(serving))
        .select_related("account")
        .order_by("name", "id")
        .limit(PER_KIND)
    )
    posts: dict[int, list[str]] = defaultdict(list)
    for worker_id, post in await GridWorkerPost.filter(
        tenant_id=tenant_id, worker_id__in=[w.id for w in rows]
    ).values_list("worker_id", "post"):
        posts[worker_id].append(post)
    found = [
        Candidate("grid_worker", account.username, w.name, account.id, tuple(sorted(posts[w.id], key=POSTS.index)))
        for w in rows
        if (account := w.account) is not None  # all of them: the query asks for a link
    ]
    teams = await staff.teams(ctx).filter(node__path__in=line).order_by("name", "id").limit(PER_KIND)
    found += [Candidate("duty_team", str(t.id), t.name, None) for t in teams]
    people = await staff.staff(ctx).exclude(username="").order_by("name", "id").limit(PER_KIND)
    found += [Candidate("dept_staff", s.username, s.name, s.account_id) for s in people]  # type: ignore[attr-defined]
    return found
