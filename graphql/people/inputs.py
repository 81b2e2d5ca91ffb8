"""What clients send about people: each list's filter and order, and the mutations' inputs.
The residents, volunteer teams and volunteers are ordered by `NamedOrder`
(graphql/core/pagination.py)."""

from __future__ import annotations

from datetime import date
from enum import Enum

import strawberry
from strawberry import relay

from redgrid.graphql.core.pagination import Direction
from redgrid.graphql.people.enums import (
    ActivityKind,
    HouseholdColour,
    HouseholdKind,
    PairingKind,
    PartyCategory,
    ResidentTag,
    Sex,
    TeamKind,
)


@strawberry.input
class ResidentFilter:
    under_id: relay.GlobalID | None = strawberry.field(
        default=None, description="The subtree of this grid node, itself included."
    )
    household_id: relay.GlobalID | None = None
    tag: ResidentTag | None = None
    name_contains: str | None = None


@strawberry.enum
class HouseholdOrderField(Enum):
    ADDRESS = "address"
    CREATED_AT = "created_at"


@strawberry.input
class HouseholdOrder:
    field: HouseholdOrderField = HouseholdOrderField.ADDRESS
    direction: Direction = Direction.ASC


@strawberry.input
class HouseholdFilter:
    under_id: relay.GlobalID | None = None
    colour: HouseholdColour | None = None
    kind: HouseholdKind | None = None
    address_contains: str | None = None


@strawberry.enum
class PartyMemberOrderField(Enum):
    JOINED_ON = "joined_on"
    CREATED_AT = "created_at"


@strawberry.input
class PartyMemberOrder:
    field: PartyMemberOrderField = PartyMemberOrderField.JOINED_ON
    direction: Direction = Direction.ASC


@strawberry.input
class PartyMemberFilter:
    under_id: relay.GlobalID | None = None
    category: PartyCategory | None = None
    organisation_id: relay.GlobalID | None = None
    listed: bool | None = None
    name_contains: str | None = None


@strawberry.input
class VolunteerTeamFilter:
    kind: TeamKind | None = None
    name_contains: str | None = None


@strawberry.input
class VolunteerFilter:
    team_id: relay.GlobalID | None = None
    name_contains: str | None = None


@strawberry.enum
class PairingOrderField(Enum):
    STARTED_ON = "started_on"
    CREATED_AT = "created_at"


@strawberry.input
class PairingOrder:
    field: PairingOrderField = PairingOrderField.STARTED_ON
    direction: Direction = Direction.ASC


@strawberry.input
class PairingFilter:
    under_id: relay.GlobalID | None = None
    volunteer_id: relay.GlobalID | None = None
    kind: PairingKind | None = None
    active: bool | None = None


@strawberry.input
class CreateResidentInput:
    node_id: relay.GlobalID
    name: str
    id_number: str | None = strawberry.field(default=None, description="GB 11643; birth date and sex are read from it.")
    sex: Sex | None = None
    birth_date: date | None = None
    phone: str = ""
    household_id: relay.GlobalID | None = None
    tags: list[ResidentTag] = strawberry.field(
        default_factory=list, description="Typed tags only: the age tags are derived."
    )


@strawberry.input
class UpdateResidentInput:
    id: relay.GlobalID
    name: str | None = None
    id_number: str | None = None
    clear_id_number: bool = False
    sex: Sex | None = None
    birth_date: date | None = None
    phone: str | None = None
    tags: list[ResidentTag] | None = strawberry.field(default=None, description="Replaces the typed tags.")
    node_id: relay.GlobalID | None = None


@strawberry.input
class CreateHouseholdInput:
    node_id: relay.GlobalID
    building: str
    unit: str = ""
    room: str
    kind: HouseholdKind


@strawberry.input
class UpdateHouseholdInput:
    id: relay.GlobalID
    building: str | None = None
    unit: str | None = None
    room: str | None = None
    kind: HouseholdKind | None = None


@strawberry.input
class CreatePartyMemberInput:
    resident_id: relay.GlobalID
    organisation_id: relay.GlobalID
    category: PartyCategory
    joined_on: date


@strawberry.input
class AddCommitmentInput:
    member_id: relay.GlobalID
    content: str
    deadline: date


@strawberry.input
class AddServiceRecordInput:
    member_id: relay.GlobalID
    served_on: date
    content: str
    hours: float


@strawberry.input
class RecordAttendanceInput:
    member_id: relay.GlobalID
    title: str
    held_on: date
    kind: ActivityKind


@strawberry.input
class AddPointsInput:
    member_id: relay.GlobalID
    points: int
    reason: str


@strawberry.input
class SetListingInput:
    member_id: relay.GlobalID
    listed: bool
    photo_url: str = ""
    duties: str = ""
    phone_public: bool = strawberry.field(default=False, description="The member consents to his phone on the board.")


@strawberry.input
class CreateVolunteerTeamInput:
    name: str
    kind: TeamKind


@strawberry.input
class CreateVolunteerInput:
    team_id: relay.GlobalID
    resident_id: relay.GlobalID | None = None
    username: str | None = strawberry.field(
        default=None, description="The Keycloak username: he then sees his own pairings."
    )
    name: str | None = strawberry.field(default=None, description="Defaults to the resident's name.")


@strawberry.input
class CreatePairingInput:
    volunteer_id: relay.GlobalID
    resident_id: relay.GlobalID
    kind: PairingKind
