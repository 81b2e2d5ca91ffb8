"""Reading the grid tree. The tree's structure (names, codes, levels) is visible to every
member of the tenant — it is the map on the wall; registers and cases below it are scoped by
the caller's grid subtree."""

from __future__ import annotations

import re

from tortoise.queryset import QuerySet

from redgrid.platform import events
from redgrid.platform.context import Forbidden, RequestContext, ScopeKind
from redgrid.platform.errors import InvalidInput, UserError
from redgrid.tenants.grid.models import GridNode


def nodes(ctx: RequestContext) -> QuerySet[GridNode]:
    tenant = ctx.require_tenant()
    return GridNode.filter(tenant_id=tenant.id)


async def node_by_id(ctx: RequestContext, node_id: int) -> GridNode | None:
    return await nodes(ctx).get_or_none(id=node_id)


CODE = re.compile(r"^[A-Za-z0-9-]{1,32}$")
EDITOR_ROLES = ("secretary", "grid-head")


async def create_node(
    ctx: RequestContext, *, parent_id: int | None, code: str, name: str
) -> GridNode:
    """Add a node under `parent_id` (None: a root; secretaries only). The caller's grid scope
    must cover the parent."""
    tenant = ctx.require_tenant()
    ctx.require_role(*EDITOR_ROLES)
    errors = []
    if not CODE.match(code):
        errors.append(UserError("code", "INVALID_CODE", "1 to 32 letters, digits or '-'"))
    if not name.strip() or len(name) > 200:
        errors.append(UserError("name", "INVALID_NAME", "a name is required, at most 200 characters"))
    if errors:
        raise InvalidInput(*errors)
    if parent_id is None:
        if ctx.scope.kind is not ScopeKind.TENANT:
            raise Forbidden("only a tenant-wide secretary creates a root of the grid")
        path, level = code, 1
    else:
        parent = await node_by_id(ctx, parent_id)
        if parent is None:
            raise InvalidInput(UserError("parentId", "NOT_FOUND", "no such grid node"))
        if not ctx.scope.covers(parent.path):
            raise Forbidden("that grid node is outside your grid")
        path, level = f"{parent.path}.{code}", parent.level + 1
    if await nodes(ctx).filter(path=path).exists():
        raise InvalidInput(UserError("code", "DUPLICATE", f"code {code!r} is taken under this parent"))
    node = await GridNode.create(
        tenant_id=tenant.id, parent_id=parent_id, code=code, path=path, name=name.strip(), level=level
    )
    await events.record(
        ctx, "grid", "grid.node_created",
        {"id": node.id, "code": code, "name": node.name, "level": level, "parentId": parent_id},
        path=path,
    )
    return node
