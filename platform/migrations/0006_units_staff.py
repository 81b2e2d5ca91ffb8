import functools
from json import dumps, loads

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.indexes import Index
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [("redgrid", "0005_people")]

    initial = False

    operations = [
        ops.CreateModel(
            name="Department",
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
                ("name", fields.CharField(max_length=200)),
                ("kind", fields.CharField(max_length=20)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "department",
                "app": "redgrid",
                "unique_together": (("tenant", "name"),),
                "pk_attr": "id",
                "table_description": (
                    "A line department that sends staff down to the grids (派出所, 城管中队, 市场监管所, 司法所…)."
                ),
            },
            bases=["TenantOwned"],
        ),
        ops.CreateModel(
            name="DutyTeam",
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
                        related_name="duty_teams",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                ("name", fields.CharField(max_length=200)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "duty_team",
                "app": "redgrid",
                "indexes": [Index(fields=["tenant_id", "node_id"])],
                "pk_attr": "id",
                "table_description": "A joint duty team (联勤联动团队) at a grid node, which the grid head dispatches.",
            },
            bases=["TenantOwned"],
        ),
        ops.CreateModel(
            name="JointUnit",
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
                ("name", fields.CharField(max_length=200)),
                ("kind", fields.CharField(max_length=20)),
                ("party_organisation", fields.CharField(default="", max_length=200)),
                (
                    "contacts",
                    fields.JSONField(
                        default=list, encoder=functools.partial(dumps, separators=(",", ":")), decoder=loads
                    ),
                ),
                (
                    "paired_node",
                    fields.ForeignKeyField(
                        "redgrid.GridNode",
                        source_field="paired_node_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="joint_units",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "joint_unit",
                "app": "redgrid",
                "unique_together": (("tenant", "name"),),
                "indexes": [Index(fields=["tenant_id", "paired_node_id"]), Index(fields=["tenant_id", "kind"])],
                "pk_attr": "id",
                "table_description": (
                    "A unit in the street (enterprise, school, hospital, organ, two-new organisation, property"
                ),
            },
            bases=["TenantOwned"],
        ),
        ops.CreateModel(
            name="PublicProject",
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
                        related_name="public_projects",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                ("title", fields.CharField(max_length=200)),
                ("description", fields.CharField(default="", max_length=1000)),
                ("budget", fields.DecimalField(max_digits=14, decimal_places=2)),
                ("status", fields.CharField(default="open", max_length=10)),
                (
                    "claimed_by",
                    fields.ForeignKeyField(
                        "redgrid.JointUnit",
                        source_field="claimed_by_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="claimed_projects",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                ("claimed_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("completed_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "public_project",
                "app": "redgrid",
                "indexes": [
                    Index(fields=["tenant_id", "status"]),
                    Index(fields=["tenant_id", "node_id"]),
                    Index(fields=["tenant_id", "claimed_by_id"]),
                ],
                "pk_attr": "id",
                "table_description": (
                    "A public-benefit project (公益项目) a community puts up for units to claim (认领)."
                ),
            },
            bases=["TenantOwned"],
        ),
        ops.CreateModel(
            name="ServiceItem",
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
                    "unit",
                    fields.ForeignKeyField(
                        "redgrid.JointUnit",
                        source_field="unit_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="service_items",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                ("category", fields.CharField(max_length=20)),
                ("title", fields.CharField(max_length=200)),
                ("description", fields.CharField(default="", max_length=1000)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "service_item",
                "app": "redgrid",
                "indexes": [Index(fields=["tenant_id", "category"]), Index(fields=["tenant_id", "unit_id"])],
                "pk_attr": "id",
                "table_description": (
                    "One item of the service menu (服务清单), offered by a unit, in one of five categories."
                ),
            },
            bases=["TenantOwned"],
        ),
        ops.CreateModel(
            name="ServiceOrder",
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
                    "item",
                    fields.ForeignKeyField(
                        "redgrid.ServiceItem",
                        source_field="item_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="orders",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                (
                    "node",
                    fields.ForeignKeyField(
                        "redgrid.GridNode",
                        source_field="node_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="service_orders",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                ("ordered_by", fields.CharField(max_length=128)),
                ("note", fields.CharField(default="", max_length=500)),
                ("status", fields.CharField(default="ordered", max_length=10)),
                ("rating", fields.SmallIntField(null=True)),
                ("ordered_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ("accepted_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("delivered_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("rated_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "service_order",
                "app": "redgrid",
                "indexes": [
                    Index(fields=["tenant_id", "node_id"]),
                    Index(fields=["tenant_id", "status"]),
                    Index(fields=["tenant_id", "item_id"]),
                ],
                "pk_attr": "id",
                "table_description": "A grid node's order of a menu item (点单) and its delivery (配送).",
            },
            bases=["TenantOwned"],
        ),
        ops.CreateModel(
            name="SinkingStaff",
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
                ("name", fields.CharField(max_length=100)),
                ("phone", fields.CharField(default="", max_length=20)),
                ("username", fields.CharField(default="", max_length=128)),
                (
                    "department",
                    fields.ForeignKeyField(
                        "redgrid.Department",
                        source_field="department_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="staff",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                (
                    "node",
                    fields.ForeignKeyField(
                        "redgrid.GridNode",
                        source_field="node_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="sinking_staff",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "sinking_staff",
                "app": "redgrid",
                "indexes": [
                    Index(fields=["tenant_id", "node_id"]),
                    Index(fields=["tenant_id", "username"]),
                    Index(fields=["tenant_id", "department_id"]),
                ],
                "pk_attr": "id",
                "table_description": "A department's staff member sent down to a grid node.",
            },
            bases=["TenantOwned"],
        ),
        ops.CreateModel(
            name="DutyShift",
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
                        related_name="duty_shifts",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                (
                    "station",
                    fields.ForeignKeyField(
                        "redgrid.ServiceStation",
                        source_field="station_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="duty_shifts",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                (
                    "staff",
                    fields.ForeignKeyField(
                        "redgrid.SinkingStaff",
                        source_field="staff_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="shifts",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                ("assignee_username", fields.CharField(default="", max_length=128)),
                ("starts_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("ends_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("checked_in_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("check_in_latitude", fields.FloatField(null=True)),
                ("check_in_longitude", fields.FloatField(null=True)),
                ("checked_out_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("check_out_latitude", fields.FloatField(null=True)),
                ("check_out_longitude", fields.FloatField(null=True)),
                ("cancelled_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "duty_shift",
                "app": "redgrid",
                "indexes": [
                    Index(fields=["tenant_id", "starts_at"]),
                    Index(fields=["tenant_id", "node_id"]),
                    Index(fields=["tenant_id", "assignee_username"]),
                ],
                "pk_attr": "id",
                "table_description": "A duty shift at a grid node, or at one of its service stations, for one person.",
            },
            bases=["TenantOwned"],
        ),
        ops.CreateModel(
            name="DutyTeamMember",
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
                    "team",
                    fields.ForeignKeyField(
                        "redgrid.DutyTeam",
                        source_field="team_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="members",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                (
                    "staff",
                    fields.ForeignKeyField(
                        "redgrid.SinkingStaff",
                        source_field="staff_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="team_memberships",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
            ],
            options={
                "table": "duty_team_member",
                "app": "redgrid",
                "unique_together": (("tenant", "team", "staff"),),
                "indexes": [Index(fields=["tenant_id", "staff_id"])],
                "pk_attr": "id",
                "table_description": (
                    "A staff member in a team. Its own tenant-owned table rather than a many-to-many, so the"
                ),
            },
            bases=["TenantOwned"],
        ),
        ops.CreateModel(
            name="StaffEvaluation",
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
                    "staff",
                    fields.ForeignKeyField(
                        "redgrid.SinkingStaff",
                        source_field="staff_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="evaluations",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                ("year", fields.SmallIntField()),
                ("score", fields.DecimalField(max_digits=5, decimal_places=2)),
                ("comment", fields.CharField(default="", max_length=500)),
                ("updated_at", fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={
                "table": "staff_evaluation",
                "app": "redgrid",
                "unique_together": (("tenant", "staff", "year"),),
                "pk_attr": "id",
                "table_description": (
                    "The yearly evaluation of one staff member (0 to 100), which feeds his department's own."
                ),
            },
            bases=["TenantOwned"],
        ),
        ops.CreateModel(
            name="UnitNeed",
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
                    "unit",
                    fields.ForeignKeyField(
                        "redgrid.JointUnit",
                        source_field="unit_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="needs",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                ("description", fields.CharField(max_length=500)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "unit_need",
                "app": "redgrid",
                "indexes": [Index(fields=["tenant_id", "unit_id"])],
                "pk_attr": "id",
                "table_description": "Something a unit asks the community for (需求清单).",
            },
            bases=["TenantOwned"],
        ),
        ops.CreateModel(
            name="UnitResource",
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
                    "unit",
                    fields.ForeignKeyField(
                        "redgrid.JointUnit",
                        source_field="unit_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="resources",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                ("kind", fields.CharField(max_length=20)),
                ("description", fields.CharField(max_length=500)),
                ("shareable", fields.BooleanField(default=False)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "unit_resource",
                "app": "redgrid",
                "indexes": [Index(fields=["tenant_id", "unit_id"]), Index(fields=["tenant_id", "shareable"])],
                "pk_attr": "id",
                "table_description": "Something a unit offers (venue, equipment, expertise, funds, volunteers).",
            },
            bases=["TenantOwned"],
        ),
    ]
