"""Keeping departments, staff, duty teams and the roster. Each resolver reads the ids, calls
tenants/staff/ and shows the row written; a refusal is the payload's errors (core/payloads.py)."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Protocol

import strawberry
from strawberry import relay

from redgrid.graphql.core.context import GraphQLContext
from redgrid.graphql.core.ids import db_id, optional_db_id
from redgrid.graphql.core.payloads import mutation
from redgrid.graphql.staff.inputs import (
    ChangeDutyShiftInput,
    CreateDutyShiftInput,
    CreateDutyTeamInput,
    DepartmentInput,
    SetStaffEvaluationInput,
    ShiftMarkInput,
    SinkingStaffInput,
    UpdateDepartmentInput,
    UpdateSinkingStaffInput,
)
from redgrid.graphql.staff.payloads import DepartmentPayload, DutyShiftPayload, DutyTeamPayload, SinkingStaffPayload
from redgrid.graphql.staff.types import Department, DutyShift, DutyTeam, SinkingStaff
from redgrid.platform.context import RequestContext
from redgrid.tenants.staff import models, roster
from redgrid.tenants.staff import service as staff

Info = strawberry.Info[GraphQLContext, None]


class ShiftMarking(Protocol):
    """roster.check_in or roster.check_out."""

    def __call__(
        self, ctx: RequestContext, shift_id: int, *, latitude: float | None = None, longitude: float | None = None
    ) -> Awaitable[models.DutyShift]: ...


async def _department(
    info: Info, input: DepartmentInput | UpdateDepartmentInput, department_id: int | None
) -> DepartmentPayload:
    row = await staff.save_department(
        info.context.ctx, name=input.name, kind=input.kind.value, department_id=department_id
    )
    return DepartmentPayload(department=Department.from_model(row))


async def _staff(
    info: Info, input: SinkingStaffInput | UpdateSinkingStaffInput, staff_id: int | None
) -> SinkingStaffPayload:
    row = await staff.save_staff(
        info.context.ctx,
        name=input.name,
        phone=input.phone,
        username=input.username,
        department_id=db_id(input.department_id, "Department", "departmentId"),
        node_id=db_id(input.node_id, "GridNode", "nodeId"),
        staff_id=staff_id,
    )
    return await _shown_staff(info, row.id)


async def _shown_staff(info: Info, staff_id: int) -> SinkingStaffPayload:
    """The staff member as the caller may see him, read again after the write."""
    found = await staff.staff_by_id(info.context.ctx, staff_id)
    return SinkingStaffPayload(staff=SinkingStaff.shown_to(info)(found) if found else None)


async def _membership(
    info: Info, team_id: relay.GlobalID, staff_id: relay.GlobalID, *, member: bool
) -> DutyTeamPayload:
    row = await staff.set_team_member(
        info.context.ctx,
        team_id=db_id(team_id, "DutyTeam", "teamId"),
        staff_id=db_id(staff_id, "SinkingStaff", "staffId"),
        member=member,
    )
    return DutyTeamPayload(team=DutyTeam.from_model(row))


async def _mark(info: Info, input: ShiftMarkInput, marking: ShiftMarking) -> DutyShiftPayload:
    """Check in or out (`marking`) of the shift the input names, where the input says."""
    row = await marking(
        info.context.ctx,
        db_id(input.shift_id, "DutyShift", "shiftId"),
        latitude=input.latitude,
        longitude=input.longitude,
    )
    return DutyShiftPayload(shift=DutyShift.from_model(row))


@strawberry.type
class StaffMutation:
    @mutation(description="Tenant-wide secretaries: add a line department.")
    async def create_department(self, info: Info, input: DepartmentInput) -> DepartmentPayload:
        return await _department(info, input, None)

    @mutation(description="Tenant-wide secretaries: rename a department or change its kind.")
    async def update_department(self, info: Info, input: UpdateDepartmentInput) -> DepartmentPayload:
        return await _department(info, input, db_id(input.id, "Department"))

    @mutation(description="Secretaries and grid heads: register a department's staff member at a node of their grid.")
    async def create_sinking_staff(self, info: Info, input: SinkingStaffInput) -> SinkingStaffPayload:
        return await _staff(info, input, None)

    @mutation(description="Change a staff member, or send him to another node; the caller's grid covers both.")
    async def update_sinking_staff(self, info: Info, input: UpdateSinkingStaffInput) -> SinkingStaffPayload:
        return await _staff(info, input, db_id(input.id, "SinkingStaff"))

    @mutation(description="Tenant-wide secretaries: a staff member's evaluation for a year (set again to correct).")
    async def set_staff_evaluation(self, info: Info, input: SetStaffEvaluationInput) -> SinkingStaffPayload:
        staff_id = db_id(input.staff_id, "SinkingStaff", "staffId")
        await staff.set_evaluation(
            info.context.ctx, staff_id=staff_id, year=input.year, score=str(input.score), comment=input.comment
        )
        return await _shown_staff(info, staff_id)

    @mutation(description="Secretaries and grid heads: a joint duty team at a node of their grid.")
    async def create_duty_team(self, info: Info, input: CreateDutyTeamInput) -> DutyTeamPayload:
        row = await staff.create_team(
            info.context.ctx, node_id=db_id(input.node_id, "GridNode", "nodeId"), name=input.name
        )
        return DutyTeamPayload(team=DutyTeam.from_model(row))

    @mutation(
        description="Add a staff member serving the team's node (on it, above or below it); twice changes nothing."
    )
    async def add_duty_team_member(
        self, info: Info, team_id: relay.GlobalID, staff_id: relay.GlobalID
    ) -> DutyTeamPayload:
        return await _membership(info, team_id, staff_id, member=True)

    @mutation()
    async def remove_duty_team_member(
        self, info: Info, team_id: relay.GlobalID, staff_id: relay.GlobalID
    ) -> DutyTeamPayload:
        return await _membership(info, team_id, staff_id, member=False)

    @mutation(
        description="Secretaries and grid heads: a shift at a node of their grid; "
        "one person holds no two shifts at once."
    )
    async def create_duty_shift(self, info: Info, input: CreateDutyShiftInput) -> DutyShiftPayload:
        row = await roster.create_shift(
            info.context.ctx,
            node_id=db_id(input.node_id, "GridNode", "nodeId"),
            station_id=optional_db_id(input.station_id, "ServiceStation", "stationId"),
            staff_id=optional_db_id(input.staff_id, "SinkingStaff", "staffId"),
            username=input.username,
            starts_at=input.starts_at,
            ends_at=input.ends_at,
        )
        return DutyShiftPayload(shift=DutyShift.from_model(row))

    @mutation(description="Change what is given of a shift nobody has checked in to yet.")
    async def change_duty_shift(self, info: Info, input: ChangeDutyShiftInput) -> DutyShiftPayload:
        row = await roster.change_shift(
            info.context.ctx,
            db_id(input.id, "DutyShift"),
            node_id=optional_db_id(input.node_id, "GridNode", "nodeId"),
            station_id=optional_db_id(input.station_id, "ServiceStation", "stationId"),
            clear_station=input.clear_station,
            staff_id=optional_db_id(input.staff_id, "SinkingStaff", "staffId"),
            username=input.username,
            starts_at=input.starts_at,
            ends_at=input.ends_at,
        )
        return DutyShiftPayload(shift=DutyShift.from_model(row))

    @mutation(description="Cancel a shift nobody has checked in to yet; it frees its time.")
    async def cancel_duty_shift(self, info: Info, id: relay.GlobalID) -> DutyShiftPayload:
        row = await roster.cancel_shift(info.context.ctx, db_id(id, "DutyShift"))
        return DutyShiftPayload(shift=DutyShift.from_model(row))

    @mutation(description="The person on the shift checks in, now (from an hour before it starts), once.")
    async def check_in(self, info: Info, input: ShiftMarkInput) -> DutyShiftPayload:
        return await _mark(info, input, roster.check_in)

    @mutation(description="The person on the shift checks out, now, after checking in, once.")
    async def check_out(self, info: Info, input: ShiftMarkInput) -> DutyShiftPayload:
        return await _mark(info, input, roster.check_out)
