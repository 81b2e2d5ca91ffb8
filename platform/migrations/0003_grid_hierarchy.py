import functools
from json import dumps, loads

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.indexes import Index
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [("redgrid", "0002_events")]

    initial = False

    operations = [
        ops.CreateModel(
            name="GridLevel",
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
                ("depth", fields.SmallIntField()),
                ("name", fields.CharField(max_length=50)),
            ],
            options={
                "table": "grid_level",
                "app": "redgrid",
                "unique_together": (("tenant", "depth"),),
                "pk_attr": "id",
                "table_description": "The name a tenant gives to one depth of its tree (1 = the root), 2 to 6 levels.",
            },
            bases=["TenantOwned"],
        ),
        ops.CreateModel(
            name="PartyOrganisation",
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
                    "node",
                    fields.ForeignKeyField(
                        "redgrid.GridNode",
                        source_field="node_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="party_organisations",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                ("name", fields.CharField(max_length=200)),
                ("kind", fields.CharField(max_length=20)),
                ("secretary_name", fields.CharField(default="", max_length=100)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "party_organisation",
                "app": "redgrid",
                "indexes": [Index(fields=["tenant_id", "node_id"])],
                "pk_attr": "id",
                "table_description": (
                    "The party organisation attached to a grid node (general branch, branch or group)."
                ),
            },
            bases=["TenantOwned"],
        ),
        ops.CreateModel(
            name="ServiceStation",
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
                    "node",
                    fields.ForeignKeyField(
                        "redgrid.GridNode",
                        source_field="node_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="stations",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                ("name", fields.CharField(max_length=200)),
                ("kind", fields.CharField(max_length=10)),
                ("address", fields.CharField(default="", max_length=300)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "service_station",
                "app": "redgrid",
                "indexes": [Index(fields=["tenant_id", "node_id"])],
                "pk_attr": "id",
                "table_description": "A party-and-mass service station or point (党群服务站/点) of a grid node.",
            },
            bases=["TenantOwned"],
        ),
        ops.AddField(
            model_name="GridNode",
            name="boundary",
            field=fields.JSONField(null=True, encoder=functools.partial(dumps, separators=(",", ":")), decoder=loads),
        ),
        ops.AddField(
            model_name="GridNode",
            name="head_name",
            field=fields.CharField(default="", max_length=100),
        ),
        ops.AddField(
            model_name="GridNode",
            name="head_phone",
            field=fields.CharField(default="", max_length=20),
        ),
        ops.AddField(
            model_name="GridNode",
            name="retired_at",
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddIndex(
            model_name="GridNode",
            index=Index(fields=["tenant_id", "level"]),
        ),
    ]
