"""Sharing across streets: the catalogue of what units offer (one row per resource, the only
row of a street another street may read), the requests one street makes of another's resource,
the needs of people on a grid node, and the pledges units make to crowdfunded projects.

Row-level security (platform/database.py, `sharing_rls`): a catalogue row is readable by the
streets its scope names (its own street; its district; every district); a request is readable
and updatable by both streets it joins (the requester owns the row, the offering street is
named in it). Nothing else of a street is readable by another: the catalogue row carries the
offering unit's name and the resource's words, never a contact.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from tortoise import fields

from redgrid.platform.models import TenantOwned

if TYPE_CHECKING:
    from redgrid.tenants.grid.models import GridNode
    from redgrid.tenants.units.models import JointUnit, PublicProject, UnitResource

SHARE_SCOPES = ("street", "district", "all")
REQUEST_STATUSES = ("requested", "approved", "declined", "scheduled", "delivered", "cancelled")
# A venue's slot is held from the request until it is declined or cancelled.
HOLDING = ("requested", "approved", "scheduled")
NEED_KINDS = ("wish", "grid")  # a resident's small wish (微心愿); the grid's needs list (群众需求清单)
NEED_STATUSES = ("open", "claimed", "completed")
CLAIMANT_KINDS = ("unit", "volunteer", "party_member")

# The current tenant and its district, for the policies below.
CURRENT_TENANT = "NULLIF(current_setting('app.tenant_id', true), '')::bigint"
CURRENT_DISTRICT = f"(SELECT t.district_id FROM tenant t WHERE t.id = {CURRENT_TENANT})"


class ResourceShare(TenantOwned):
    """A resource in the catalogue: what another street may read of it, copied from the resource
    and its unit by the owning street whenever either changes (tenants/sharing/catalogue.py).

    `scope` street: its own street only (the tenant policy); district: also the other streets of
    `district_id`; all: every street of the service. `quantity` counts goods left (null: not
    counted); never below zero."""

    sharing_rls: ClassVar[dict[str, str]] = {
        "SELECT": f"{CURRENT_TENANT} IS NOT NULL AND (scope = 'all' OR (scope = 'district' "
        f"AND district_id = {CURRENT_DISTRICT}))",
    }

    id = fields.BigIntField(primary_key=True)
    resource: fields.OneToOneRelation[UnitResource] = fields.OneToOneField(
        "redgrid.UnitResource", related_name="share", on_delete=fields.CASCADE
    )
    unit_id = fields.BigIntField()
    unit_name = fields.CharField(max_length=200)
    street_name = fields.CharField(max_length=200)
    district_id = fields.BigIntField()
    kind = fields.CharField(max_length=20)
    description = fields.CharField(max_length=500)
    scope = fields.CharField(max_length=10, default="street")
    quantity = fields.IntField(null=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "resource_share"
        indexes = (("scope", "district_id", "kind"), ("tenant_id", "kind"))


class ShareRequest(TenantOwned):
    """One street's request of a catalogue row (possibly its own street's): requested → approved
    or declined → scheduled → delivered, then both sides rate; cancelled by either side at any
    step before delivery. The requesting street owns the row; `owner_tenant_id` is the offering
    street, which the sharing policy lets read and update it.

    A venue's request holds `[slot_start, slot_end)`: an exclusion constraint refuses any other
    request of the same resource overlapping it while both hold (HOLDING), whichever street
    asks, so two concurrent bookings of one slot cannot both succeed. Goods' `quantity` is taken
    from the resource on approval, by a conditional update that never goes below zero."""

    sharing_rls: ClassVar[dict[str, str]] = {
        "SELECT": f"owner_tenant_id = {CURRENT_TENANT}",
        "UPDATE": f"owner_tenant_id = {CURRENT_TENANT}",
    }
    # Only a catalogue row the requesting street may read can be requested.
    sharing_insert_check: ClassVar[str | None] = "share_id IN (SELECT s.id FROM resource_share s)"

    id = fields.BigIntField(primary_key=True)
    share: fields.ForeignKeyRelation[ResourceShare] = fields.ForeignKeyField(
        "redgrid.ResourceShare", related_name="requests", on_delete=fields.RESTRICT
    )
    owner_tenant_id = fields.BigIntField()
    resource_id = fields.BigIntField()
    owner_unit_id = fields.BigIntField()
    requester_name = fields.CharField(max_length=200)  # the requesting street's name
    requested_by = fields.CharField(max_length=128)
    note = fields.CharField(max_length=500, default="")
    quantity = fields.IntField(null=True)
    slot_start = fields.DatetimeField(null=True)
    slot_end = fields.DatetimeField(null=True)
    status = fields.CharField(max_length=10, default="requested")
    version = fields.IntField(default=1)
    reason = fields.CharField(max_length=500, default="")  # of a decline or cancellation
    scheduled_for = fields.DatetimeField(null=True)
    requester_rating = fields.SmallIntField(null=True)  # the requesting street's rating of the delivery
    owner_rating = fields.SmallIntField(null=True)  # the offering side's rating of the requester
    requested_at = fields.DatetimeField(auto_now_add=True)
    decided_at = fields.DatetimeField(null=True)
    delivered_at = fields.DatetimeField(null=True)
    cancelled_at = fields.DatetimeField(null=True)

    class Meta:
        table = "share_request"
        indexes = (("tenant_id", "status"), ("owner_tenant_id", "status"), ("resource_id",))


class GridNeed(TenantOwned):
    """A need on a grid node: a resident's small wish (微心愿) or an item of the grid's needs list
    (群众需求清单). open → claimed (by a unit, volunteer or party member) → completed, with a
    photo of it done."""

    id = fields.BigIntField(primary_key=True)
    node: fields.ForeignKeyRelation[GridNode] = fields.ForeignKeyField(
        "redgrid.GridNode", related_name="grid_needs", on_delete=fields.RESTRICT
    )
    kind = fields.CharField(max_length=10)
    resource_kind = fields.CharField(max_length=20, null=True)  # what would meet it, if one kind
    title = fields.CharField(max_length=200)
    description = fields.CharField(max_length=1000, default="")
    status = fields.CharField(max_length=10, default="open")
    created_by = fields.CharField(max_length=128)
    claimant_kind = fields.CharField(max_length=15, null=True)
    claimant_id = fields.BigIntField(null=True)
    claimant_name = fields.CharField(max_length=200, default="")
    claimed_at = fields.DatetimeField(null=True)
    completed_at = fields.DatetimeField(null=True)
    photo_key = fields.CharField(max_length=128, null=True, unique=True)
    photo_type = fields.CharField(max_length=32, null=True)
    photo_sha256 = fields.CharField(max_length=64, null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "grid_need"
        indexes = (("tenant_id", "node_id"), ("tenant_id", "status"))


class ProjectPledge(TenantOwned):
    """A unit's pledge of an amount (yuan) to a crowdfunded public-benefit project; one per unit
    and project (a second pledge changes the amount). The district's totals read it
    (tenants/sharing/pledges.py): counts and sums only."""

    district_readable: ClassVar[bool] = True

    id = fields.BigIntField(primary_key=True)
    project: fields.ForeignKeyRelation[PublicProject] = fields.ForeignKeyField(
        "redgrid.PublicProject", related_name="pledges", on_delete=fields.RESTRICT
    )
    unit: fields.ForeignKeyRelation[JointUnit] = fields.ForeignKeyField(
        "redgrid.JointUnit", related_name="pledges", on_delete=fields.RESTRICT
    )
    amount = fields.DecimalField(max_digits=14, decimal_places=2)
    pledged_by = fields.CharField(max_length=128)
    pledged_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "project_pledge"
        unique_together = (("project", "unit"),)
        indexes = (("tenant_id", "unit_id"),)
