"""A street's register counts and grid coverage as last computed, so a district's overview
reads one row a street instead of counting millions of residents per request."""

from __future__ import annotations

from typing import Any, ClassVar

from tortoise import fields

from redgrid.platform.models import TenantOwned


class StreetSnapshot(TenantOwned):
    """One row a tenant: counts only (never a name or a number of a person), the topic marks
    (people, grid) they were computed at, and when. Written by tenants/district/snapshot.py."""

    district_readable: ClassVar[bool] = True

    id = fields.BigIntField(primary_key=True)
    counts: fields.JSONField[Any] = fields.JSONField()
    watermark: fields.JSONField[Any] = fields.JSONField()
    computed_at = fields.DatetimeField()

    class Meta:
        table = "street_snapshot"
        unique_together = (("tenant",),)
