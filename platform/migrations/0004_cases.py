from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.indexes import Index
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [("redgrid", "0003_grid_hierarchy")]

    initial = False

    operations = [
        ops.CreateModel(
            name="CaseCategory",
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
                ("code", fields.CharField(max_length=32)),
                ("name", fields.CharField(max_length=100)),
                ("on_scene_minutes", fields.IntField(default=10)),
                ("resolve_minutes", fields.IntField(default=60)),
                ("answer_minutes", fields.IntField(default=1440)),
            ],
            options={
                "table": "case_category",
                "app": "redgrid",
                "unique_together": (("tenant", "code"),),
                "pk_attr": "id",
                "table_description": (
                    'A category of the tenant\'s taxonomy, with its default "3-1" deadlines in minutes.'
                ),
            },
            bases=["TenantOwned"],
        ),
        ops.CreateModel(
            name="Case",
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
                ("number", fields.CharField(max_length=32)),
                ("title", fields.CharField(max_length=200)),
                ("description", fields.TextField(default="", unique=False)),
                (
                    "category",
                    fields.ForeignKeyField(
                        "redgrid.CaseCategory",
                        source_field="category_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="cases",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                ("source", fields.CharField(max_length=20)),
                ("priority", fields.CharField(default="normal", max_length=10)),
                (
                    "node",
                    fields.ForeignKeyField(
                        "redgrid.GridNode",
                        source_field="node_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="cases",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                ("address", fields.CharField(default="", max_length=300)),
                ("latitude", fields.FloatField(null=True)),
                ("longitude", fields.FloatField(null=True)),
                ("state", fields.CharField(default="reported", max_length=20)),
                ("version", fields.IntField(default=1)),
                ("escalation", fields.CharField(default="grid", max_length=12)),
                ("reporter", fields.CharField(max_length=128)),
                ("assignee_kind", fields.CharField(null=True, max_length=12)),
                ("assignee", fields.CharField(null=True, max_length=128)),
                ("on_scene_due", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("resolve_due", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("answer_due", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("on_scene_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("resolved_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("answered_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("overdue_on_scene_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("overdue_resolve_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("overdue_answer_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("satisfaction", fields.SmallIntField(null=True)),
                ("satisfaction_comment", fields.TextField(default="", unique=False)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ("closed_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "grid_case",
                "app": "redgrid",
                "unique_together": (("tenant", "number"),),
                "indexes": [
                    Index(fields=["tenant_id", "state"]),
                    Index(fields=["tenant_id", "node_id"]),
                    Index(fields=["tenant_id", "assignee"]),
                ],
                "pk_attr": "id",
                "table_description": (
                    "One case. `version` rises with every transition: a change based on an older version"
                ),
            },
            bases=["TenantOwned"],
        ),
        ops.CreateModel(
            name="CaseTransition",
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
                    "case",
                    fields.ForeignKeyField(
                        "redgrid.Case",
                        source_field="case_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="timeline",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("version", fields.IntField()),
                ("action", fields.CharField(max_length=20)),
                ("from_state", fields.CharField(null=True, max_length=20)),
                ("to_state", fields.CharField(max_length=20)),
                ("actor", fields.CharField(max_length=128)),
                ("note", fields.TextField(default="", unique=False)),
                ("at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "case_transition",
                "app": "redgrid",
                "unique_together": (("case", "version"),),
                "pk_attr": "id",
                "table_description": "A line of the case's timeline: who, when, from which state to which, and why.",
            },
            bases=["TenantOwned"],
        ),
        ops.CreateModel(
            name="SlaRule",
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
                    "category",
                    fields.ForeignKeyField(
                        "redgrid.CaseCategory",
                        source_field="category_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="sla_rules",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("priority", fields.CharField(max_length=10)),
                ("on_scene_minutes", fields.IntField()),
                ("resolve_minutes", fields.IntField()),
                ("answer_minutes", fields.IntField()),
            ],
            options={
                "table": "sla_rule",
                "app": "redgrid",
                "unique_together": (("category", "priority"),),
                "pk_attr": "id",
                "table_description": "Deadlines for one priority of one category, overriding the category's defaults.",
            },
            bases=["TenantOwned"],
        ),
    ]
