"""What the people mutations answer: their result, or (from `Payload`) why they did not apply."""

from __future__ import annotations

import strawberry

from redgrid.graphql.core.payloads import Payload
from redgrid.graphql.people.types import Commitment, Household, Pairing, PartyMember, Resident, Volunteer, VolunteerTeam


@strawberry.type
class ResidentPayload(Payload):
    resident: Resident | None = None


@strawberry.type
class HouseholdPayload(Payload):
    household: Household | None = None


@strawberry.type
class PartyMemberPayload(Payload):
    party_member: PartyMember | None = None


@strawberry.type
class CommitmentPayload(Payload):
    commitment: Commitment | None = None


@strawberry.type
class VolunteerTeamPayload(Payload):
    team: VolunteerTeam | None = None


@strawberry.type
class VolunteerPayload(Payload):
    volunteer: Volunteer | None = None


@strawberry.type
class PairingPayload(Payload):
    pairing: Pairing | None = None
