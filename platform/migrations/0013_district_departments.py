"""District line departments and their staff (platform tables, beside `district`), and the
department a case was referred to (`grid_case.department_id`). The department policies on the
case tables are made by `redgrid migrate` with the tenant ones (platform/database.py)."""

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.indexes import Index
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [("redgrid", "0010_held_residents")]

    initial = False

    operations = [
        ops.CreateModel(
            name="DistrictDepartment",
            fields=[
                ("id", fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "district",
                    fields.ForeignKeyField(
                        "redgrid.District",
                        source_field="district_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="departments",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                ("slug", fields.CharField(max_length=64)),
                ("name", fields.CharField(max_length=200)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "district_department",
                "app": "redgrid",
                "unique_together": (("district", "slug"),),
                "pk_attr": "id",
                "table_description": "A district's line department, to which a street refers cases.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="DistrictDepartmentMember",
            fields=[
                ("id", fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "department",
                    fields.ForeignKeyField(
                        "redgrid.DistrictDepartment",
                        source_field="department_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="members",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("username", fields.CharField(unique=True, max_length=128)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "district_department_member",
                "app": "redgrid",
                "pk_attr": "id",
                "table_description": "A department's staff member, by Keycloak username.",
            },
            bases=["Model"],
        ),
        ops.AddField(
            model_name="Case",
            name="department",
            field=fields.ForeignKeyField(
                "redgrid.DistrictDepartment",
                source_field="department_id",
                null=True,
                db_constraint=True,
                to_field="id",
                related_name="cases",
                on_delete=OnDelete.RESTRICT,
            ),
        ),
        ops.AddIndex(model_name="Case", index=Index(fields=["department_id"])),
    ]
