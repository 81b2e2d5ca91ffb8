"""A person's notifications (the notification centre) and the browsers he asked to be pushed
to. Both are keyed by username in a tenant, as an account is: a notification waits for a user
who has not signed in yet, and a push subscription belongs to whoever made it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields

from redgrid.platform.models import TenantOwned

if TYPE_CHECKING:
    from redgrid.tenants.cases.models import Case
    from redgrid.tenants.people.models import Pairing

# dispatched to you; returned (to whoever it goes back to); escalated (to the managers at the
# new level); overdue (the assignee and the responsible manager); a volunteer's missed knock.
KINDS = ("dispatched", "returned", "escalated", "overdue", "missed_knock")


class Notification(TenantOwned):
    """One notification of one user. `key` makes a notification that must be sent once (a
    missed knock per pairing and day) unique per user; null for the others."""

    id = fields.BigIntField(primary_key=True)
    username = fields.CharField(max_length=128)
    kind = fields.CharField(max_length=16)
    text = fields.CharField(max_length=200)
    case: fields.ForeignKeyNullableRelation[Case] = fields.ForeignKeyField(
        "redgrid.Case", related_name=False, null=True, on_delete=fields.CASCADE
    )
    pairing: fields.ForeignKeyNullableRelation[Pairing] = fields.ForeignKeyField(
        "redgrid.Pairing", related_name=False, null=True, on_delete=fields.CASCADE
    )
    key = fields.CharField(max_length=64, null=True)
    created_at = fields.DatetimeField()
    read_at = fields.DatetimeField(null=True)

    class Meta:
        table = "notification"
        unique_together = (("tenant", "username", "key"),)
        indexes = (("tenant_id", "username", "id"), ("tenant_id", "username", "read_at"))


class PushSubscription(TenantOwned):
    """A browser's Web Push subscription (its push service endpoint and the keys its payloads
    are encrypted to), for the user who subscribed it."""

    id = fields.BigIntField(primary_key=True)
    username = fields.CharField(max_length=128)
    endpoint = fields.CharField(max_length=1024)
    p256dh = fields.CharField(max_length=128)
    auth = fields.CharField(max_length=64)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "push_subscription"
        unique_together = (("tenant", "endpoint"),)
        indexes = (("tenant_id", "username"),)
