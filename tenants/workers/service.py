"""The register of grid workers: who serves which grid nodes, in which posts.

Who sees it: secretaries, grid heads and grid workers read the workers serving a node of their
grid (the whole tenant's for a tenant-wide secretary), phones in full. Sinking staff and
volunteers read the tenant's grid teams, phones masked (tenants/people/privacy.py): a team is
who to call about a grid, as its head on the grid map is, and the phone is what the privacy
rule guards.

Who changes it: a secretary, or a grid head inside his grid. Every node a worker serves,
before and after the change, must be in the caller's grid: a worker who also serves grids
outside it is changed by a secretary above both.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tortoise.expressions import Q, Subquery
from tortoise.queryset import QuerySet

from redgrid.platform import events
from redgrid.platform.context import RequestContext, ScopeKind
from redgrid.platform.database import unique_or
from redgrid.platform.errors import InvalidInput, UserError, text_errors
from redgrid.platform.models import Account
from redgrid.tenants.grid.models import GridNode
from redgrid.tenants.people.privacy import phone_shown
from redgrid.tenants.people.service import node_for_write
from redgrid.tenants.phones import phone_error
from redgrid.tenants.scope import path_filter, subtree
from redgrid.tenants.workers import links
from redgrid.tenants.workers.models import POSTS, GridWorker, GridWorkerNode, GridWorkerPost

GRID_READERS = ("secretary", "grid-head", "grid-worker")
READERS = (*GRID_READERS, "dept-staff", "volunteer")
EDITORS = ("secretary", "grid-head")
MAX_NODES = 20  # a worker's nodes per change: each is checked against the caller's grid


def check_posts(posts: Sequence[str]) -> list[UserError]:
    """One to all of POSTS, each once."""
    if not posts:
        return [UserError("posts", "REQUIRED", "a grid worker holds at least one post")]
    errors = [UserError(f"posts.{i}", "INVALID_POST", "not a post") for i, p in enumerate(posts) if p not in POSTS]
    if len(set(posts)) != len(posts):
        errors.append(UserError("posts", "DUPLICATE", "each post once"))
    return errors


def check_node_ids(node_ids: Sequence[int]) -> list[UserError]:
    """One to MAX_NODES nodes, each once."""
    if not 1 <= len(node_ids) <= MAX_NODES:
        return [UserError("nodeIds", "OUT_OF_RANGE", f"a grid worker serves 1 to {MAX_NODES} grid nodes")]
    if len(set(node_ids)) != len(node_ids):
        return [UserError("nodeIds", "DUPLICATE", "each node once")]
    return []


def serving_under(path: str) -> Q:
    """Workers serving a node of the subtree at `path`."""
    return Q(id__in=Subquery(GridWorkerNode.filter(subtree("node__path", path)).values("worker_id")))


def workers(ctx: RequestContext) -> QuerySet[GridWorker]:
    """The workers the caller may see (see the module's docstring)."""
    identity = ctx.require_role(*READERS)
    query = GridWorker.filter(tenant_id=ctx.require_tenant().id)
    if not identity.has_any(*GRID_READERS):
        return query
    condition = path_filter(ctx, "node__path")
    if condition is None:
        return query
    return query.filter(id__in=Subquery(GridWorkerNode.filter(condition).values("worker_id")))


async def worker_by_id(ctx: RequestContext, worker_id: int) -> GridWorker | None:
    """None too when the caller's role may not see the register: `node(id)` answers null."""
    if not ctx.require_user().has_any(*READERS):
        return None
    return await workers(ctx).get_or_none(id=worker_id)


def filtered(
    query: QuerySet[GridWorker], *, under_path: str | None = None, post: str | None = None
) -> QuerySet[GridWorker]:
    """`query` narrowed to the workers serving under a node, or holding a post."""
    if under_path is not None:
        query = query.filter(serving_under(under_path))
    if post is not None:
        query = query.filter(id__in=Subquery(GridWorkerPost.filter(post=post).values("worker_id")))
    return query


@dataclass(frozen=True)
class WorkerView:
    """A worker as the caller may see him: the phone full, masked or hidden by role."""

    id: int
    name: str
    phone: str | None
    account_id: int | None
    created_at: datetime


def viewer(ctx: RequestContext) -> Callable[[GridWorker], WorkerView]:
    shown = phone_shown(ctx)

    def view(w: GridWorker) -> WorkerView:
        return WorkerView(
            id=w.id,
            name=w.name,
            phone=shown(w.phone or None),
            account_id=w.account_id,  # type: ignore[attr-defined]
            created_at=w.created_at,
        )

    return view


async def _for_write(ctx: RequestContext, worker_id: int) -> tuple[GridWorker, list[GridNode]]:
    """The worker and the nodes he serves, when the caller's grid holds all of them."""
    ctx.require_role(*EDITORS)
    worker = await workers(ctx).get_or_none(id=worker_id)
    if worker is None:
        raise InvalidInput(UserError("id", "NOT_FOUND", "no such grid worker"))
    served = await GridNode.filter(tenant_id=worker.tenant_id, grid_workers__worker_id=worker.id)  # type: ignore[attr-defined]
    if ctx.scope.kind is not ScopeKind.TENANT and not all(ctx.scope.covers(n.path) for n in served):
        raise InvalidInput(
            UserError(
                "id", "SERVES_OTHER_GRIDS", "he also serves grids outside yours: a secretary above both changes him"
            )
        )
    return worker, served


async def save_worker(
    ctx: RequestContext,
    *,
    name: str,
    node_ids: Sequence[int],
    posts: Sequence[str],
    phone: str = "",
    username: str | None = None,
    worker_id: int | None = None,
) -> GridWorker:
    """Register a worker, or change one (`worker_id`): his name, phone, the nodes he serves
    (all in the caller's grid), his posts, and the account he signs in as (`username`, None:
    none), at most one worker's."""
    tenant = ctx.require_tenant()
    ctx.require_role(*EDITORS)
    errors = text_errors("name", name, 100, code="INVALID_NAME") + check_posts(posts) + check_node_ids(node_ids)
    if (error := phone_error(phone)) is not None:
        errors.append(error)
    if errors:
        raise InvalidInput(*errors)
    before: list[GridNode] = []
    worker = None
    if worker_id is not None:
        worker, before = await _for_write(ctx, worker_id)
    nodes = [await node_for_write(ctx, node_id, f"nodeIds.{i}") for i, node_id in enumerate(node_ids)]
    account = await _account(ctx, username, worker_id)
    duplicate = UserError("username", "DUPLICATE", "that account is already a grid worker's")
    values: dict[str, Any] = {"name": name.strip(), "phone": phone, "account": account}
    async with unique_or(duplicate):  # the same account linked by another request meanwhile
        if worker is None:
            worker = await GridWorker.create(tenant_id=tenant.id, **values)
        else:
            await worker.update_from_dict(values).save()
    await GridWorkerNode.filter(tenant_id=tenant.id, worker_id=worker.id).delete()
    await GridWorkerNode.bulk_create([GridWorkerNode(tenant_id=tenant.id, worker=worker, node=n) for n in nodes])
    await GridWorkerPost.filter(tenant_id=tenant.id, worker_id=worker.id).delete()
    ordered = sorted(posts, key=POSTS.index)  # as POSTS lists them, whatever order they came in
    await GridWorkerPost.bulk_create([GridWorkerPost(tenant_id=tenant.id, worker=worker, post=p) for p in ordered])
    await _record(ctx, "roster.worker_saved", worker, account, {n.id: n for n in [*before, *nodes]}.values())
    return worker


async def _account(ctx: RequestContext, username: str | None, worker_id: int | None) -> Account | None:
    if username is None:
        return None
    account = await links.linkable_account(ctx, username, "username")
    others = GridWorker.filter(tenant_id=account.tenant_id, account_id=account.id)  # type: ignore[attr-defined]
    if await others.exclude(id=worker_id or 0).exists():
        raise InvalidInput(UserError("username", "DUPLICATE", "that account is already a grid worker's"))
    return account


async def remove_worker(ctx: RequestContext, worker_id: int) -> GridWorker:
    """Take a worker off the register (cases and shifts name people by username, not by this row)."""
    tenant = ctx.require_tenant()
    worker, served = await _for_write(ctx, worker_id)
    account = await Account.get_or_none(tenant_id=tenant.id, id=worker.account_id)  # type: ignore[attr-defined]
    await GridWorkerNode.filter(tenant_id=tenant.id, worker_id=worker.id).delete()
    await GridWorkerPost.filter(tenant_id=tenant.id, worker_id=worker.id).delete()
    await worker.delete()
    await _record(ctx, "roster.worker_removed", worker, account, served)
    return worker


async def _record(
    ctx: RequestContext, kind: str, worker: GridWorker, account: Account | None, nodes: Iterable[GridNode]
) -> None:
    """One event per node concerned, so each grid's subscribers see the change to its team."""
    people = [account.username] if account else []
    for node in nodes:
        await events.record(ctx, "roster", kind, {"id": worker.id, "nodeId": node.id, "people": people}, path=node.path)
