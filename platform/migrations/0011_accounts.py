"""Accounts RedGrid manages (tenants/accounts/): the role, e-mail and enabled flag last
written to Keycloak, and the audit trail of every change."""

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.indexes import Index
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [("redgrid", "0010_held_residents")]

    initial = False

    operations = [
        ops.AddField(model_name="Account", name="role", field=fields.CharField(default="", max_length=16)),
        ops.AddField(model_name="Account", name="email", field=fields.CharField(default="", max_length=254)),
        ops.AddField(model_name="Account", name="enabled", field=fields.BooleanField(default=True)),
        ops.CreateModel(
            name="AccountChange",
            fields=[
                (
                    "tenant",
                    fields.ForeignKeyField(
                        "redgrid.Tenant",
                        source_field="tenant_id",
                        db_constraint=True,
                        to_field="id",
                        related_name=False,
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                ("id", fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "account",
                    fields.ForeignKeyField(
                        "redgrid.Account",
                        source_field="account_id",
                        db_constraint=True,
                        to_field="id",
                        related_name=False,
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                ("actor", fields.CharField(max_length=128)),
                ("action", fields.CharField(max_length=16)),
                ("before", fields.JSONField(null=True)),
                ("after", fields.JSONField()),
                ("at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "account_change",
                "app": "redgrid",
                "indexes": [Index(fields=["tenant_id", "account_id", "id"])],
                "pk_attr": "id",
                "table_description": "Who changed which account, when, and its fields before and after.",
            },
            bases=["TenantOwned"],
        ),
    ]
