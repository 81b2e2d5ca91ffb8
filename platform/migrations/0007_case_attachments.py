from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.indexes import Index
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [("redgrid", "0006_units_staff")]

    initial = False

    operations = [
        ops.CreateModel(
            name="CaseAttachment",
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
                        related_name="attachments",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                ("storage_key", fields.CharField(unique=True, max_length=128)),
                ("filename", fields.CharField(max_length=255)),
                ("content_type", fields.CharField(max_length=32)),
                ("size", fields.IntField()),
                ("sha256", fields.CharField(max_length=64)),
                ("width", fields.IntField(null=True)),
                ("height", fields.IntField(null=True)),
                ("uploaded_by", fields.CharField(max_length=128)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "case_attachment",
                "app": "redgrid",
                "indexes": [Index(fields=["tenant_id", "case_id"])],
                "pk_attr": "id",
                "table_description": "A photo of a case, its bytes in the attachment storage.",
            },
            bases=["TenantOwned"],
        ),
    ]
