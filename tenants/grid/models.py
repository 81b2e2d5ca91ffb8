"""The grid hierarchy (网格): one tree per tenant, its levels, party organisations and stations."""

from __future__ import annotations

from typing import Any, ClassVar

from tortoise import fields

from redgrid.platform.models import Account, TenantOwned

PARTY_ORG_KINDS = ("general_branch", "branch", "group")  # 党总支 / 党支部 / 党小组
STATION_KINDS = ("station", "point")  # 党群服务站 / 党群服务点


class GridLevel(TenantOwned):
    """The name a tenant gives to one depth of its tree (1 = the root), 2 to 6 levels."""

    id = fields.BigIntField(primary_key=True)
    depth = fields.SmallIntField()
    name = fields.CharField(max_length=50)

    class Meta:
        table = "grid_level"
        unique_together = (("tenant", "depth"),)


class GridNode(TenantOwned):
    """A cell of the grid tree.

    `path` is the dot-joined chain of codes from the root ("01.03.12"), so a subtree is one
    indexed prefix match and a grid scope is a path prefix. A node is retired, never deleted,
    so cases and history that name it keep their meaning.
    """

    district_readable: ClassVar[bool] = True

    id = fields.BigIntField(primary_key=True)
    parent: fields.ForeignKeyNullableRelation[GridNode] = fields.ForeignKeyField(
        "redgrid.GridNode", related_name="children", null=True, on_delete=fields.RESTRICT
    )
    code = fields.CharField(max_length=32)
    path = fields.CharField(max_length=400)
    name = fields.CharField(max_length=200)
    level = fields.SmallIntField()
    boundary: fields.JSONField[Any] = fields.JSONField(null=True)  # a GeoJSON Polygon or MultiPolygon
    # The head (网格长): the user he signs in as, when he has one; his name and phone as typed.
    # The typed name is kept beside the link: it names heads without an account, and every head
    # named before heads were accounts (migration 0012 linked those whose name was an account's).
    head_account: fields.ForeignKeyNullableRelation[Account] = fields.ForeignKeyField(
        "redgrid.Account", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    head_name = fields.CharField(max_length=100, default="")
    head_phone = fields.CharField(max_length=20, default="")
    retired_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    # A district department's staff see the node of a case referred to them, as its assignee does.
    department_rls: ClassVar[dict[str, str]] = {
        "SELECT": "id IN (SELECT node_id FROM grid_case WHERE department_id = {department})"
    }
    department_lookup: ClassVar[str | None] = "cases__department_id"

    class Meta:
        table = "grid_node"
        unique_together = (("tenant", "path"),)
        indexes = (("tenant_id", "parent_id"), ("tenant_id", "level"))


class PartyOrganisation(TenantOwned):
    """The party organisation attached to a grid node (general branch, branch or group)."""

    district_readable: ClassVar[bool] = True

    id = fields.BigIntField(primary_key=True)
    node: fields.ForeignKeyRelation[GridNode] = fields.ForeignKeyField(
        "redgrid.GridNode", related_name="party_organisations", on_delete=fields.RESTRICT
    )
    name = fields.CharField(max_length=200)
    kind = fields.CharField(max_length=20)
    secretary_name = fields.CharField(max_length=100, default="")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "party_organisation"
        indexes = (("tenant_id", "node_id"),)


class ServiceStation(TenantOwned):
    """A party-and-mass service station or point (党群服务站/点) of a grid node."""

    district_readable: ClassVar[bool] = True

    id = fields.BigIntField(primary_key=True)
    node: fields.ForeignKeyRelation[GridNode] = fields.ForeignKeyField(
        "redgrid.GridNode", related_name="stations", on_delete=fields.RESTRICT
    )
    name = fields.CharField(max_length=200)
    kind = fields.CharField(max_length=10)
    address = fields.CharField(max_length=300, default="")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "service_station"
        indexes = (("tenant_id", "node_id"),)
