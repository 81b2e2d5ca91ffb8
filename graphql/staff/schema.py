"""GraphQL for departments, sinking staff, joint duty teams and the duty roster.

A staff member reaches a client only as the `StaffView` tenants/staff/service.py makes for the
caller (the phone full, masked or hidden by role).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from enum import Enum

import strawberry
from strawberry import relay

from redgrid.graphql.core.context import GraphQLContext
from redgrid.graphql.grid.schema import GridNode, ServiceStation, in_subtree
from redgrid.graphql.core.ids import DbNode, db_id, optional_db_id
from redgrid.graphql.core.pagination import Connection, Direction, NamedOrder, Ordering, ordering, paginate
from redgrid.graphql.core.payloads import UserError, user_errors
from redgrid.platform.errors import InvalidInput
from redgrid.tenants.grid import models as grid_models
from redgrid.tenants.staff import models, roster
from redgrid.tenants.staff import service as staff
from redgrid.tenants.staff.service import StaffView

Info = strawberry.Info[GraphQLContext, None]


@strawberry.enum
class DepartmentKind(Enum):
    POLICE = "police"
    URBAN_MANAGEMENT = "urban_management"
    MARKET_SUPERVISION = "market_supervision"
    JUDICIAL = "judicial"
    OTHER = "other"


@strawberry.enum(description="Where a shift stands, from its times and check-in/out.")
class ShiftState(Enum):
    PLANNED = "planned"
    ON_DUTY = "on_duty"
    DONE = "done"
    CANCELLED = "cancelled"


def _viewer(info: Info) -> Callable[[models.SinkingStaff], StaffView]:
    return staff.viewer(info.context.ctx)


@strawberry.type(description="A line department that sends staff down to the grids (派出所, 城管, 市场监管所, 司法所).")
class Department(DbNode):
    db_id: strawberry.Private[int]
    name: str
    kind: DepartmentKind
    created_at: datetime

    @classmethod
    def from_model(cls, m: models.Department) -> "Department":
        return cls(db_id=m.id, name=m.name, kind=DepartmentKind(m.kind), created_at=m.created_at)


@strawberry.type(description="A yearly evaluation, 0 to 100.")
class StaffEvaluation:
    year: int
    score: float
    comment: str
    updated_at: datetime


@strawberry.type(description="A department's staff member sent down to a grid node (下沉人员).")
class SinkingStaff(DbNode):
    db_id: strawberry.Private[int]
    department_db_id: strawberry.Private[int]
    node_db_id: strawberry.Private[int]
    name: str
    phone: str | None = strawberry.field(description="Full, masked (138****0001) or null, by the caller's role.")
    username: str | None = strawberry.field(description="The Keycloak username he signs in with, when he has one.")
    created_at: datetime

    @classmethod
    def from_view(cls, v: StaffView) -> "SinkingStaff":
        return cls(db_id=v.id, department_db_id=v.department_id, node_db_id=v.node_id, name=v.name,
                   phone=v.phone, username=v.username, created_at=v.created_at)

    @strawberry.field
    async def department(self, info: Info) -> Department:
        return Department.from_model(await info.context.loaders.by_id(models.Department).load(self.department_db_id))

    @strawberry.field(description="The grid node he is sent to.")
    async def node(self, info: Info) -> GridNode:
        return await GridNode.load(info, self.node_db_id)

    @strawberry.field(description="By year.")
    async def evaluations(self, info: Info) -> list[StaffEvaluation]:
        rows = await info.context.loaders.many(models.StaffEvaluation, "staff_id", "year").load(self.db_id)
        return [StaffEvaluation(year=r.year, score=float(r.score), comment=r.comment, updated_at=r.updated_at) for r in rows]

    @strawberry.field(description="The joint duty teams he is a member of.")
    async def teams(self, info: Info) -> list["DutyTeam"]:
        links = await info.context.loaders.many(models.DutyTeamMember, "staff_id").load(self.db_id)
        rows = await info.context.loaders.by_id(models.DutyTeam).load_many([link.team_id for link in links])
        return [DutyTeam.from_model(r) for r in rows if r]


@strawberry.type(description="A joint duty team (联勤联动) at a grid node; cases can be dispatched to it.")
class DutyTeam(DbNode):
    db_id: strawberry.Private[int]
    node_db_id: strawberry.Private[int]
    name: str
    created_at: datetime

    @classmethod
    def from_model(cls, m: models.DutyTeam) -> "DutyTeam":
        return cls(db_id=m.id, node_db_id=m.node_id, name=m.name, created_at=m.created_at)  # type: ignore[attr-defined]

    @strawberry.field
    async def node(self, info: Info) -> GridNode:
        return await GridNode.load(info, self.node_db_id)

    @strawberry.field(description="By joining order.")
    async def members(self, info: Info) -> list[SinkingStaff]:
        links = await info.context.loaders.many(models.DutyTeamMember, "team_id").load(self.db_id)
        rows = await info.context.loaders.by_id(models.SinkingStaff).load_many([link.staff_id for link in links])
        view = _viewer(info)
        return [SinkingStaff.from_view(view(r)) for r in rows if r]


@strawberry.type(description="A check-in or check-out: when (the server's clock) and, optionally, where.")
class ShiftMark:
    at: datetime
    latitude: float | None
    longitude: float | None


@strawberry.type(description="A duty shift of one person at a grid node or one of its stations.")
class DutyShift(DbNode):
    db_id: strawberry.Private[int]
    node_db_id: strawberry.Private[int]
    station_db_id: strawberry.Private[int | None]
    staff_db_id: strawberry.Private[int | None]
    username: str | None = strawberry.field(description="The person's username: he checks in and out.")
    starts_at: datetime
    ends_at: datetime
    state: ShiftState
    checked_in: ShiftMark | None
    checked_out: ShiftMark | None
    cancelled_at: datetime | None
    created_at: datetime

    @classmethod
    def from_model(cls, m: models.DutyShift) -> "DutyShift":
        checked_in = checked_out = None
        if m.checked_in_at is not None:
            checked_in = ShiftMark(at=m.checked_in_at, latitude=m.check_in_latitude, longitude=m.check_in_longitude)
        if m.checked_out_at is not None:
            checked_out = ShiftMark(at=m.checked_out_at, latitude=m.check_out_latitude, longitude=m.check_out_longitude)
        state = (ShiftState.CANCELLED if m.cancelled_at else ShiftState.DONE if m.checked_out_at
                 else ShiftState.ON_DUTY if m.checked_in_at else ShiftState.PLANNED)
        return cls(
            db_id=m.id, node_db_id=m.node_id, station_db_id=m.station_id, staff_db_id=m.staff_id,  # type: ignore[attr-defined]
            username=m.assignee_username or None, starts_at=m.starts_at, ends_at=m.ends_at, state=state,
            checked_in=checked_in, checked_out=checked_out, cancelled_at=m.cancelled_at, created_at=m.created_at,
        )

    @strawberry.field
    async def node(self, info: Info) -> GridNode:
        return await GridNode.load(info, self.node_db_id)

    @strawberry.field
    async def station(self, info: Info) -> ServiceStation | None:
        if self.station_db_id is None:
            return None
        return ServiceStation.from_model(await info.context.loaders.by_id(grid_models.ServiceStation).load(self.station_db_id))

    @strawberry.field(description="The staff member on the shift, when it is one.")
    async def staff(self, info: Info) -> SinkingStaff | None:
        if self.staff_db_id is None:
            return None
        row = await info.context.loaders.by_id(models.SinkingStaff).load(self.staff_db_id)
        return SinkingStaff.from_view(_viewer(info)(row))


# Filters and orderings.


@strawberry.input
class DepartmentFilter:
    kind: DepartmentKind | None = None
    name_contains: str | None = None


@strawberry.input
class SinkingStaffFilter:
    under_id: relay.GlobalID | None = strawberry.field(default=None, description="Placed in the subtree of this grid node.")
    department_id: relay.GlobalID | None = None
    username: str | None = None
    name_contains: str | None = None


@strawberry.input
class DutyTeamFilter:
    under_id: relay.GlobalID | None = None
    name_contains: str | None = None


@strawberry.enum
class ShiftOrderField(Enum):
    STARTS_AT = "starts_at"
    CREATED_AT = "created_at"


@strawberry.input
class ShiftOrder:
    field: ShiftOrderField = ShiftOrderField.STARTS_AT
    direction: Direction = Direction.ASC


@strawberry.input
class DutyShiftFilter:
    under_id: relay.GlobalID | None = None
    station_id: relay.GlobalID | None = None
    staff_id: relay.GlobalID | None = None
    username: str | None = None
    mine: bool = strawberry.field(default=False, description="Only the caller's own shifts.")
    ends_after: datetime | None = strawberry.field(default=None, description="Shifts still under way or to come at this time.")
    starts_before: datetime | None = None
    include_cancelled: bool = False


def _staff_node(info: Info) -> Callable[[models.SinkingStaff], SinkingStaff]:
    view = _viewer(info)
    return lambda m: SinkingStaff.from_view(view(m))


@strawberry.type
class StaffQuery:
    @strawberry.field(description="The street's line departments.")
    async def departments(
        self, info: Info, first: int = 50, after: str | None = None,
        filter: DepartmentFilter | None = None, order: NamedOrder | None = None,
    ) -> Connection[Department]:
        f, o = filter or DepartmentFilter(), order or NamedOrder()
        query = staff.departments(info.context.ctx)
        if f.kind is not None:
            query = query.filter(kind=f.kind.value)
        if f.name_contains:
            query = query.filter(name__icontains=f.name_contains)
        return await paginate(query, first, after, Department.from_model, ordering(o.field, o.direction))

    @strawberry.field(description="Sinking staff serving the caller's grid (placed in it or above it); for staff, themselves.")
    async def sinking_staff(
        self, info: Info, first: int = 50, after: str | None = None,
        filter: SinkingStaffFilter | None = None, order: NamedOrder | None = None,
    ) -> Connection[SinkingStaff]:
        f, o = filter or SinkingStaffFilter(), order or NamedOrder()
        query = await in_subtree(info, staff.staff(info.context.ctx), f.under_id, "node__path")
        if f.department_id is not None:
            query = query.filter(department_id=db_id(f.department_id, "Department", "filter.departmentId"))
        if f.username:
            query = query.filter(username=f.username)
        if f.name_contains:
            query = query.filter(name__icontains=f.name_contains)
        return await paginate(query, first, after, _staff_node(info), ordering(o.field, o.direction))

    @strawberry.field(description="Joint duty teams serving the caller's grid; for staff, their own teams.")
    async def duty_teams(
        self, info: Info, first: int = 50, after: str | None = None,
        filter: DutyTeamFilter | None = None, order: NamedOrder | None = None,
    ) -> Connection[DutyTeam]:
        f, o = filter or DutyTeamFilter(), order or NamedOrder()
        query = await in_subtree(info, staff.teams(info.context.ctx), f.under_id, "node__path")
        if f.name_contains:
            query = query.filter(name__icontains=f.name_contains)
        return await paginate(query, first, after, DutyTeam.from_model, ordering(o.field, o.direction))

    @strawberry.field(description="Shifts in the caller's grid, and the caller's own wherever they are.")
    async def duty_shifts(
        self, info: Info, first: int = 50, after: str | None = None,
        filter: DutyShiftFilter | None = None, order: ShiftOrder | None = None,
    ) -> Connection[DutyShift]:
        ctx = info.context.ctx
        f, o = filter or DutyShiftFilter(), order or ShiftOrder()
        query = await in_subtree(info, roster.shifts(ctx), f.under_id, "node__path")
        if f.station_id is not None:
            query = query.filter(station_id=db_id(f.station_id, "ServiceStation", "filter.stationId"))
        if f.staff_id is not None:
            query = query.filter(staff_id=db_id(f.staff_id, "SinkingStaff", "filter.staffId"))
        if f.username:
            query = query.filter(assignee_username=f.username)
        if f.mine:
            query = query.filter(assignee_username=ctx.require_user().username)
        if f.ends_after is not None:
            query = query.filter(ends_at__gt=f.ends_after)
        if f.starts_before is not None:
            query = query.filter(starts_at__lt=f.starts_before)
        if not f.include_cancelled:
            query = query.filter(cancelled_at=None)
        return await paginate(query, first, after, DutyShift.from_model, ordering(o.field, o.direction))

    @strawberry.field(description="Who is on duty now in the caller's grid: shifts under way, checked in to and not out of.")
    async def on_duty_now(
        self, info: Info, first: int = 100, after: str | None = None, under_id: relay.GlobalID | None = None,
    ) -> Connection[DutyShift]:
        query = await in_subtree(info, roster.on_duty_now(info.context.ctx), under_id, "node__path")
        return await paginate(query, first, after, DutyShift.from_model, Ordering("starts_at"))


# Mutations.


@strawberry.input
class DepartmentInput:
    name: str
    kind: DepartmentKind


@strawberry.input
class UpdateDepartmentInput:
    id: relay.GlobalID
    name: str
    kind: DepartmentKind


@strawberry.input
class SinkingStaffInput:
    name: str
    department_id: relay.GlobalID
    node_id: relay.GlobalID = strawberry.field(description="The grid node he is sent to.")
    phone: str = ""
    username: str = strawberry.field(default="", description="His Keycloak username, when he signs in.")


@strawberry.input
class UpdateSinkingStaffInput:
    id: relay.GlobalID
    name: str
    department_id: relay.GlobalID
    node_id: relay.GlobalID
    phone: str = ""
    username: str = ""


@strawberry.input
class CreateDutyTeamInput:
    node_id: relay.GlobalID
    name: str


@strawberry.input
class SetStaffEvaluationInput:
    staff_id: relay.GlobalID
    year: int
    score: Decimal = strawberry.field(description="0 to 100, at most two decimals.")
    comment: str = ""


@strawberry.input
class CreateDutyShiftInput:
    node_id: relay.GlobalID
    station_id: relay.GlobalID | None = strawberry.field(default=None, description="A station on the node or below it.")
    staff_id: relay.GlobalID | None = strawberry.field(default=None, description="A staff member, or give `username`.")
    username: str | None = None
    starts_at: datetime
    ends_at: datetime


@strawberry.input
class ChangeDutyShiftInput:
    id: relay.GlobalID
    node_id: relay.GlobalID | None = None
    station_id: relay.GlobalID | None = None
    clear_station: bool = False
    staff_id: relay.GlobalID | None = strawberry.field(default=None, description="A new person: a staff member, or `username`.")
    username: str | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None


@strawberry.input
class ShiftMarkInput:
    shift_id: relay.GlobalID
    latitude: float | None = None
    longitude: float | None = None


@strawberry.type
class DepartmentPayload:
    department: Department | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class SinkingStaffPayload:
    staff: SinkingStaff | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class DutyTeamPayload:
    team: DutyTeam | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class DutyShiftPayload:
    shift: DutyShift | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


async def _staff_payload(info: Info, staff_id: int) -> SinkingStaffPayload:
    found = await staff.staff_by_id(info.context.ctx, staff_id)
    return SinkingStaffPayload(staff=SinkingStaff.from_view(_viewer(info)(found)) if found else None)


@strawberry.type
class StaffMutation:
    @strawberry.mutation(description="Tenant-wide secretaries: add a line department.")
    async def create_department(self, info: Info, input: DepartmentInput) -> DepartmentPayload:
        try:
            row = await staff.save_department(info.context.ctx, name=input.name, kind=input.kind.value)
        except InvalidInput as exc:
            return DepartmentPayload(errors=user_errors(exc))
        return DepartmentPayload(department=Department.from_model(row))

    @strawberry.mutation(description="Tenant-wide secretaries: rename a department or change its kind.")
    async def update_department(self, info: Info, input: UpdateDepartmentInput) -> DepartmentPayload:
        try:
            row = await staff.save_department(
                info.context.ctx, name=input.name, kind=input.kind.value, department_id=db_id(input.id, "Department"),
            )
        except InvalidInput as exc:
            return DepartmentPayload(errors=user_errors(exc))
        return DepartmentPayload(department=Department.from_model(row))

    @strawberry.mutation(description="Secretaries and grid heads: register a department's staff member at a node of their grid.")
    async def create_sinking_staff(self, info: Info, input: SinkingStaffInput) -> SinkingStaffPayload:
        try:
            row = await staff.save_staff(
                info.context.ctx, name=input.name, phone=input.phone, username=input.username,
                department_id=db_id(input.department_id, "Department", "departmentId"),
                node_id=db_id(input.node_id, "GridNode", "nodeId"),
            )
        except InvalidInput as exc:
            return SinkingStaffPayload(errors=user_errors(exc))
        return await _staff_payload(info, row.id)

    @strawberry.mutation(description="Change a staff member, or send him to another node; the caller's grid covers both.")
    async def update_sinking_staff(self, info: Info, input: UpdateSinkingStaffInput) -> SinkingStaffPayload:
        try:
            row = await staff.save_staff(
                info.context.ctx, name=input.name, phone=input.phone, username=input.username,
                department_id=db_id(input.department_id, "Department", "departmentId"),
                node_id=db_id(input.node_id, "GridNode", "nodeId"), staff_id=db_id(input.id, "SinkingStaff"),
            )
        except InvalidInput as exc:
            return SinkingStaffPayload(errors=user_errors(exc))
        return await _staff_payload(info, row.id)

    @strawberry.mutation(description="Tenant-wide secretaries: a staff member's evaluation for a year (set again to correct).")
    async def set_staff_evaluation(self, info: Info, input: SetStaffEvaluationInput) -> SinkingStaffPayload:
        try:
            staff_id = db_id(input.staff_id, "SinkingStaff", "staffId")
            await staff.set_evaluation(info.context.ctx, staff_id=staff_id, year=input.year,
                                       score=str(input.score), comment=input.comment)
        except InvalidInput as exc:
            return SinkingStaffPayload(errors=user_errors(exc))
        return await _staff_payload(info, staff_id)

    @strawberry.mutation(description="Secretaries and grid heads: a joint duty team at a node of their grid.")
    async def create_duty_team(self, info: Info, input: CreateDutyTeamInput) -> DutyTeamPayload:
        try:
            row = await staff.create_team(info.context.ctx, node_id=db_id(input.node_id, "GridNode", "nodeId"), name=input.name)
        except InvalidInput as exc:
            return DutyTeamPayload(errors=user_errors(exc))
        return DutyTeamPayload(team=DutyTeam.from_model(row))

    @strawberry.mutation(description="Add a staff member serving the team's node (on it, above or below it); twice changes nothing.")
    async def add_duty_team_member(self, info: Info, team_id: relay.GlobalID, staff_id: relay.GlobalID) -> DutyTeamPayload:
        return await _membership(info, team_id, staff_id, member=True)

    @strawberry.mutation
    async def remove_duty_team_member(self, info: Info, team_id: relay.GlobalID, staff_id: relay.GlobalID) -> DutyTeamPayload:
        return await _membership(info, team_id, staff_id, member=False)

    @strawberry.mutation(description="Secretaries and grid heads: a shift at a node of their grid; one person holds no two shifts at once.")
    async def create_duty_shift(self, info: Info, input: CreateDutyShiftInput) -> DutyShiftPayload:
        try:
            row = await roster.create_shift(
                info.context.ctx, node_id=db_id(input.node_id, "GridNode", "nodeId"),
                station_id=optional_db_id(input.station_id, "ServiceStation", "stationId"),
                staff_id=optional_db_id(input.staff_id, "SinkingStaff", "staffId"), username=input.username,
                starts_at=input.starts_at, ends_at=input.ends_at,
            )
        except InvalidInput as exc:
            return DutyShiftPayload(errors=user_errors(exc))
        return DutyShiftPayload(shift=DutyShift.from_model(row))

    @strawberry.mutation(description="Change what is given of a shift nobody has checked in to yet.")
    async def change_duty_shift(self, info: Info, input: ChangeDutyShiftInput) -> DutyShiftPayload:
        try:
            row = await roster.change_shift(
                info.context.ctx, db_id(input.id, "DutyShift"),
                node_id=optional_db_id(input.node_id, "GridNode", "nodeId"),
                station_id=optional_db_id(input.station_id, "ServiceStation", "stationId"),
                clear_station=input.clear_station,
                staff_id=optional_db_id(input.staff_id, "SinkingStaff", "staffId"), username=input.username,
                starts_at=input.starts_at, ends_at=input.ends_at,
            )
        except InvalidInput as exc:
            return DutyShiftPayload(errors=user_errors(exc))
        return DutyShiftPayload(shift=DutyShift.from_model(row))

    @strawberry.mutation(description="Cancel a shift nobody has checked in to yet; it frees its time.")
    async def cancel_duty_shift(self, info: Info, id: relay.GlobalID) -> DutyShiftPayload:
        try:
            row = await roster.cancel_shift(info.context.ctx, db_id(id, "DutyShift"))
        except InvalidInput as exc:
            return DutyShiftPayload(errors=user_errors(exc))
        return DutyShiftPayload(shift=DutyShift.from_model(row))

    @strawberry.mutation(description="The person on the shift checks in, now (from an hour before it starts), once.")
    async def check_in(self, info: Info, input: ShiftMarkInput) -> DutyShiftPayload:
        try:
            row = await roster.check_in(info.context.ctx, db_id(input.shift_id, "DutyShift", "shiftId"),
                                        latitude=input.latitude, longitude=input.longitude)
        except InvalidInput as exc:
            return DutyShiftPayload(errors=user_errors(exc))
        return DutyShiftPayload(shift=DutyShift.from_model(row))

    @strawberry.mutation(description="The person on the shift checks out, now, after checking in, once.")
    async def check_out(self, info: Info, input: ShiftMarkInput) -> DutyShiftPayload:
        try:
            row = await roster.check_out(info.context.ctx, db_id(input.shift_id, "DutyShift", "shiftId"),
                                         latitude=input.latitude, longitude=input.longitude)
        except InvalidInput as exc:
            return DutyShiftPayload(errors=user_errors(exc))
        return DutyShiftPayload(shift=DutyShift.from_model(row))


async def _membership(info: Info, team_id: relay.GlobalID, staff_id: relay.GlobalID, *, member: bool) -> DutyTeamPayload:
    try:
        row = await staff.set_team_member(
            info.context.ctx, team_id=db_id(team_id, "DutyTeam", "teamId"),
            staff_id=db_id(staff_id, "SinkingStaff", "staffId"), member=member,
        )
    except InvalidInput as exc:
        return DutyTeamPayload(errors=user_errors(exc))
    return DutyTeamPayload(team=DutyTeam.from_model(row))


async def resolve_department(info: Info, department_id: int) -> Department | None:
    found = await staff.department_by_id(info.context.ctx, department_id)
    return Department.from_model(found) if found else None


async def resolve_sinking_staff(info: Info, staff_id: int) -> SinkingStaff | None:
    found = await staff.staff_by_id(info.context.ctx, staff_id)
    return SinkingStaff.from_view(_viewer(info)(found)) if found else None


async def resolve_duty_team(info: Info, team_id: int) -> DutyTeam | None:
    found = await staff.team_by_id(info.context.ctx, team_id)
    return DutyTeam.from_model(found) if found else None


async def resolve_duty_shift(info: Info, shift_id: int) -> DutyShift | None:
    found = await roster.shift_by_id(info.context.ctx, shift_id)
    return DutyShift.from_model(found) if found else None


# What graphql/schema.py takes from this area: `node(id)` asks NODES by type name; TYPES are
# object types the schema must hold even where no field names them.
NODES = {
    "Department": resolve_department,
    "SinkingStaff": resolve_sinking_staff,
    "DutyTeam": resolve_duty_team,
    "DutyShift": resolve_duty_shift,
}
TYPES: list[type] = [Department, SinkingStaff, DutyTeam, DutyShift]
