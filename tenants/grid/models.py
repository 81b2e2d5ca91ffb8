"""The grid hierarchy (网格): one tree per tenant."""

from __future__ import annotations

from tortoise import fields

from redgrid.platform.models import TenantOwned


class GridNode(TenantOwned):
    """A cell of the grid tree.

    `path` is the dot-joined chain of codes from the root ("01.03.12"), so a subtree is one
    indexed prefix match and a grid scope is a path prefix.
    """

    id = fields.BigIntField(primary_key=True)
    parent = fields.ForeignKeyField(
        "redgrid.GridNode", related_name="children", null=True, on_delete=fields.RESTRICT
    )
    code = fields.CharField(max_length=32)
    path = fields.CharField(max_length=400)
    name = fields.CharField(max_length=200)
    level = fields.SmallIntField()
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "grid_node"
        unique_together = (("tenant", "path"),)
        indexes = (("tenant_id", "parent_id"),)
