"""Residents report and rate without an account: `public_report` holds the hash of a case's
tracking token and when its resident rated it; `grid_case.satisfaction_by` and
`satisfaction_at` say who gave a case's satisfaction and when. Ratings given before this were
all typed in by staff at verify: they are marked so, dated by their verification."""

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.migrations import operations as ops


async def typed_ratings(apps, schema_editor) -> None:
    await schema_editor.client.execute_query(
        "UPDATE grid_case SET satisfaction_by = 'staff', satisfaction_at = answered_at "
        "WHERE satisfaction IS NOT NULL AND satisfaction_by IS NULL"
    )


class Migration(migrations.Migration):
    dependencies = [("redgrid", "0016_notifications")]

    initial = False

    operations = [
        ops.AddField(model_name="Case", name="satisfaction_by", field=fields.CharField(null=True, max_length=8)),
        ops.AddField(model_name="Case", name="satisfaction_at", field=fields.DatetimeField(null=True)),
        ops.CreateModel(
            name="PublicReport",
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
                    fields.OneToOneField(
                        "redgrid.Case",
                        source_field="case_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="public_report",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("token_hash", fields.CharField(unique=True, max_length=64)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ("rated_at", fields.DatetimeField(null=True)),
            ],
            options={
                "table": "public_report",
                "app": "redgrid",
                "pk_attr": "id",
                "table_description": "A case a resident reported on the public page, without an account.",
            },
            bases=["TenantOwned"],
        ),
        ops.RunPython(typed_ratings, ops.RunPython.noop),
    ]
