"""The people registers (台账): residents and households, party members with their four cards
and points, volunteer teams, volunteers and their pairings with elderly people living alone.

Every row hangs off a grid node, directly or through the resident it is about, so the grid
scope of tenants/scope.py applies to all of it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from tortoise import fields

from redgrid.platform.models import Account, TenantOwned

if TYPE_CHECKING:
    from redgrid.tenants.grid.models import GridNode, PartyOrganisation

# Typed tags are boolean columns (one per word of the fixed vocabulary): filtering on them and
# deriving a household's colour stay plain indexed SQL. over_60 / over_80 are never stored.
TYPED_TAGS = ("living_alone", "disabled", "low_income", "hardship", "left_behind_child", "floating")
SEXES = ("male", "female")
HOUSEHOLD_KINDS = ("owned", "rental", "vacant")
COLOURS = ("red", "blue", "yellow", "none")  # 分级分色: party member / hardship / rental or vacant
PARTY_CATEGORIES = ("in_service", "resident", "retired", "floating", "laid_off")
ACTIVITY_KINDS = ("theme_party_day", "volunteer_action", "study", "meeting")
TEAM_KINDS = ("mediation", "legal", "culture_sport", "elderly_care", "patrol")
PAIRING_KINDS = ("love_doorbell", "knock_daily")


class Household(TenantOwned):
    """A dwelling and who lives in it.

    `colour` is derived (tenants/people/colour.py writes it in the same transaction as every
    change that can move it) and stored so the map and filters read it as a plain column.
    `address` is the three parts joined, kept for ordering and searching.
    """

    district_readable: ClassVar[bool] = True

    id = fields.BigIntField(primary_key=True)
    node: fields.ForeignKeyRelation[GridNode] = fields.ForeignKeyField(
        "redgrid.GridNode", related_name="households", on_delete=fields.RESTRICT
    )
    building = fields.CharField(max_length=50)
    unit = fields.CharField(max_length=50, default="")
    room = fields.CharField(max_length=50)
    address = fields.CharField(max_length=160)
    kind = fields.CharField(max_length=10)
    colour = fields.CharField(max_length=10, default="none")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "household"
        unique_together = (("tenant", "node", "building", "unit", "room"),)
        indexes = (("tenant_id", "node_id"), ("tenant_id", "colour"), ("tenant_id", "address"))


class Resident(TenantOwned):
    """A person registered in the tenant. The ID-card number is optional but unique per tenant
    among residents not held for review, and when given, birth date and sex come from it.

    A resident registered from a grid that does not cover the one already registered with his
    number is written all the same, `held_of` that one, for a tenant-wide secretary to resolve:
    refusing him would tell the caller the number is registered elsewhere in the street
    (tenants/people/conflicts.py). The number's uniqueness is a partial unique index over the
    residents not held (migration 0010), which Tortoise's options cannot state."""

    district_readable: ClassVar[bool] = True

    id = fields.BigIntField(primary_key=True)
    node: fields.ForeignKeyRelation[GridNode] = fields.ForeignKeyField(
        "redgrid.GridNode", related_name="residents", on_delete=fields.RESTRICT
    )
    household: fields.ForeignKeyNullableRelation[Household] = fields.ForeignKeyField(
        "redgrid.Household", related_name="members", null=True, on_delete=fields.RESTRICT
    )
    name = fields.CharField(max_length=100)
    id_number = fields.CharField(max_length=18, null=True)
    sex = fields.CharField(max_length=6, null=True)
    birth_date = fields.DateField(null=True)
    phone = fields.CharField(max_length=20, default="")
    held_of: fields.ForeignKeyNullableRelation[Resident] = fields.ForeignKeyField(
        "redgrid.Resident", related_name="held_duplicates", null=True, on_delete=fields.RESTRICT
    )
    living_alone = fields.BooleanField(default=False)
    disabled = fields.BooleanField(default=False)
    low_income = fields.BooleanField(default=False)
    hardship = fields.BooleanField(default=False)
    left_behind_child = fields.BooleanField(default=False)
    floating = fields.BooleanField(default=False)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "resident"
        indexes = (("tenant_id", "node_id"), ("tenant_id", "household_id"), ("tenant_id", "name"))


class PartyMember(TenantOwned):
    """A resident's party membership: the information card, and the public listing (亮身份)
    shown on the building's board."""

    district_readable: ClassVar[bool] = True

    id = fields.BigIntField(primary_key=True)
    resident: fields.OneToOneRelation[Resident] = fields.OneToOneField(
        "redgrid.Resident", related_name="party_member", on_delete=fields.RESTRICT
    )
    organisation: fields.ForeignKeyRelation[PartyOrganisation] = fields.ForeignKeyField(
        "redgrid.PartyOrganisation", related_name="members", on_delete=fields.RESTRICT
    )
    category = fields.CharField(max_length=12)
    joined_on = fields.DateField()
    listed = fields.BooleanField(default=False)
    photo_url = fields.CharField(max_length=500, default="")
    duties = fields.CharField(max_length=300, default="")
    phone_public = fields.BooleanField(default=False)  # the member consents to his phone on the board
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "party_member"
        indexes = (("tenant_id", "organisation_id"),)


class Commitment(TenantOwned):
    """A public commitment (承诺): what the member promises, by when, and who checked it."""

    id = fields.BigIntField(primary_key=True)
    member: fields.ForeignKeyRelation[PartyMember] = fields.ForeignKeyField(
        "redgrid.PartyMember", related_name="commitments", on_delete=fields.RESTRICT
    )
    content = fields.CharField(max_length=500)
    deadline = fields.DateField()
    verified_by = fields.CharField(max_length=128, default="")
    verified_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "party_commitment"
        indexes = (("tenant_id", "member_id"),)


class ServiceRecord(TenantOwned):
    """A line of the service card: a day's service and its hours."""

    id = fields.BigIntField(primary_key=True)
    member: fields.ForeignKeyRelation[PartyMember] = fields.ForeignKeyField(
        "redgrid.PartyMember", related_name="service_records", on_delete=fields.RESTRICT
    )
    served_on = fields.DateField()
    content = fields.CharField(max_length=500)
    hours = fields.DecimalField(max_digits=5, decimal_places=1)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "party_service_record"
        indexes = (("tenant_id", "member_id"),)


class Attendance(TenantOwned):
    """A line of the activity card: an activity the member attended (e.g. a theme party day)."""

    id = fields.BigIntField(primary_key=True)
    member: fields.ForeignKeyRelation[PartyMember] = fields.ForeignKeyField(
        "redgrid.PartyMember", related_name="attendances", on_delete=fields.RESTRICT
    )
    title = fields.CharField(max_length=200)
    held_on = fields.DateField()
    kind = fields.CharField(max_length=20)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "party_attendance"
        unique_together = (("tenant", "member", "title", "held_on"),)


class PointsEntry(TenantOwned):
    """A line of the points ledger (积分). The balance is the sum, so it is never out of step."""

    id = fields.BigIntField(primary_key=True)
    member: fields.ForeignKeyRelation[PartyMember] = fields.ForeignKeyField(
        "redgrid.PartyMember", related_name="points", on_delete=fields.RESTRICT
    )
    points = fields.IntField()
    reason = fields.CharField(max_length=200)
    recorded_by = fields.CharField(max_length=128)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "party_points_entry"
        indexes = (("tenant_id", "member_id"),)


class VolunteerTeam(TenantOwned):
    """A volunteer team of the street (mediation, legal advice, culture and sport, elderly care,
    patrol). Teams serve the whole tenant, so they carry no grid node."""

    id = fields.BigIntField(primary_key=True)
    name = fields.CharField(max_length=200)
    kind = fields.CharField(max_length=20)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "volunteer_team"
        unique_together = (("tenant", "name"),)


class Volunteer(TenantOwned):
    """A member of a team: a registered resident, a Keycloak user (who then sees his own
    pairings), or both. `account` links him to his account (a secretary sets it,
    tenants/workers/links.py); while linked, `username` is the account's."""

    id = fields.BigIntField(primary_key=True)
    team: fields.ForeignKeyRelation[VolunteerTeam] = fields.ForeignKeyField(
        "redgrid.VolunteerTeam", related_name="volunteers", on_delete=fields.RESTRICT
    )
    resident: fields.ForeignKeyNullableRelation[Resident] = fields.ForeignKeyField(
        "redgrid.Resident", related_name="volunteering", null=True, on_delete=fields.RESTRICT
    )
    username = fields.CharField(max_length=128, null=True)
    account: fields.ForeignKeyNullableRelation[Account] = fields.ForeignKeyField(
        "redgrid.Account", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    name = fields.CharField(max_length=100)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "volunteer"
        unique_together = (("tenant", "username"), ("tenant", "team", "resident"), ("tenant", "account"))


class Pairing(TenantOwned):
    """A volunteer looking after an elderly resident living alone: a "love doorbell" (爱心门铃)
    or a daily knock (每日敲门). Ended, never deleted, so the history stays."""

    id = fields.BigIntField(primary_key=True)
    volunteer: fields.ForeignKeyRelation[Volunteer] = fields.ForeignKeyField(
        "redgrid.Volunteer", related_name="pairings", on_delete=fields.RESTRICT
    )
    resident: fields.ForeignKeyRelation[Resident] = fields.ForeignKeyField(
        "redgrid.Resident", related_name="pairings", on_delete=fields.RESTRICT
    )
    kind = fields.CharField(max_length=15)
    active = fields.BooleanField(default=True)
    started_on = fields.DateField()
    ended_on = fields.DateField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "pairing"
        indexes = (("tenant_id", "volunteer_id"), ("tenant_id", "resident_id"))
