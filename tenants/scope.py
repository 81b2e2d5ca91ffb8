"""Scoping tenant-owned querysets to the caller: the tenant always, the grid subtree for
grid roles. One place, so every register applies the same rule."""

from __future__ import annotations

from typing import Any, TypeVar

from tortoise.expressions import Q
from tortoise.queryset import QuerySet

from redgrid.platform.context import Forbidden, RequestContext, ScopeKind

M = TypeVar("M")


def subtree(path_field: str, path: str) -> Q:
    """Rows whose grid path (the lookup `path_field`) is `path` or below it."""
    return Q(**{path_field: path}) | Q(**{f"{path_field}__startswith": path + "."})


def path_filter(ctx: RequestContext, path_field: str) -> Q | None:
    """The condition on a grid-path column for the caller's scope (None: no narrowing)."""
    scope = ctx.scope
    if scope.kind is ScopeKind.TENANT:
        return None
    if scope.kind is ScopeKind.NONE or scope.path is None:
        return Q(id__lt=0)  # nothing
    return subtree(path_field, scope.path)


def in_scope(ctx: RequestContext, queryset: QuerySet[Any], path_field: str) -> QuerySet[Any]:
    """`queryset` narrowed to the caller's tenant and grid subtree; `path_field` is the
    lookup of the grid path of each row (e.g. "node__path")."""
    tenant = ctx.require_tenant()
    narrowed = queryset.filter(tenant_id=tenant.id)
    condition = path_filter(ctx, path_field)
    return narrowed if condition is None else narrowed.filter(condition)


def require_covers(ctx: RequestContext, path: str) -> None:
    if not ctx.scope.covers(path):
        raise Forbidden("that is outside your grid")
