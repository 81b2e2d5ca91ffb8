"""Joint-building units (驻区单位/共建单位) and their three lists: resources offered, needs and
public-benefit projects to claim, plus the service menu communities order from (点单) and units
deliver (配送)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from tortoise import fields

from redgrid.platform.models import TenantOwned

if TYPE_CHECKING:
    from redgrid.tenants.grid.models import GridNode

UNIT_KINDS = (
    "enterprise",
    "school",
    "hospital",
    "organ",
    "two_new",
    "property_company",
    "owners_committee",
    "other",
)
RESOURCE_KINDS = ("venue", "equipment", "goods", "expertise", "funds", "volunteers")
PROJECT_STATUSES = ("open", "claimed", "completed")
# The five categories of the seeds' menu: 党建, 讲堂, 民生, 健康, 文体.
SERVICE_CATEGORIES = ("party_building", "lecture", "livelihood", "health", "culture_sport")
ORDER_STATUSES = ("ordered", "accepted", "delivered", "rated")


class JointUnit(TenantOwned):
    """A unit in the street (enterprise, school, hospital, organ, two-new organisation, property
    company, owners' committee) with its party organisation and contacts.

    `paired_node` is the community (grid node) it is paired with for joint building (结对共建).
    `contacts` is a short list of {name, phone, role}: a unit has a few, never queried by field.
    """

    district_readable: ClassVar[bool] = True

    id = fields.BigIntField(primary_key=True)
    name = fields.CharField(max_length=200)
    kind = fields.CharField(max_length=20)
    party_organisation = fields.CharField(max_length=200, default="")
    contacts: fields.JSONField[Any] = fields.JSONField(default=list)
    paired_node: fields.ForeignKeyNullableRelation[GridNode] = fields.ForeignKeyField(
        "redgrid.GridNode", related_name="joint_units", null=True, on_delete=fields.RESTRICT
    )
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "joint_unit"
        unique_together = (("tenant", "name"),)
        indexes = (("tenant_id", "paired_node_id"), ("tenant_id", "kind"))


class UnitResource(TenantOwned):
    """Something a unit offers (venue, equipment, expertise, funds, volunteers).

    `share_scope` says who finds it in the catalogue (tenants/sharing/): its street, its
    district, or every district; `shareable` is true when that is more than its street.
    `quantity` counts goods (null: not counted), never below zero.
    """

    id = fields.BigIntField(primary_key=True)
    unit: fields.ForeignKeyRelation[JointUnit] = fields.ForeignKeyField(
        "redgrid.JointUnit", related_name="resources", on_delete=fields.RESTRICT
    )
    kind = fields.CharField(max_length=20)
    description = fields.CharField(max_length=500)
    shareable = fields.BooleanField(default=False)
    share_scope = fields.CharField(max_length=10, default="street")
    quantity = fields.IntField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "unit_resource"
        indexes = (("tenant_id", "unit_id"), ("tenant_id", "shareable"))


class UnitNeed(TenantOwned):
    """Something a unit asks the community for (需求清单)."""

    id = fields.BigIntField(primary_key=True)
    unit: fields.ForeignKeyRelation[JointUnit] = fields.ForeignKeyField(
        "redgrid.JointUnit", related_name="needs", on_delete=fields.RESTRICT
    )
    description = fields.CharField(max_length=500)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "unit_need"
        indexes = (("tenant_id", "unit_id"),)


class PublicProject(TenantOwned):
    """A public-benefit project (公益项目) a community puts up for units to claim (认领).

    open → claimed → completed. Claiming is one conditional update on `status`, so of any
    number of simultaneous claims exactly one finds the project still open.
    """

    id = fields.BigIntField(primary_key=True)
    node: fields.ForeignKeyRelation[GridNode] = fields.ForeignKeyField(
        "redgrid.GridNode", related_name="public_projects", on_delete=fields.RESTRICT
    )
    title = fields.CharField(max_length=200)
    description = fields.CharField(max_length=1000, default="")
    budget = fields.DecimalField(max_digits=14, decimal_places=2)  # yuan
    status = fields.CharField(max_length=10, default="open")
    claimed_by: fields.ForeignKeyNullableRelation[JointUnit] = fields.ForeignKeyField(
        "redgrid.JointUnit", related_name="claimed_projects", null=True, on_delete=fields.RESTRICT
    )
    claimed_at = fields.DatetimeField(null=True)
    completed_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "public_project"
        indexes = (("tenant_id", "status"), ("tenant_id", "node_id"), ("tenant_id", "claimed_by_id"))


class ServiceItem(TenantOwned):
    """One item of the service menu (服务清单), offered by a unit, in one of five categories."""

    id = fields.BigIntField(primary_key=True)
    unit: fields.ForeignKeyRelation[JointUnit] = fields.ForeignKeyField(
        "redgrid.JointUnit", related_name="service_items", on_delete=fields.RESTRICT
    )
    category = fields.CharField(max_length=20)
    title = fields.CharField(max_length=200)
    description = fields.CharField(max_length=1000, default="")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "service_item"
        indexes = (("tenant_id", "category"), ("tenant_id", "unit_id"))


class ServiceOrder(TenantOwned):
    """A grid node's order of a menu item (点单) and its delivery (配送).

    ordered → accepted → delivered → rated. Each step is a conditional update on `status`,
    so two clicks on the same step cannot both apply.
    """

    id = fields.BigIntField(primary_key=True)
    item: fields.ForeignKeyRelation[ServiceItem] = fields.ForeignKeyField(
        "redgrid.ServiceItem", related_name="orders", on_delete=fields.RESTRICT
    )
    node: fields.ForeignKeyRelation[GridNode] = fields.ForeignKeyField(
        "redgrid.GridNode", related_name="service_orders", on_delete=fields.RESTRICT
    )
    ordered_by = fields.CharField(max_length=128)
    note = fields.CharField(max_length=500, default="")
    status = fields.CharField(max_length=10, default="ordered")
    rating = fields.SmallIntField(null=True)
    ordered_at = fields.DatetimeField(auto_now_add=True)
    accepted_at = fields.DatetimeField(null=True)
    delivered_at = fields.DatetimeField(null=True)
    rated_at = fields.DatetimeField(null=True)

    class Meta:
        table = "service_order"
        indexes = (("tenant_id", "node_id"), ("tenant_id", "status"), ("tenant_id", "item_id"))
