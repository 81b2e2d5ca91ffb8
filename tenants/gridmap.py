"""The wall's grid map: one level of the caller's grid, each node with its boundary and its
open and overdue cases (those of the node and of everything below it). Counts only.

The level drawn is the deepest one whose nodes in the caller's scope number at most
MAX_MAP_NODES (a screen tells a few hundred cells apart, not thousands); nodes without a
boundary come back too, and the wall lays those out as a treemap instead of a map.
"""

from __future__ import annotations

from dataclasses import dataclass

from tortoise.expressions import Q
from tortoise.functions import Count

from redgrid.platform.context import RequestContext
from redgrid.platform.errors import InvalidInput, UserError
from redgrid.tenants.cases.models import Case
from redgrid.tenants.figures import require_figures
from redgrid.tenants.grid.models import GridNode
from redgrid.tenants.scope import in_scope

MAX_MAP_NODES = 300
MAX_LEVEL = 6


@dataclass(frozen=True)
class MapCell:
    node: GridNode
    open_cases: int
    overdue_cases: int


def ancestor_at(path: str, level: int) -> str | None:
    """The path of `path`'s ancestor (or itself) at `level` (1 = the root); None above it."""
    parts = path.split(".")
    return ".".join(parts[:level]) if len(parts) >= level else None


def level_to_draw(counts: dict[int, int], limit: int = MAX_MAP_NODES) -> int | None:
    """The deepest level with at most `limit` nodes, else the shallowest; None for no nodes."""
    if not counts:
        return None
    fitting = [level for level, n in counts.items() if n <= limit]
    return max(fitting) if fitting else min(counts)


async def grid_map(ctx: RequestContext, level: int | None = None) -> tuple[int | None, list[MapCell]]:
    """The level drawn and its cells, in path order (staff roles, within the caller's scope)."""
    require_figures(ctx)
    if level is not None and not 1 <= level <= MAX_LEVEL:
        raise InvalidInput(UserError("level", "INVALID_LEVEL", f"a grid level from 1 to {MAX_LEVEL}"))
    live = in_scope(ctx, GridNode.filter(retired_at=None), "path")
    if level is None:
        per_level = await live.annotate(n=Count("id")).group_by("level").values_list("level", "n")
        level = level_to_draw(dict(per_level))
        if level is None:
            return None, []
    nodes = await live.filter(level=level).order_by("path")
    if len(nodes) > MAX_MAP_NODES:
        raise InvalidInput(UserError("level", "TOO_MANY_NODES", f"more than {MAX_MAP_NODES} nodes on that level"))
    overdue = (
        Q(overdue_on_scene_at__isnull=False) | Q(overdue_resolve_at__isnull=False) | Q(overdue_answer_at__isnull=False)
    )
    tallies: dict[str, list[int]] = {node.path: [0, 0] for node in nodes}
    rows: list[tuple[str, int, int]] = (
        await in_scope(ctx, Case.filter(closed_at=None), "node__path")
        .annotate(open=Count("id"), overdue=Count("id", _filter=overdue))
        .group_by("node__path")
        .values_list("node__path", "open", "overdue")
    )
    for path, n_open, n_overdue in rows:
        key = ancestor_at(path, level)
        if key in tallies:
            tallies[key][0] += n_open
            tallies[key][1] += n_overdue
    return level, [MapCell(node, *tallies[node.path]) for node in nodes]
