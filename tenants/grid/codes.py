"""Grid nodes as spreadsheets name them: the hierarchical code officials see on the grid map
(the node's path, e.g. "JS01.A1.B03"), or a plain code when it is unique in the tenant."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from redgrid.platform.context import RequestContext
from redgrid.tenants.grid.models import GridNode
from redgrid.tenants.imports import Column, parse_text

GRID = Column("grid", ("网格编码", "所属网格编码", "grid_code"), parse=parse_text(400))


@dataclass
class GridCodes:
    """The tenant's active nodes by code, and which of them the caller may write to."""

    by_code: dict[str, GridNode]
    ctx: RequestContext

    @classmethod
    async def load(cls, ctx: RequestContext) -> GridCodes:
        nodes = await GridNode.filter(tenant_id=ctx.require_tenant().id, retired_at=None)
        by_code = {n.path: n for n in nodes}
        codes = Counter(n.code for n in nodes)
        by_code.update({n.code: n for n in nodes if codes[n.code] == 1 and n.code not in by_code})
        return cls(by_code, ctx)

    def check(self, code: str) -> list[tuple[str | None, str]]:
        node = self.by_code.get(code)
        if node is None:
            return [(GRID.headers[0], f"no active grid node has the code {code!r}")]
        if not self.ctx.scope.covers(node.path):
            return [(GRID.headers[0], f"{code} is outside your grid")]
        return []

    def node(self, code: str) -> GridNode:
        return self.by_code[code]
