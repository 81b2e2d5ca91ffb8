"""Sharing across streets (tenants/sharing/): a resource's share scope and quantity, the
catalogue (`resource_share`, one row per resource, the only row of a street another street may
read), requests between streets (`share_request`, whose venue slots an exclusion constraint
keeps from overlapping), the needs of people on grid nodes (`grid_need`), units' pledges to
crowdfunded projects (`project_pledge`), and a unit contact's unit on his account.

Existing resources keep their meaning: a shareable one is shared with its district, the others
with their street, and each gets its catalogue row. The sharing policies are made by `redgrid
migrate` with the tenant ones (platform/database.py, `sharing_policy_sql`).

On PostgreSQL the constraints the ORM cannot declare are added here: quantities never below
zero, and no two holding requests of one resource with overlapping slots (a GiST exclusion
over `int8range(resource_id)` and `tstzrange(slot)`, so no extension is needed). SQLite, the
embedded default, has neither; its one writer at a time and the services' checks stand in.
"""

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.indexes import Index
from tortoise.migrations import operations as ops

POSTGRES_ONLY = (
    "ALTER TABLE unit_resource ADD CONSTRAINT unit_resource_quantity_ok CHECK (quantity >= 0)",
    "ALTER TABLE resource_share ADD CONSTRAINT resource_share_quantity_ok CHECK (quantity >= 0)",
    "ALTER TABLE share_request ADD CONSTRAINT share_request_quantity_ok CHECK (quantity > 0)",
    "ALTER TABLE share_request ADD CONSTRAINT share_request_slot_ok CHECK (slot_start < slot_end)",
    "ALTER TABLE share_request ADD CONSTRAINT share_request_no_double_booking EXCLUDE USING gist "
    "(int8range(resource_id, resource_id, '[]') WITH &&, tstzrange(slot_start, slot_end) WITH &&) "
    "WHERE (slot_start IS NOT NULL AND status IN ('requested', 'approved', 'scheduled'))",
    "ALTER TABLE project_pledge ADD CONSTRAINT project_pledge_amount_ok CHECK (amount > 0)",
)

CATALOGUE = (
    "INSERT INTO resource_share (tenant_id, resource_id, unit_id, unit_name, street_name, district_id, kind,"
    " description, scope, quantity, updated_at)"
    " SELECT r.tenant_id, r.id, u.id, u.name, t.name, t.district_id, r.kind, r.description, r.share_scope,"
    " r.quantity, CURRENT_TIMESTAMP"
    " FROM unit_resource r JOIN joint_unit u ON u.id = r.unit_id JOIN tenant t ON t.id = r.tenant_id"
)


async def share_existing(apps, schema_editor) -> None:
    client = schema_editor.client
    if client.capabilities.dialect == "postgres":
        for statement in POSTGRES_ONLY:
            await client.execute_script(statement)
    await client.execute_query("UPDATE unit_resource SET share_scope = 'district' WHERE shareable")
    await client.execute_query(CATALOGUE)


def _tenant() -> tuple[str, fields.Field]:
    return (
        "tenant",
        fields.ForeignKeyField(
            "redgrid.Tenant",
            source_field="tenant_id",
            db_constraint=True,
            to_field="id",
            related_name=False,
            on_delete=OnDelete.RESTRICT,
        ),
    )


def _id() -> tuple[str, fields.Field]:
    return ("id", fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True))


def _fk(model: str, column: str, related: str, on_delete: OnDelete = OnDelete.RESTRICT) -> fields.Field:
    return fields.ForeignKeyField(
        model, source_field=column, db_constraint=True, to_field="id", related_name=related, on_delete=on_delete
    )


class Migration(migrations.Migration):
    dependencies = [("redgrid", "0018_case_indicators")]

    initial = False

    operations = [
        ops.AddField(
            model_name="UnitResource", name="share_scope", field=fields.CharField(default="street", max_length=10)
        ),
        ops.AddField(model_name="UnitResource", name="quantity", field=fields.IntField(null=True)),
        ops.AddField(
            model_name="Account",
            name="unit",
            field=fields.ForeignKeyField(
                "redgrid.JointUnit",
                source_field="unit_id",
                null=True,
                db_constraint=True,
                to_field="id",
                related_name=False,
                on_delete=OnDelete.SET_NULL,
            ),
        ),
        ops.CreateModel(
            name="ResourceShare",
            fields=[
                _tenant(),
                _id(),
                (
                    "resource",
                    fields.OneToOneField(
                        "redgrid.UnitResource",
                        source_field="resource_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="share",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("unit_id", fields.BigIntField()),
                ("unit_name", fields.CharField(max_length=200)),
                ("street_name", fields.CharField(max_length=200)),
                ("district_id", fields.BigIntField()),
                ("kind", fields.CharField(max_length=20)),
                ("description", fields.CharField(max_length=500)),
                ("scope", fields.CharField(default="street", max_length=10)),
                ("quantity", fields.IntField(null=True)),
                ("updated_at", fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={
                "table": "resource_share",
                "app": "redgrid",
                "indexes": [Index(fields=["scope", "district_id", "kind"]), Index(fields=["tenant_id", "kind"])],
                "pk_attr": "id",
                "table_description": "A resource in the catalogue, as other streets may read it.",
            },
            bases=["TenantOwned"],
        ),
        ops.CreateModel(
            name="ShareRequest",
            fields=[
                _tenant(),
                _id(),
                ("share", _fk("redgrid.ResourceShare", "share_id", "requests")),
                ("owner_tenant_id", fields.BigIntField()),
                ("resource_id", fields.BigIntField()),
                ("owner_unit_id", fields.BigIntField()),
                ("requester_name", fields.CharField(max_length=200)),
                ("requested_by", fields.CharField(max_length=128)),
                ("note", fields.CharField(default="", max_length=500)),
                ("quantity", fields.IntField(null=True)),
                ("slot_start", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("slot_end", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("status", fields.CharField(default="requested", max_length=10)),
                ("version", fields.IntField(default=1)),
                ("reason", fields.CharField(default="", max_length=500)),
                ("scheduled_for", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("requester_rating", fields.SmallIntField(null=True)),
                ("owner_rating", fields.SmallIntField(null=True)),
                ("requested_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ("decided_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("delivered_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("cancelled_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "share_request",
                "app": "redgrid",
                "indexes": [
                    Index(fields=["tenant_id", "status"]),
                    Index(fields=["owner_tenant_id", "status"]),
                    Index(fields=["resource_id"]),
                ],
                "pk_attr": "id",
                "table_description": "One street's request of a catalogue row.",
            },
            bases=["TenantOwned"],
        ),
        ops.CreateModel(
            name="GridNeed",
            fields=[
                _tenant(),
                _id(),
                ("node", _fk("redgrid.GridNode", "node_id", "grid_needs")),
                ("kind", fields.CharField(max_length=10)),
                ("resource_kind", fields.CharField(null=True, max_length=20)),
                ("title", fields.CharField(max_length=200)),
                ("description", fields.CharField(default="", max_length=1000)),
                ("status", fields.CharField(default="open", max_length=10)),
                ("created_by", fields.CharField(max_length=128)),
                ("claimant_kind", fields.CharField(null=True, max_length=15)),
                ("claimant_id", fields.BigIntField(null=True)),
                ("claimant_name", fields.CharField(default="", max_length=200)),
                ("claimed_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("completed_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("photo_key", fields.CharField(null=True, unique=True, max_length=128)),
                ("photo_type", fields.CharField(null=True, max_length=32)),
                ("photo_sha256", fields.CharField(null=True, max_length=64)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "grid_need",
                "app": "redgrid",
                "indexes": [Index(fields=["tenant_id", "node_id"]), Index(fields=["tenant_id", "status"])],
                "pk_attr": "id",
                "table_description": "A resident's small wish or an item of a grid's needs list.",
            },
            bases=["TenantOwned"],
        ),
        ops.CreateModel(
            name="ProjectPledge",
            fields=[
                _tenant(),
                _id(),
                ("project", _fk("redgrid.PublicProject", "project_id", "pledges")),
                ("unit", _fk("redgrid.JointUnit", "unit_id", "pledges")),
                ("amount", fields.DecimalField(max_digits=14, decimal_places=2)),
                ("pledged_by", fields.CharField(max_length=128)),
                ("pledged_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "project_pledge",
                "app": "redgrid",
                "unique_together": (("project", "unit"),),
                "indexes": [Index(fields=["tenant_id", "unit_id"])],
                "pk_attr": "id",
                "table_description": "A unit's pledge to a crowdfunded project.",
            },
            bases=["TenantOwned"],
        ),
        ops.RunPython(share_existing, ops.RunPython.noop),
    ]
