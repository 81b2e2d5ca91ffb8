import functools
from json import dumps, loads

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [("redgrid", "0013_district_departments")]

    initial = False

    operations = [
        ops.CreateModel(
            name="StreetSnapshot",
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
                ("counts", fields.JSONField(encoder=functools.partial(dumps, separators=(",", ":")), decoder=loads)),
                ("watermark", fields.JSONField(encoder=functools.partial(dumps, separators=(",", ":")), decoder=loads)),
                ("computed_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "street_snapshot",
                "app": "redgrid",
                "unique_together": (("tenant",),),
                "pk_attr": "id",
                "table_description": "A street's register counts and grid coverage as last computed.",
            },
            bases=["TenantOwned"],
        ),
    ]
