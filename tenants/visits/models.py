"""Home visits (入户走访): a grid worker's register of the households he called on."""

from __future__ import annotations

from tortoise import fields

from redgrid.platform.models import TenantOwned
from redgrid.tenants.cases.models import Case
from redgrid.tenants.people.models import Household


class HomeVisit(TenantOwned):
    """One call on a household: when, by whom (his account's username), what was found, and
    the case its follow-up became, if any. Scoped through the household's grid node."""

    id = fields.BigIntField(primary_key=True)
    household: fields.ForeignKeyRelation[Household] = fields.ForeignKeyField(
        "redgrid.Household", related_name="visits", on_delete=fields.RESTRICT
    )
    visited_on = fields.DateField()  # the local (Asia/Shanghai) day of the visit
    visitor = fields.CharField(max_length=128)
    findings = fields.TextField(default="")
    follow_up_case: fields.ForeignKeyNullableRelation[Case] = fields.ForeignKeyField(
        "redgrid.Case", related_name=False, null=True, on_delete=fields.RESTRICT
    )
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "home_visit"
        indexes = (("tenant_id", "household_id", "visited_on"), ("tenant_id", "visited_on"))
