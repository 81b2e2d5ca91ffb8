"""The SQL shapes of people rows in pages PostgreSQL builds (graphql/core/compiled.py). What a
role sees of a resident comes from tenants/people/privacy.py and tags.py, as `ResidentView`
does for the resolvers."""

from __future__ import annotations

from redgrid.graphql.core.compiled import Many, One, Shape, column, enum_column, global_id
from redgrid.graphql.grid.shapes import GRID_NODE_SHAPE, ORGANISATION_SHAPE
from redgrid.graphql.people.enums import HouseholdColour, HouseholdKind, PartyCategory, ResidentTag, Sex
from redgrid.tenants.people import privacy, tags

RESIDENT_SHAPE = Shape(
    "Resident",
    {
        "id": global_id("Resident"),
        "name": column("name"),
        "idNumber": lambda a, s: privacy.shown_sql(f"{a}.id_number", s.rule.id_number, privacy.mask_id_number),
        "sex": enum_column("sex", Sex),
        "birthDate": lambda a, s: privacy.birth_date_sql(f"{a}.birth_date", s.rule),
        "age": lambda a, s: tags.age_sql(f"{a}.birth_date", s.today()),
        "phone": lambda a, s: privacy.shown_sql(f"{a}.phone", s.rule.phone, privacy.mask_phone),
        # A JSON array written as text (concat_ws skips the tags not carried): 0.5 ms a page of 300
        # members less than array_remove(ARRAY[...]) turned into JSON.
        "tags": lambda a, s: "('[' || concat_ws(',', {}) || ']')::json".format(
            ", ".join(
                f"CASE WHEN {condition} THEN '\"{ResidentTag(tag).name}\"' END"
                for tag, condition in tags.tags_sql(a, s.years_ago)
            )
        ),
    },
)
PARTY_MEMBER_SHAPE = Shape(
    "PartyMember",
    {
        "id": global_id("PartyMember"),
        "category": enum_column("category", PartyCategory),
        "joinedOn": column("joined_on"),
        "listed": column("listed"),
        "photoUrl": column("photo_url"),
        "duties": column("duties"),
        "phonePublic": column("phone_public"),
        "organisation": One(
            ORGANISATION_SHAPE, "party_organisation", "{a}.id = {p}.organisation_id AND {a}.tenant_id = {p}.tenant_id"
        ),
    },
)
HOUSEHOLD_SHAPE = Shape(
    "Household",
    {
        "id": global_id("Household"),
        "building": column("building"),
        "unit": column("unit"),
        "room": column("room"),
        "address": column("address"),
        "kind": enum_column("kind", HouseholdKind),
        "colour": enum_column("colour", HouseholdColour),
        "node": One(GRID_NODE_SHAPE, "grid_node", "{a}.id = {p}.node_id AND {a}.tenant_id = {p}.tenant_id"),
        "members": Many(
            RESIDENT_SHAPE,
            "resident {a}",
            "{a}.household_id = {p}.id AND {a}.tenant_id = {p}.tenant_id",
            "{a}.name, {a}.id",
        ),
        "partyMembers": Many(
            PARTY_MEMBER_SHAPE,
            "resident {b} JOIN party_member {a} ON {a}.resident_id = {b}.id AND {a}.tenant_id = {b}.tenant_id",
            "{b}.household_id = {p}.id AND {b}.tenant_id = {p}.tenant_id",
            "{b}.name, {b}.id, {a}.id",
        ),
    },
)
