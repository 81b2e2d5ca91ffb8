"""The audit trail of account changes. The accounts themselves are platform/models.py
`Account` (the platform resolves every request's scope from it)."""

from __future__ import annotations

from typing import Any

from tortoise import fields

from redgrid.platform.models import Account, TenantOwned


class AccountChange(TenantOwned):
    """Who changed which account, when, and the account's fields before and after (None before
    its creation). Written in the same transaction as the change; never updated or deleted."""

    id = fields.BigIntField(primary_key=True)
    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "redgrid.Account", related_name=False, on_delete=fields.RESTRICT
    )
    actor = fields.CharField(max_length=128)
    action = fields.CharField(max_length=16)  # tenants/accounts/rules.py ACTIONS
    before: fields.JSONField[Any] = fields.JSONField(null=True)
    after: fields.JSONField[Any] = fields.JSONField()
    at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "account_change"
        indexes = (("tenant_id", "account_id", "id"),)
