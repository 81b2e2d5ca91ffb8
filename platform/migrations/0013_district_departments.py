"""District line departments and their staff (platform tables, beside `district`), and the
department a case was referred to (`grid_case.department_id`). The department policies on the
case tables are made by `redgrid migrate` with the tenant ones (platform/database.py).

Unapplied on SQLite, Tortoise would rebuild `grid_case` from a state that still has the column
and none of its constraints; SQLite (3.35+) drops the column itself, so `CaseDepartment` asks it to.
"""

from typing import Any

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.indexes import Index
from tortoise.migrations import operations as ops

from redgrid.platform.database import department_policy_sql


class CaseDepartment(ops.AddField):
    """`grid_case.department_id`, dropped in place on SQLite when unapplied."""

    async def database_backward(self, app_label: str, old_state: Any, new_state: Any, state_editor: Any = None) -> None:
        if state_editor is not None and state_editor.client.capabilities.dialect == "sqlite":
            await state_editor.client.execute_script('ALTER TABLE "grid_case" DROP COLUMN "department_id"')
            return
        if state_editor is not None:  # PostgreSQL: the department policies name the column
            for statement in department_policy_sql():
                if statement.startswith("DROP POLICY"):
                    await state_editor.client.execute_script(statement)
        await super().database_backward(app_label, old_state, new_state, state_editor)


class Migration(migrations.Migration):
    dependencies = [("redgrid", "0012_grid_workers")]

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
        CaseDepartment(
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
