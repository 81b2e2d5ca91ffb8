"""The notification centre (`notification`), the browsers a user asked to be pushed to
(`push_subscription`), and the volunteers' daily knock log (`knock`, with `knock_scan`, the
days whose missed knocks were notified). All tenant-owned: `redgrid migrate` gives them their
row-level security policies and the app role's grants."""

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.indexes import Index
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [("redgrid", "0015_field_work")]

    initial = False

    operations = [
        ops.CreateModel(
            name="Knock",
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
                    "pairing",
                    fields.ForeignKeyField(
                        "redgrid.Pairing",
                        source_field="pairing_id",
                        db_constraint=True,
                        to_field="id",
                        related_name=False,
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("day", fields.DateField()),
                ("status", fields.CharField(max_length=16)),
                ("note", fields.CharField(default="", max_length=500)),
                ("recorded_by", fields.CharField(max_length=128)),
                ("recorded_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                (
                    "case",
                    fields.ForeignKeyField(
                        "redgrid.Case",
                        source_field="case_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name=False,
                        on_delete=OnDelete.SET_NULL,
                    ),
                ),
            ],
            options={
                "table": "knock",
                "app": "redgrid",
                "unique_together": (("tenant", "pairing", "day"),),
                "pk_attr": "id",
                "table_description": "A volunteer's knock at his elder's door on a day.",
            },
            bases=["TenantOwned"],
        ),
        ops.CreateModel(
            name="KnockScan",
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
                ("day", fields.DateField()),
                ("scanned_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "knock_scan",
                "app": "redgrid",
                "unique_together": (("tenant", "day"),),
                "pk_attr": "id",
                "table_description": "The missed-knock job has notified this tenant's missed knocks of `day`.",
            },
            bases=["TenantOwned"],
        ),
        ops.CreateModel(
            name="Notification",
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
                ("username", fields.CharField(max_length=128)),
                ("kind", fields.CharField(max_length=16)),
                ("text", fields.CharField(max_length=200)),
                (
                    "case",
                    fields.ForeignKeyField(
                        "redgrid.Case",
                        source_field="case_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name=False,
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "pairing",
                    fields.ForeignKeyField(
                        "redgrid.Pairing",
                        source_field="pairing_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name=False,
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("key", fields.CharField(null=True, max_length=64)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("read_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "notification",
                "app": "redgrid",
                "unique_together": (("tenant", "username", "key"),),
                "indexes": [
                    Index(fields=["tenant_id", "username", "id"]),
                    Index(fields=["tenant_id", "username", "read_at"]),
                ],
                "pk_attr": "id",
                "table_description": "One notification of one user.",
            },
            bases=["TenantOwned"],
        ),
        ops.CreateModel(
            name="PushSubscription",
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
                ("username", fields.CharField(max_length=128)),
                ("endpoint", fields.CharField(max_length=1024)),
                ("p256dh", fields.CharField(max_length=128)),
                ("auth", fields.CharField(max_length=64)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "push_subscription",
                "app": "redgrid",
                "unique_together": (("tenant", "endpoint"),),
                "indexes": [Index(fields=["tenant_id", "username"])],
                "pk_attr": "id",
                "table_description": "A browser's Web Push subscription.",
            },
            bases=["TenantOwned"],
        ),
    ]
