"""The daily knock log of a volunteer's pairing (爱心敲门): one line per pairing and day, and
the days the missed-knock job has already looked at, per tenant."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields

from redgrid.platform.models import TenantOwned

if TYPE_CHECKING:
    from redgrid.tenants.cases.models import Case
    from redgrid.tenants.people.models import Pairing

STATUSES = ("well", "needs_help")


class Knock(TenantOwned):
    """A volunteer's knock at his elder's door on `day`: all well, or needs help (which raised
    `case`)."""

    id = fields.BigIntField(primary_key=True)
    pairing: fields.ForeignKeyRelation[Pairing] = fields.ForeignKeyField(
        "redgrid.Pairing", related_name=False, on_delete=fields.CASCADE
    )
    day = fields.DateField()
    status = fields.CharField(max_length=16)
    note = fields.CharField(max_length=500, default="")
    recorded_by = fields.CharField(max_length=128)
    recorded_at = fields.DatetimeField()
    case: fields.ForeignKeyNullableRelation[Case] = fields.ForeignKeyField(
        "redgrid.Case", related_name=False, null=True, on_delete=fields.SET_NULL
    )

    class Meta:
        table = "knock"
        unique_together = (("tenant", "pairing", "day"),)


class KnockScan(TenantOwned):
    """The missed-knock job has notified this tenant's missed knocks of `day`."""

    id = fields.BigIntField(primary_key=True)
    day = fields.DateField()
    scanned_at = fields.DatetimeField()

    class Meta:
        table = "knock_scan"
        unique_together = (("tenant", "day"),)
