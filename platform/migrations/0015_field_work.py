"""Work in the field: the idempotency keys of mutations sent from phones (`idempotent_request`,
and `department_idempotent_request` for a district department's staff; platform/idempotency.py),
the categories whose simple problems a grid worker handles himself (`case_category.self_handle`),
and the home visits' register (`home_visit`, tenants/visits/)."""

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
        ops.CreateModel(
            name="DepartmentIdempotentRequest",
            fields=[
                ("id", fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "department",
                    fields.ForeignKeyField(
                        "redgrid.DistrictDepartment",
                        source_field="department_id",
                        db_constraint=True,
                        to_field="id",
                        related_name=False,
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("subject", fields.CharField(max_length=64)),
                ("key", fields.CharField(max_length=64)),
                ("request_hash", fields.CharField(max_length=64)),
                ("response", fields.TextField(null=True, unique=False)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "department_idempotent_request",
                "app": "redgrid",
                "unique_together": (("department", "subject", "key"),),
                "indexes": [Index(fields=["created_at"])],
                "pk_attr": "id",
                "table_description": "An Idempotency-Key of a district department's staff member, and its response.",
            },
            bases=["Model"],
        ),
        ops.AddField(
            model_name="CaseCategory", name="self_handle", field=fields.BooleanField(default=False, db_default=False)
        ),
        ops.CreateModel(
            name="HomeVisit",
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
                    "household",
                    fields.ForeignKeyField(
                        "redgrid.Household",
                        source_field="household_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="visits",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                ("visited_on", fields.DateField()),
                ("visitor", fields.CharField(max_length=128)),
                ("findings", fields.TextField(default="", unique=False)),
                (
                    "follow_up_case",
                    fields.ForeignKeyField(
                        "redgrid.Case",
                        source_field="follow_up_case_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name=False,
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "home_visit",
                "app": "redgrid",
                "indexes": [
                    Index(fields=["tenant_id", "household_id", "visited_on"]),
                    Index(fields=["tenant_id", "visited_on"]),
                ],
                "pk_attr": "id",
                "table_description": "A home visit (入户走访) to a household, and its follow-up case.",
            },
            bases=["TenantOwned"],
        ),
    ]
