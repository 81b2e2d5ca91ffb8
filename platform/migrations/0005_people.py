from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.indexes import Index
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [("redgrid", "0004_cases")]

    initial = False

    operations = [
        ops.CreateModel(
            name="Household",
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
                        related_name="households",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                ("building", fields.CharField(max_length=50)),
                ("unit", fields.CharField(default="", max_length=50)),
                ("room", fields.CharField(max_length=50)),
                ("address", fields.CharField(max_length=160)),
                ("kind", fields.CharField(max_length=10)),
                ("colour", fields.CharField(default="none", max_length=10)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "household",
                "app": "redgrid",
                "unique_together": (("tenant", "node", "building", "unit", "room"),),
                "indexes": [
                    Index(fields=["tenant_id", "node_id"]),
                    Index(fields=["tenant_id", "colour"]),
                    Index(fields=["tenant_id", "address"]),
                ],
                "pk_attr": "id",
                "table_description": "A dwelling and who lives in it.",
            },
            bases=["TenantOwned"],
        ),
        ops.CreateModel(
            name="Resident",
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
                        related_name="residents",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                (
                    "household",
                    fields.ForeignKeyField(
                        "redgrid.Household",
                        source_field="household_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="members",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                ("name", fields.CharField(max_length=100)),
                ("id_number", fields.CharField(null=True, max_length=18)),
                ("sex", fields.CharField(null=True, max_length=6)),
                ("birth_date", fields.DateField(null=True)),
                ("phone", fields.CharField(default="", max_length=20)),
                ("living_alone", fields.BooleanField(default=False)),
                ("disabled", fields.BooleanField(default=False)),
                ("low_income", fields.BooleanField(default=False)),
                ("hardship", fields.BooleanField(default=False)),
                ("left_behind_child", fields.BooleanField(default=False)),
                ("floating", fields.BooleanField(default=False)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "resident",
                "app": "redgrid",
                "unique_together": (("tenant", "id_number"),),
                "indexes": [
                    Index(fields=["tenant_id", "node_id"]),
                    Index(fields=["tenant_id", "household_id"]),
                    Index(fields=["tenant_id", "name"]),
                ],
                "pk_attr": "id",
                "table_description": (
                    "A person registered in the tenant. The ID-card number is optional but unique per tenant,"
                ),
            },
            bases=["TenantOwned"],
        ),
        ops.CreateModel(
            name="PartyMember",
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
                    "resident",
                    fields.OneToOneField(
                        "redgrid.Resident",
                        source_field="resident_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="party_member",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                (
                    "organisation",
                    fields.ForeignKeyField(
                        "redgrid.PartyOrganisation",
                        source_field="organisation_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="members",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                ("category", fields.CharField(max_length=12)),
                ("joined_on", fields.DateField()),
                ("listed", fields.BooleanField(default=False)),
                ("photo_url", fields.CharField(default="", max_length=500)),
                ("duties", fields.CharField(default="", max_length=300)),
                ("phone_public", fields.BooleanField(default=False)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "party_member",
                "app": "redgrid",
                "indexes": [Index(fields=["tenant_id", "organisation_id"])],
                "pk_attr": "id",
                "table_description": (
                    "A resident's party membership: the information card, and the public listing (亮身份)"
                ),
            },
            bases=["TenantOwned"],
        ),
        ops.CreateModel(
            name="Attendance",
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
                    "member",
                    fields.ForeignKeyField(
                        "redgrid.PartyMember",
                        source_field="member_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="attendances",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                ("title", fields.CharField(max_length=200)),
                ("held_on", fields.DateField()),
                ("kind", fields.CharField(max_length=20)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "party_attendance",
                "app": "redgrid",
                "unique_together": (("tenant", "member", "title", "held_on"),),
                "pk_attr": "id",
                "table_description": (
                    "A line of the activity card: an activity the member attended (e.g. a theme party day)."
                ),
            },
            bases=["TenantOwned"],
        ),
        ops.CreateModel(
            name="Commitment",
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
                    "member",
                    fields.ForeignKeyField(
                        "redgrid.PartyMember",
                        source_field="member_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="commitments",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                ("content", fields.CharField(max_length=500)),
                ("deadline", fields.DateField()),
                ("verified_by", fields.CharField(default="", max_length=128)),
                ("verified_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "party_commitment",
                "app": "redgrid",
                "indexes": [Index(fields=["tenant_id", "member_id"])],
                "pk_attr": "id",
                "table_description": (
                    "A public commitment (承诺): what the member promises, by when, and who checked it."
                ),
            },
            bases=["TenantOwned"],
        ),
        ops.CreateModel(
            name="PointsEntry",
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
                    "member",
                    fields.ForeignKeyField(
                        "redgrid.PartyMember",
                        source_field="member_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="points",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                ("points", fields.IntField()),
                ("reason", fields.CharField(max_length=200)),
                ("recorded_by", fields.CharField(max_length=128)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "party_points_entry",
                "app": "redgrid",
                "indexes": [Index(fields=["tenant_id", "member_id"])],
                "pk_attr": "id",
                "table_description": (
                    "A line of the points ledger (积分). The balance is the sum, so it is never out of step."
                ),
            },
            bases=["TenantOwned"],
        ),
        ops.CreateModel(
            name="ServiceRecord",
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
                    "member",
                    fields.ForeignKeyField(
                        "redgrid.PartyMember",
                        source_field="member_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="service_records",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                ("served_on", fields.DateField()),
                ("content", fields.CharField(max_length=500)),
                ("hours", fields.DecimalField(max_digits=5, decimal_places=1)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "party_service_record",
                "app": "redgrid",
                "indexes": [Index(fields=["tenant_id", "member_id"])],
                "pk_attr": "id",
                "table_description": "A line of the service card: a day's service and its hours.",
            },
            bases=["TenantOwned"],
        ),
        ops.CreateModel(
            name="VolunteerTeam",
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
                "table": "volunteer_team",
                "app": "redgrid",
                "unique_together": (("tenant", "name"),),
                "pk_attr": "id",
                "table_description": (
                    "A volunteer team of the street (mediation, legal advice, culture and sport, elderly care,"
                ),
            },
            bases=["TenantOwned"],
        ),
        ops.CreateModel(
            name="Volunteer",
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
                        "redgrid.VolunteerTeam",
                        source_field="team_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="volunteers",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                (
                    "resident",
                    fields.ForeignKeyField(
                        "redgrid.Resident",
                        source_field="resident_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="volunteering",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                ("username", fields.CharField(null=True, max_length=128)),
                ("name", fields.CharField(max_length=100)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "volunteer",
                "app": "redgrid",
                "unique_together": (("tenant", "username"), ("tenant", "team", "resident")),
                "pk_attr": "id",
                "table_description": (
                    "A member of a team: a registered resident, a Keycloak user (who then sees his own"
                ),
            },
            bases=["TenantOwned"],
        ),
        ops.CreateModel(
            name="Pairing",
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
                    "volunteer",
                    fields.ForeignKeyField(
                        "redgrid.Volunteer",
                        source_field="volunteer_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="pairings",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                (
                    "resident",
                    fields.ForeignKeyField(
                        "redgrid.Resident",
                        source_field="resident_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="pairings",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                ("kind", fields.CharField(max_length=15)),
                ("active", fields.BooleanField(default=True)),
                ("started_on", fields.DateField()),
                ("ended_on", fields.DateField(null=True)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "pairing",
                "app": "redgrid",
                "indexes": [Index(fields=["tenant_id", "volunteer_id"]), Index(fields=["tenant_id", "resident_id"])],
                "pk_attr": "id",
                "table_description": (
                    'A volunteer looking after an elderly resident living alone: a "love doorbell" (爱心门铃)'
                ),
            },
            bases=["TenantOwned"],
        ),
    ]
