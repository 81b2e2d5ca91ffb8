"""The register of grid workers (专职网格员 and the grid's other posts): who they are, the grid
nodes they serve and their posts. A worker may serve several nodes and a node may have several
workers, so the nodes and the posts are tenant-owned rows of their own (row-level security
covers them too, and a post is one indexed column to filter on, on SQLite as on PostgreSQL)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields

from redgrid.platform.models import Account, TenantOwned

if TYPE_CHECKING:
    from redgrid.tenants.grid.models import GridNode

# The posts of a grid's team, from the sources (docs/domain.md): the grid head and the micro-grid
# head (网格长 / 微网格长), the full-time grid worker (专职网格员), the building head (楼组长), and
# the four officers of a grid: information (信息员), publicity (宣传员), coordination (协调员)
# and supervision (监督员).
POSTS = (
    "grid_head",
    "micro_grid_head",
    "full_time_worker",
    "building_head",
    "information",
    "publicity",
    "coordination",
    "supervision",
)


class GridWorker(TenantOwned):
    """A person of a grid's team.

    `account` is the user he signs in as, when he has one: at most one worker per account in a
    tenant."""

    id = fields.BigIntField(primary_key=True)
    name = fields.CharField(max_length=100)
    phone = fields.CharField(max_length=20, default="")
    account: fields.ForeignKeyNullableRelation[Account] = fields.ForeignKeyField(
        "redgrid.Account", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "grid_worker"
        unique_together = (("tenant", "account"),)
        indexes = (("tenant_id", "name"),)


class GridWorkerNode(TenantOwned):
    """A grid node a worker serves."""

    id = fields.BigIntField(primary_key=True)
    worker: fields.ForeignKeyRelation[GridWorker] = fields.ForeignKeyField(
        "redgrid.GridWorker", related_name="nodes", on_delete=fields.CASCADE
    )
    node: fields.ForeignKeyRelation[GridNode] = fields.ForeignKeyField(
        "redgrid.GridNode", related_name="grid_workers", on_delete=fields.RESTRICT
    )

    class Meta:
        table = "grid_worker_node"
        unique_together = (("tenant", "worker", "node"),)
        indexes = (("tenant_id", "node_id"),)


class GridWorkerPost(TenantOwned):
    """One of a worker's posts (one of POSTS)."""

    id = fields.BigIntField(primary_key=True)
    worker: fields.ForeignKeyRelation[GridWorker] = fields.ForeignKeyField(
        "redgrid.GridWorker", related_name="posts", on_delete=fields.CASCADE
    )
    post = fields.CharField(max_length=20)

    class Meta:
        table = "grid_worker_post"
        unique_together = (("tenant", "worker", "post"),)
        indexes = (("tenant_id", "post"),)
