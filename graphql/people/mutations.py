"""Editing the people registers. The rules are in tenants/people/ (service.py, party.py,
volunteers.py, conflicts.py); a refusal reaches the payload's errors through `mutation`."""

from __future__ import annotations

from decimal import Decimal

import strawberry
from strawberry import relay

from redgrid.graphql.core.context import GraphQLContext
from redgrid.graphql.core.ids import db_id, optional_db_id
from redgrid.graphql.core.payloads import mutation
from redgrid.graphql.core.ratelimits import GuessingLimit
from redgrid.graphql.people.enums import ConflictResolution
from redgrid.graphql.people.inputs import (
    AddCommitmentInput,
    AddPointsInput,
    AddServiceRecordInput,
    CreateHouseholdInput,
    CreatePairingInput,
    CreatePartyMemberInput,
    CreateResidentInput,
    CreateVolunteerInput,
    CreateVolunteerTeamInput,
    RecordAttendanceInput,
    SetListingInput,
    UpdateHouseholdInput,
    UpdateResidentInput,
)
from redgrid.graphql.people.payloads import (
    CommitmentPayload,
    HouseholdPayload,
    PairingPayload,
    PartyMemberPayload,
    ResidentPayload,
    VolunteerPayload,
    VolunteerTeamPayload,
)
from redgrid.graphql.people.types import (
    Commitment,
    Household,
    Pairing,
    PartyMember,
    Volunteer,
    VolunteerTeam,
    shown_residents,
)
from redgrid.tenants.people import conflicts, party, volunteers
from redgrid.tenants.people import service as people
from redgrid.tenants.people.models import Resident as ResidentRow

Info = strawberry.Info[GraphQLContext, None]


def _person(i: CreateResidentInput | UpdateResidentInput) -> people.Person:
    return people.Person(
        name=i.name,
        id_number=i.id_number,
        sex=i.sex.value if i.sex else None,
        birth_date=i.birth_date,
        phone=i.phone,
        tags=None if i.tags is None else [t.value for t in i.tags],
    )


def _resident_payload(info: Info, row: ResidentRow) -> ResidentPayload:
    return ResidentPayload(resident=shown_residents(info)(row))


async def _member_payload(info: Info, member_id: int) -> PartyMemberPayload:
    """The member after a line was added to one of his cards."""
    member = await party.member_by_id(info.context.ctx, member_id)
    return PartyMemberPayload(party_member=PartyMember.from_model(member) if member else None)


@strawberry.type
class PeopleMutation:
    @mutation(description="Register a resident in a grid node of the caller's grid.", extensions=[GuessingLimit()])
    async def create_resident(self, info: Info, input: CreateResidentInput) -> ResidentPayload:
        row = await people.create_resident(
            info.context.ctx,
            node_id=db_id(input.node_id, "GridNode", "nodeId"),
            person=_person(input),
            household_id=optional_db_id(input.household_id, "Household", "householdId"),
        )
        return _resident_payload(info, row)

    @mutation(
        description="Change what is given; a moved resident must have left his household.", extensions=[GuessingLimit()]
    )
    async def update_resident(self, info: Info, input: UpdateResidentInput) -> ResidentPayload:
        row = await people.update_resident(
            info.context.ctx,
            db_id(input.id, "Resident"),
            person=_person(input),
            clear_id_number=input.clear_id_number,
            node_id=optional_db_id(input.node_id, "GridNode", "nodeId"),
        )
        return _resident_payload(info, row)

    @mutation()
    async def create_household(self, info: Info, input: CreateHouseholdInput) -> HouseholdPayload:
        row = await people.create_household(
            info.context.ctx,
            node_id=db_id(input.node_id, "GridNode", "nodeId"),
            building=input.building,
            unit=input.unit,
            room=input.room,
            kind=input.kind.value,
        )
        return HouseholdPayload(household=Household.from_model(row))

    @mutation(description="Change the address or the kind (the colour follows).")
    async def update_household(self, info: Info, input: UpdateHouseholdInput) -> HouseholdPayload:
        row = await people.update_household(
            info.context.ctx,
            db_id(input.id, "Household"),
            building=input.building,
            unit=input.unit,
            room=input.room,
            kind=input.kind.value if input.kind else None,
        )
        return HouseholdPayload(household=Household.from_model(row))

    @mutation(description="The resident joins the household (leaving any other) and moves to its grid node.")
    async def add_household_member(
        self, info: Info, household_id: relay.GlobalID, resident_id: relay.GlobalID
    ) -> HouseholdPayload:
        row = await people.add_member(
            info.context.ctx,
            db_id(household_id, "Household", "householdId"),
            db_id(resident_id, "Resident", "residentId"),
        )
        return HouseholdPayload(household=Household.from_model(row))

    @mutation(description="The resident leaves his household; the payload is the household he left.")
    async def remove_household_member(self, info: Info, resident_id: relay.GlobalID) -> HouseholdPayload:
        row = await people.remove_member(info.context.ctx, db_id(resident_id, "Resident", "residentId"))
        return HouseholdPayload(household=Household.from_model(row))

    @mutation(
        description="Secretaries and grid heads: register a resident as a party member.", extensions=[GuessingLimit()]
    )
    async def create_party_member(self, info: Info, input: CreatePartyMemberInput) -> PartyMemberPayload:
        row = await party.create_member(
            info.context.ctx,
            resident_id=db_id(input.resident_id, "Resident", "residentId"),
            organisation_id=db_id(input.organisation_id, "PartyOrganisation", "organisationId"),
            category=input.category.value,
            joined_on=input.joined_on,
        )
        return PartyMemberPayload(party_member=PartyMember.from_model(row))

    @mutation()
    async def add_commitment(self, info: Info, input: AddCommitmentInput) -> CommitmentPayload:
        row = await party.add_commitment(
            info.context.ctx,
            db_id(input.member_id, "PartyMember", "memberId"),
            content=input.content,
            deadline=input.deadline,
        )
        return CommitmentPayload(commitment=Commitment.from_model(row))

    @mutation(description="Mark a commitment kept, by the caller, now.")
    async def verify_commitment(self, info: Info, id: relay.GlobalID) -> CommitmentPayload:
        row = await party.verify_commitment(info.context.ctx, db_id(id, "Commitment"))
        return CommitmentPayload(commitment=Commitment.from_model(row))

    @mutation()
    async def add_service_record(self, info: Info, input: AddServiceRecordInput) -> PartyMemberPayload:
        member_id = db_id(input.member_id, "PartyMember", "memberId")
        await party.add_service_record(
            info.context.ctx,
            member_id,
            served_on=input.served_on,
            content=input.content,
            hours=Decimal(str(input.hours)),
        )
        return await _member_payload(info, member_id)

    @mutation(description="A line on the activity card; the activity's points go to the ledger.")
    async def record_attendance(self, info: Info, input: RecordAttendanceInput) -> PartyMemberPayload:
        member_id = db_id(input.member_id, "PartyMember", "memberId")
        await party.record_attendance(
            info.context.ctx, member_id, title=input.title, held_on=input.held_on, kind=input.kind.value
        )
        return await _member_payload(info, member_id)

    @mutation()
    async def add_points(self, info: Info, input: AddPointsInput) -> PartyMemberPayload:
        member_id = db_id(input.member_id, "PartyMember", "memberId")
        await party.add_points(info.context.ctx, member_id, points=input.points, reason=input.reason)
        return await _member_payload(info, member_id)

    @mutation(description="Put a member on his building's board (亮身份), or take him off.")
    async def set_listing(self, info: Info, input: SetListingInput) -> PartyMemberPayload:
        row = await party.set_listing(
            info.context.ctx,
            db_id(input.member_id, "PartyMember", "memberId"),
            listed=input.listed,
            photo_url=input.photo_url,
            duties=input.duties,
            phone_public=input.phone_public,
        )
        return PartyMemberPayload(party_member=PartyMember.from_model(row))

    @mutation(description="Secretaries: a volunteer team of the street.")
    async def create_volunteer_team(self, info: Info, input: CreateVolunteerTeamInput) -> VolunteerTeamPayload:
        row = await volunteers.create_team(info.context.ctx, name=input.name, kind=input.kind.value)
        return VolunteerTeamPayload(team=VolunteerTeam.from_model(row))

    @mutation()
    async def create_volunteer(self, info: Info, input: CreateVolunteerInput) -> VolunteerPayload:
        row = await volunteers.create_volunteer(
            info.context.ctx,
            team_id=db_id(input.team_id, "VolunteerTeam", "teamId"),
            resident_id=optional_db_id(input.resident_id, "Resident", "residentId"),
            username=input.username,
            name=input.name,
        )
        return VolunteerPayload(volunteer=Volunteer.from_model(row))

    @mutation(description="Pair a volunteer with a resident over 60 living alone.")
    async def create_pairing(self, info: Info, input: CreatePairingInput) -> PairingPayload:
        row = await volunteers.create_pairing(
            info.context.ctx,
            volunteer_id=db_id(input.volunteer_id, "Volunteer", "volunteerId"),
            resident_id=db_id(input.resident_id, "Resident", "residentId"),
            kind=input.kind.value,
        )
        return PairingPayload(pairing=Pairing.from_model(row))

    @mutation()
    async def end_pairing(self, info: Info, id: relay.GlobalID) -> PairingPayload:
        row = await volunteers.end_pairing(info.context.ctx, db_id(id, "Pairing"))
        return PairingPayload(pairing=Pairing.from_model(row))

    @mutation(
        description="Secretaries of the whole street: resolve a held registration (residentConflicts). "
        "DISMISS removes the held resident, MOVE moves the registered one to his place and removes him; "
        "either answers the registered resident."
    )
    async def resolve_resident_conflict(
        self,
        info: Info,
        resident_id: relay.GlobalID,
        resolution: ConflictResolution,
    ) -> ResidentPayload:
        resolve = conflicts.dismiss if resolution is ConflictResolution.DISMISS else conflicts.accept
        return _resident_payload(info, await resolve(info.context.ctx, db_id(resident_id, "Resident", "residentId")))
