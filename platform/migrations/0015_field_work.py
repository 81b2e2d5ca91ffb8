"""Work in the field: the idempotency keys of mutations sent from phones (`idempotent_request`,
platform/idempotency.py), and the categories whose simple problems a grid worker handles
himself (`case_category.self_handle`)."""

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.indexes import Index
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [("redgrid", "0014_district_snapshots")]

    initial = False

    operations = [
        ops.CreateModel(
            name="IdempotentRequest",
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
                ("subject", fields.CharField(max_length=64)),
                ("key", fields.CharField(max_length=64)),
                ("request_hash", fields.CharField(max_length=64)),
                ("response", fields.TextField(null=True, unique=False)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "idempotent_request",
                "app": "redgrid",
                "unique_together": (("tenant", "subject", "key"),),
                "indexes": [Index(fields=["created_at"])],
                "pk_attr": "id",
                "table_description": "A mutation sent with an Idempotency-Key, and the response it got.",
            },
            bases=["TenantOwned"],
        ),
        ops.AddField(model_name="CaseCategory", name="self_handle", field=fields.BooleanField(default=False)),
    ]
