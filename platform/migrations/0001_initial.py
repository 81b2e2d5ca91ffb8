from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.indexes import Index
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name="District",
            fields=[
                ("id", fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ("slug", fields.CharField(unique=True, max_length=64)),
                ("name", fields.CharField(max_length=200)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "district",
                "app": "redgrid",
                "pk_attr": "id",
                "table_description": "A district (区) hosting many streets and towns, not tenant-owned.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Tenant",
            fields=[
                ("id", fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ("slug", fields.CharField(unique=True, max_length=64)),
                ("name", fields.CharField(max_length=200)),
                ("kind", fields.CharField(default="street", max_length=16)),
                (
                    "district",
                    fields.ForeignKeyField(
                        "redgrid.District",
                        source_field="district_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="tenants",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "tenant",
                "app": "redgrid",
                "pk_attr": "id",
                "table_description": (
                    "One street (街道) or town (镇). Its id is what `app.tenant_id` holds in a transaction."
                ),
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="GridNode",
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
                    "parent",
                    fields.ForeignKeyField(
                        "redgrid.GridNode",
                        source_field="parent_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="children",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                ("code", fields.CharField(max_length=32)),
                ("path", fields.CharField(max_length=400)),
                ("name", fields.CharField(max_length=200)),
                ("level", fields.SmallIntField()),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "grid_node",
                "app": "redgrid",
                "unique_together": (("tenant", "path"),),
                "indexes": [Index(fields=["tenant_id", "parent_id"])],
                "pk_attr": "id",
                "table_description": "A cell of the grid tree.",
            },
            bases=["TenantOwned"],
        ),
        ops.CreateModel(
            name="Account",
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
                ("subject", fields.CharField(default="", max_length=64)),
                ("username", fields.CharField(max_length=128)),
                ("display_name", fields.CharField(default="", max_length=200)),
                (
                    "grid_scope",
                    fields.ForeignKeyField(
                        "redgrid.GridNode",
                        source_field="grid_scope_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name=False,
                        on_delete=OnDelete.SET_NULL,
                    ),
                ),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "account",
                "app": "redgrid",
                "unique_together": (("tenant", "username"),),
                "pk_attr": "id",
                "table_description": (
                    "A person's standing in one tenant: the Keycloak subject and the grid subtree they act in."
                ),
            },
            bases=["TenantOwned"],
        ),
    ]
