"""The grid tree: reading it, shaping it (levels, create, rename, move, retire) and its key
figure, full coverage.

The tree's structure (names, codes, levels) is visible to every member of the tenant — it is
the map on the wall. Changing it needs a secretary, or a grid head inside his own subtree;
registers and cases below it are scoped by the caller's grid subtree (see tenants/scope.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

from tortoise.expressions import Q
from tortoise.fields.relational import BackwardFKRelation
from tortoise.functions import Count
from tortoise.models import Model
from tortoise.queryset import QuerySet

from redgrid.platform import events
from redgrid.platform.context import Forbidden, RequestContext, ScopeKind
from redgrid.platform.database import unique_or
from redgrid.platform.errors import InvalidInput, UserError, text_errors
from redgrid.tenants.grid.models import (
    PARTY_ORG_KINDS,
    STATION_KINDS,
    GridLevel,
    GridNode,
    PartyOrganisation,
    ServiceStation,
)
from redgrid.tenants.scope import subtree
from redgrid.tenants.workers import links

CODE = re.compile(r"^[A-Za-z0-9-]{1,32}$")
EDITOR_ROLES = ("secretary", "grid-head")
MIN_LEVELS, MAX_LEVELS = 2, 6


def nodes(ctx: RequestContext, include_retired: bool = False) -> QuerySet[GridNode]:
    tenant = ctx.require_tenant()
    query = GridNode.filter(tenant_id=tenant.id)
    return query if include_retired else query.filter(retired_at=None)


async def node_by_id(ctx: RequestContext, node_id: int) -> GridNode | None:
    return await nodes(ctx, include_retired=True).get_or_none(id=node_id)


def under(query: QuerySet[GridNode], path: str) -> QuerySet[GridNode]:
    """`query` narrowed to the subtree rooted at `path`, that node included."""
    return query.filter(subtree("path", path))


async def _editable(ctx: RequestContext, node_id: int, field: str = "id") -> GridNode:
    """The node, when the caller may change it (secretary or grid head whose grid covers it)."""
    ctx.require_role(*EDITOR_ROLES)
    node = await node_by_id(ctx, node_id)
    if node is None or not ctx.scope.covers(node.path):  # outside his grid: answered as if missing
        raise InvalidInput(UserError(field, "NOT_FOUND", "no such grid node"))
    return node


async def levels(ctx: RequestContext) -> list[GridLevel]:
    tenant = ctx.require_tenant()
    return await GridLevel.filter(tenant_id=tenant.id).order_by("depth")


async def _max_depth(ctx: RequestContext) -> int:
    configured = await levels(ctx)
    return len(configured) if configured else MAX_LEVELS


async def set_levels(ctx: RequestContext, names: list[str]) -> list[GridLevel]:
    """Name the tree's levels, root first (2 to 6). The tree may not already be deeper."""
    tenant = ctx.require_tenant()
    ctx.require_role("secretary")
    if ctx.scope.kind is not ScopeKind.TENANT:
        raise Forbidden("only a tenant-wide secretary sets the grid's levels")
    errors = []
    if not MIN_LEVELS <= len(names) <= MAX_LEVELS:
        errors.append(UserError("names", "OUT_OF_RANGE", f"a grid has {MIN_LEVELS} to {MAX_LEVELS} levels"))
    for i, name in enumerate(names):
        if not name.strip() or len(name) > 50:
            errors.append(UserError(f"names.{i}", "INVALID_NAME", "a level name is required, at most 50 characters"))
    if errors:
        raise InvalidInput(*errors)
    # retired nodes included: they stay in the tree (history names them) and move with it
    deepest = await nodes(ctx, include_retired=True).order_by("-level").first()
    if deepest is not None and deepest.level > len(names):
        raise InvalidInput(UserError("names", "TREE_TOO_DEEP", f"the tree already has {deepest.level} levels"))
    await GridLevel.filter(tenant_id=tenant.id).delete()
    await GridLevel.bulk_create(
        [GridLevel(tenant_id=tenant.id, depth=i + 1, name=n.strip()) for i, n in enumerate(names)]
    )
    return await levels(ctx)


def _check_boundary(boundary: Any) -> list[UserError]:
    """A GeoJSON Polygon or MultiPolygon of closed [longitude, latitude] rings, and nothing else:
    another member could carry any text (a NUL, which PostgreSQL's jsonb refuses)."""
    if boundary is None:
        return []
    bad = [
        UserError(
            "boundary", "INVALID_GEOJSON", "a GeoJSON Polygon or MultiPolygon of closed rings of [longitude, latitude]"
        )
    ]
    if not isinstance(boundary, dict) or boundary.get("type") not in ("Polygon", "MultiPolygon") or len(boundary) != 2:
        return bad
    polygons = boundary.get("coordinates")
    if boundary["type"] == "Polygon":
        polygons = [polygons]
    if not isinstance(polygons, list) or not polygons:
        return bad

    def number(x: Any) -> bool:  # JSON numbers only: "120.5" or true are not coordinates
        return isinstance(x, (int, float)) and not isinstance(x, bool)

    for polygon in polygons:
        if not isinstance(polygon, list) or not polygon:  # a polygon has at least its outer ring
            return bad
        for ring in polygon:
            if not isinstance(ring, list) or len(ring) < 4 or ring[0] != ring[-1]:
                return bad
            for position in ring:
                if not isinstance(position, list) or len(position) not in (2, 3) or not all(map(number, position)):
                    return bad
                lng, lat = position[0], position[1]
                if not (-180 <= lng <= 180 and -90 <= lat <= 90):
                    return bad
    return []


async def create_node(
    ctx: RequestContext, *, parent_id: int | None, code: str, name: str, boundary: Any = None
) -> GridNode:
    """Add a node under `parent_id` (None: a root; tenant-wide secretaries only)."""
    tenant = ctx.require_tenant()
    ctx.require_role(*EDITOR_ROLES)
    errors = text_errors("name", name, 200, code="INVALID_NAME") + _check_boundary(boundary)
    if not CODE.fullmatch(code):  # fullmatch: "$" alone lets a trailing newline into the path
        errors.append(UserError("code", "INVALID_CODE", "1 to 32 letters, digits or '-'"))
    if errors:
        raise InvalidInput(*errors)
    if parent_id is None:
        if ctx.scope.kind is not ScopeKind.TENANT:
            raise Forbidden("only a tenant-wide secretary creates a root of the grid")
        path, level = code, 1
    else:
        parent = await _editable(ctx, parent_id, "parentId")
        if parent.retired_at is not None:
            raise InvalidInput(UserError("parentId", "RETIRED", "that grid node is retired"))
        path, level = f"{parent.path}.{code}", parent.level + 1
    if level > await _max_depth(ctx):
        raise InvalidInput(UserError("parentId", "TOO_DEEP", "the grid has no level below that node"))
    taken = UserError("code", "DUPLICATE", f"code {code!r} is taken under this parent")
    if await nodes(ctx, include_retired=True).filter(path=path).exists():
        raise InvalidInput(taken)
    async with unique_or(taken):  # the same code created at the same moment
        node = await GridNode.create(
            tenant_id=tenant.id,
            parent_id=parent_id,
            code=code,
            path=path,
            name=name.strip(),
            level=level,
            boundary=boundary,
        )
    await events.record(
        ctx,
        "grid",
        "grid.node_created",
        {"id": node.id, "code": code, "name": node.name, "level": level, "parentId": parent_id},
        path=path,
    )
    return node


async def update_node(
    ctx: RequestContext,
    node_id: int,
    *,
    name: str | None = None,
    boundary: Any = None,
    clear_boundary: bool = False,
    head_name: str | None = None,
    head_phone: str | None = None,
    head_username: str | None = None,
) -> GridNode:
    """Rename a node, set its boundary or its head (网格长): his name and phone as typed, and
    the account he signs in as (`head_username`; "" unlinks), one the caller may see whose
    grid, if it has one, covers the node."""
    node = await _editable(ctx, node_id)
    errors = (text_errors("name", name, 200, code="INVALID_NAME") if name is not None else []) + _check_boundary(
        boundary
    )
    if head_phone and not re.fullmatch(r"[0-9+\-]{5,20}", head_phone):
        errors.append(UserError("headPhone", "INVALID_PHONE", "digits, '+' or '-', 5 to 20"))
    if head_name is not None:
        errors += text_errors("headName", head_name, 100, required=False, code="TOO_LONG")
    if errors:
        raise InvalidInput(*errors)
    if head_username:
        account = await links.linkable_account(ctx, head_username, "headUsername")
        if not links.covers_node(account, node):
            raise InvalidInput(
                UserError("headUsername", "OUTSIDE_ACCOUNT_GRID", "that account's grid does not cover the node")
            )
        node.head_account = account
    elif head_username is not None:
        node.head_account = None
    if name is not None:
        node.name = name.strip()
    if boundary is not None or clear_boundary:
        node.boundary = None if clear_boundary else boundary
    if head_name is not None:
        node.head_name = head_name.strip()
    if head_phone is not None:
        node.head_phone = head_phone.strip()
    await node.save()
    await events.record(ctx, "grid", "grid.node_updated", {"id": node.id, "name": node.name}, path=node.path)
    return node


async def move_subtree(ctx: RequestContext, node_id: int, new_parent_id: int) -> GridNode:
    """Hang a node and everything below it under another parent. Codes stay, paths and levels
    follow; grid scopes follow too, since accounts point at nodes, not paths."""
    node = await _editable(ctx, node_id, "id")
    if node.parent_id is None:  # type: ignore[attr-defined]
        raise InvalidInput(UserError("id", "ROOT", "a root cannot be moved"))
    new_parent = await _editable(ctx, new_parent_id, "newParentId")
    if node.retired_at is not None:
        raise InvalidInput(UserError("id", "RETIRED", "a retired node cannot be moved"))
    if new_parent.retired_at is not None:
        raise InvalidInput(UserError("newParentId", "RETIRED", "a retired node cannot receive nodes"))
    if new_parent.path == node.path or new_parent.path.startswith(node.path + "."):
        raise InvalidInput(UserError("newParentId", "CYCLE", "a node cannot move under itself"))
    if new_parent.id == node.parent_id:  # type: ignore[attr-defined]
        return node  # already there: nothing to move (not a clash with itself)
    old_path, new_path = node.path, f"{new_parent.path}.{node.code}"
    taken = UserError("newParentId", "DUPLICATE", f"code {node.code!r} is taken there")
    if await nodes(ctx, include_retired=True).filter(path=new_path).exists():
        raise InvalidInput(taken)
    subtree = await under(nodes(ctx, include_retired=True), old_path)
    delta = new_parent.level + 1 - node.level
    if max(n.level for n in subtree) + delta > await _max_depth(ctx):
        raise InvalidInput(UserError("newParentId", "TOO_DEEP", "the subtree would go below the grid's last level"))
    for member in subtree:
        member.path = new_path + member.path[len(old_path) :]
        member.level += delta
        if member.id == node.id:
            member.parent_id = new_parent.id
    async with unique_or(taken):  # a node of that code made or moved there at the same moment
        await GridNode.bulk_update(subtree, fields=["path", "level", "parent_id"])
    await events.record(
        ctx,
        "grid",
        "grid.subtree_moved",
        {"id": node.id, "from": old_path, "to": new_path, "nodes": len(subtree)},
        path=new_path,
    )
    return await GridNode.get(id=node.id)


async def retire_node(ctx: RequestContext, node_id: int) -> GridNode:
    """Retire a node that is empty: no active child and nothing in any register points at it."""
    node = await _editable(ctx, node_id)
    if node.retired_at is not None:
        return node
    if await nodes(ctx).filter(parent_id=node.id).exists():
        raise InvalidInput(UserError("id", "NOT_EMPTY", "the node still has active children"))
    holding = []
    for relation in sorted(GridNode._meta.backward_fk_fields):
        field = cast("BackwardFKRelation[Model]", GridNode._meta.fields_map[relation])
        if field.related_model is GridNode:
            continue
        fk = field.relation_field
        if await field.related_model.filter(**{fk: node.id}).exists():
            holding.append(field.related_model._meta.db_table.replace("_", " "))
    if holding:  # all of them, in a fixed order: the official empties the node in one go
        raise InvalidInput(UserError("id", "NOT_EMPTY", f"the node still has {', '.join(holding)} records"))
    node.retired_at = datetime.now(UTC)
    await node.save(update_fields=["retired_at"])
    await events.record(ctx, "grid", "grid.node_retired", {"id": node.id}, path=node.path)
    return node


async def _attachable(ctx: RequestContext, node_id: int) -> GridNode:
    """The node a party organisation or a station may be added to: editable by the caller and
    active (a retired node counts in no coverage and receives nothing)."""
    node = await _editable(ctx, node_id, "nodeId")
    if node.retired_at is not None:
        raise InvalidInput(UserError("nodeId", "RETIRED", "that grid node is retired"))
    return node


async def add_party_organisation(
    ctx: RequestContext, node_id: int, *, name: str, kind: str, secretary_name: str = ""
) -> PartyOrganisation:
    node = await _attachable(ctx, node_id)
    errors = text_errors("name", name, 200, code="INVALID_NAME")
    errors += text_errors("secretaryName", secretary_name, 100, required=False, code="TOO_LONG")
    if kind not in PARTY_ORG_KINDS:
        errors.append(UserError("kind", "INVALID_KIND", f"kind is one of {', '.join(PARTY_ORG_KINDS)}"))
    if errors:
        raise InvalidInput(*errors)
    org = await PartyOrganisation.create(
        tenant_id=node.tenant_id,  # type: ignore[attr-defined]
        node=node,
        name=name.strip(),
        kind=kind,
        secretary_name=secretary_name.strip(),
    )
    await events.record(ctx, "grid", "grid.party_organisation_added", {"id": org.id, "nodeId": node.id}, path=node.path)
    return org


async def party_organisation_by_id(ctx: RequestContext, organisation_id: int) -> PartyOrganisation | None:
    tenant = ctx.require_tenant()
    return await PartyOrganisation.get_or_none(tenant_id=tenant.id, id=organisation_id)


async def station_by_id(ctx: RequestContext, station_id: int) -> ServiceStation | None:
    tenant = ctx.require_tenant()
    return await ServiceStation.get_or_none(tenant_id=tenant.id, id=station_id)


async def add_station(ctx: RequestContext, node_id: int, *, name: str, kind: str, address: str = "") -> ServiceStation:
    node = await _attachable(ctx, node_id)
    errors = text_errors("name", name, 200, code="INVALID_NAME")
    errors += text_errors("address", address, 300, required=False, code="TOO_LONG")
    if kind not in STATION_KINDS:
        errors.append(UserError("kind", "INVALID_KIND", f"kind is one of {', '.join(STATION_KINDS)}"))
    if errors:
        raise InvalidInput(*errors)
    station = await ServiceStation.create(
        tenant_id=node.tenant_id,  # type: ignore[attr-defined]
        node=node,
        name=name.strip(),
        kind=kind,
        address=address.strip(),
    )
    await events.record(ctx, "grid", "grid.station_added", {"id": station.id, "nodeId": node.id}, path=node.path)
    return station


@dataclass(frozen=True)
class LevelCoverage:
    level: int
    nodes: int
    with_party_organisation: int
    with_head: int
    with_station: int
    full: int  # all three at once: not derivable from the three counts

    def shares(self) -> dict[str, float]:
        """Each count as a share of the level's nodes, 0 to 1 with four decimals (0 when empty)."""
        counts = {
            "party_organisation": self.with_party_organisation,
            "head": self.with_head,
            "station": self.with_station,
            "full": self.full,
        }
        return {f"{name}_share": round(n / self.nodes, 4) if self.nodes else 0.0 for name, n in counts.items()}


async def coverage(ctx: RequestContext) -> list[LevelCoverage]:
    """Per level of active nodes: how many have a party organisation, a head, a station, and
    all three (full coverage, 全覆盖), each also as a share of the level's nodes (0 to 1, four
    decimals). Five grouped queries, whatever the tree's size."""
    active = nodes(ctx)

    async def by_level(query: QuerySet[GridNode]) -> dict[int, int]:
        rows = await query.group_by("level").annotate(n=Count("id", distinct=True)).values("level", "n")
        return {r["level"]: r["n"] for r in rows}

    total = await by_level(active)
    with_org = await by_level(active.filter(party_organisations__id__isnull=False))
    headed = active.filter(Q(head_account_id__isnull=False) | ~Q(head_name=""))  # an account, or a name typed
    with_head = await by_level(headed)
    with_station = await by_level(active.filter(stations__id__isnull=False))
    full = await by_level(headed.filter(party_organisations__id__isnull=False, stations__id__isnull=False))
    return [
        LevelCoverage(
            level,
            total[level],
            with_org.get(level, 0),
            with_head.get(level, 0),
            with_station.get(level, 0),
            full.get(level, 0),
        )
        for level in sorted(total)
    ]
