"""Sinking department staff (下沉人员), joint duty teams (联勤联动), their yearly evaluation, and
the duty roster: shifts per grid node or station with check-in and check-out."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from tortoise import fields

from redgrid.platform.models import Account, TenantOwned

if TYPE_CHECKING:
    from redgrid.tenants.grid.models import GridNode, ServiceStation

DEPARTMENT_KINDS = ("police", "urban_management", "market_supervision", "judicial", "other")


class Department(TenantOwned):
    """A line department that sends staff down to the grids (派出所, 城管中队, 市场监管所, 司法所…)."""

    id = fields.BigIntField(primary_key=True)
    name = fields.CharField(max_length=200)
    kind = fields.CharField(max_length=20)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "department"
        unique_together = (("tenant", "name"),)


class SinkingStaff(TenantOwned):
    """A department's staff member sent down to a grid node.

    `username` is the Keycloak username ('' until the person has one): it is how a logged-in
    user is recognised as this staff member, to see and check in to his own shifts. `account`
    links him to his account (a secretary sets it, tenants/workers/links.py); while linked,
    `username` is the account's.
    """

    id = fields.BigIntField(primary_key=True)
    name = fields.CharField(max_length=100)
    phone = fields.CharField(max_length=20, default="")
    username = fields.CharField(max_length=128, default="")
    account: fields.ForeignKeyNullableRelation[Account] = fields.ForeignKeyField(
        "redgrid.Account", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    department: fields.ForeignKeyRelation[Department] = fields.ForeignKeyField(
        "redgrid.Department", related_name="staff", on_delete=fields.RESTRICT
    )
    node: fields.ForeignKeyRelation[GridNode] = fields.ForeignKeyField(
        "redgrid.GridNode", related_name="sinking_staff", on_delete=fields.RESTRICT
    )
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "sinking_staff"
        unique_together = (("tenant", "account"),)
        indexes = (("tenant_id", "node_id"), ("tenant_id", "username"), ("tenant_id", "department_id"))


class StaffEvaluation(TenantOwned):
    """The yearly evaluation of one staff member (0 to 100), which feeds his department's own."""

    id = fields.BigIntField(primary_key=True)
    staff: fields.ForeignKeyRelation[SinkingStaff] = fields.ForeignKeyField(
        "redgrid.SinkingStaff", related_name="evaluations", on_delete=fields.RESTRICT
    )
    year = fields.SmallIntField()
    score = fields.DecimalField(max_digits=5, decimal_places=2)
    comment = fields.CharField(max_length=500, default="")
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "staff_evaluation"
        unique_together = (("tenant", "staff", "year"),)


class DutyTeam(TenantOwned):
    """A joint duty team (联勤联动团队) at a grid node, which the grid head dispatches."""

    id = fields.BigIntField(primary_key=True)
    node: fields.ForeignKeyRelation[GridNode] = fields.ForeignKeyField(
        "redgrid.GridNode", related_name="duty_teams", on_delete=fields.RESTRICT
    )
    name = fields.CharField(max_length=200)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "duty_team"
        indexes = (("tenant_id", "node_id"),)


class DutyTeamMember(TenantOwned):
    """A staff member in a team. Its own tenant-owned table rather than a many-to-many, so the
    row-level security policy covers membership too."""

    id = fields.BigIntField(primary_key=True)
    team: fields.ForeignKeyRelation[DutyTeam] = fields.ForeignKeyField(
        "redgrid.DutyTeam", related_name="members", on_delete=fields.RESTRICT
    )
    staff: fields.ForeignKeyRelation[SinkingStaff] = fields.ForeignKeyField(
        "redgrid.SinkingStaff", related_name="team_memberships", on_delete=fields.RESTRICT
    )

    class Meta:
        table = "duty_team_member"
        unique_together = (("tenant", "team", "staff"),)
        indexes = (("tenant_id", "staff_id"),)


class DutyShift(TenantOwned):
    """A duty shift at a grid node, or at one of its service stations, for one person.

    The person is a staff member or any Keycloak user. `assignee_username` is kept for both
    (copied from the staff member, and following changes of his username), so "my shifts" and
    "only the assignee checks in" are one column compare. Check-in and check-out are
    conditional updates, so neither can happen twice. A cancelled shift is kept (its events
    and history keep their meaning) but frees its time.
    """

    district_readable: ClassVar[bool] = True

    id = fields.BigIntField(primary_key=True)
    node: fields.ForeignKeyRelation[GridNode] = fields.ForeignKeyField(
        "redgrid.GridNode", related_name="duty_shifts", on_delete=fields.RESTRICT
    )
    station: fields.ForeignKeyNullableRelation[ServiceStation] = fields.ForeignKeyField(
        "redgrid.ServiceStation", related_name="duty_shifts", null=True, on_delete=fields.RESTRICT
    )
    staff: fields.ForeignKeyNullableRelation[SinkingStaff] = fields.ForeignKeyField(
        "redgrid.SinkingStaff", related_name="shifts", null=True, on_delete=fields.RESTRICT
    )
    assignee_username = fields.CharField(max_length=128, default="")
    starts_at = fields.DatetimeField()
    ends_at = fields.DatetimeField()
    checked_in_at = fields.DatetimeField(null=True)
    check_in_latitude = fields.FloatField(null=True)
    check_in_longitude = fields.FloatField(null=True)
    checked_out_at = fields.DatetimeField(null=True)
    check_out_latitude = fields.FloatField(null=True)
    check_out_longitude = fields.FloatField(null=True)
    cancelled_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "duty_shift"
        indexes = (("tenant_id", "starts_at"), ("tenant_id", "node_id"), ("tenant_id", "assignee_username"))
