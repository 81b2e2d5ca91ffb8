"""Departments, sinking staff, joint duty teams and duty shifts as a client sees them.

A staff member reaches a client only as the `StaffView` tenants/staff/service.py makes for the
caller (the phone full, masked or hidden by role): `SinkingStaff.shown_to(info)`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import strawberry

from redgrid.graphql.core.context import GraphQLContext
from redgrid.graphql.core.ids import DbNode
from redgrid.graphql.core.mapping import from_row
from redgrid.graphql.grid.types import GridNode, ServiceStation
from redgrid.graphql.staff.enums import DepartmentKind, ShiftState
from redgrid.graphql.workers.accounts import AccountRef, linked_account
from redgrid.tenants.grid import models as grid_models
from redgrid.tenants.staff import models
from redgrid.tenants.staff.service import StaffView, viewer

Info = strawberry.Info[GraphQLContext, None]


@strawberry.type(description="A line department that sends staff down to the grids (派出所, 城管, 市场监管所, 司法所).")
class Department(DbNode):
    db_id: strawberry.Private[int]
    name: str
    kind: DepartmentKind
    created_at: datetime

    @classmethod
    def from_model(cls, m: models.Department) -> Department:
        return from_row(cls, m, db_id=m.id)


@strawberry.type(description="A yearly evaluation, 0 to 100.")
class StaffEvaluation:
    year: int
    score: float
    comment: str
    updated_at: datetime

    @classmethod
    def from_model(cls, m: models.StaffEvaluation) -> StaffEvaluation:
        return from_row(cls, m, score=float(m.score))


@strawberry.type(description="A department's staff member sent down to a grid node (下沉人员).")
class SinkingStaff(DbNode):
    db_id: strawberry.Private[int]
    department_db_id: strawberry.Private[int]
    node_db_id: strawberry.Private[int]
    name: str
    phone: str | None = strawberry.field(description="Full, masked (138****0001) or null, by the caller's role.")
    username: str | None = strawberry.field(description="The Keycloak username he signs in with, when he has one.")
    account_db_id: strawberry.Private[int | None]
    created_at: datetime

    @classmethod
    def from_view(cls, v: StaffView) -> SinkingStaff:
        return from_row(
            cls, v, db_id=v.id, department_db_id=v.department_id, node_db_id=v.node_id, account_db_id=v.account_id
        )

    @strawberry.field(description="The account he signs in as, once a secretary linked it (his username is its).")
    async def account(self, info: Info) -> AccountRef | None:
        return await linked_account(info, self.account_db_id)

    @classmethod
    def shown_to(cls, info: Info) -> Callable[[models.SinkingStaff], SinkingStaff]:
        """Staff rows as the caller may see them (the role's rule is looked up once)."""
        view = viewer(info.context.ctx)
        return lambda m: cls.from_view(view(m))

    @strawberry.field
    async def department(self, info: Info) -> Department:
        return Department.from_model(await info.context.loaders.by_id(models.Department).load(self.department_db_id))

    @strawberry.field(description="The grid node he is sent to.")
    async def node(self, info: Info) -> GridNode:
        return await GridNode.load(info, self.node_db_id)

    @strawberry.field(description="By year.")
    async def evaluations(self, info: Info) -> list[StaffEvaluation]:
        rows = await info.context.loaders.many(models.StaffEvaluation, "staff_id", "year").load(self.db_id)
        return [StaffEvaluation.from_model(r) for r in rows]

    @strawberry.field(description="The joint duty teams he is a member of.")
    async def teams(self, info: Info) -> list[DutyTeam]:
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
    def from_model(cls, m: models.DutyTeam) -> DutyTeam:
        return from_row(cls, m, db_id=m.id, node_db_id=m.node_id)  # type: ignore[attr-defined]

    @strawberry.field
    async def node(self, info: Info) -> GridNode:
        return await GridNode.load(info, self.node_db_id)

    @strawberry.field(description="By joining order.")
    async def members(self, info: Info) -> list[SinkingStaff]:
        links = await info.context.loaders.many(models.DutyTeamMember, "team_id").load(self.db_id)
        rows = await info.context.loaders.by_id(models.SinkingStaff).load_many([link.staff_id for link in links])
        shown = SinkingStaff.shown_to(info)
        return [shown(r) for r in rows if r]


@strawberry.type(description="A check-in or check-out: when (the server's clock) and, optionally, where.")
class ShiftMark:
    at: datetime
    latitude: float | None
    longitude: float | None


def _state(m: models.DutyShift) -> ShiftState:
    if m.cancelled_at:
        return ShiftState.CANCELLED
    if m.checked_out_at:
        return ShiftState.DONE
    return ShiftState.ON_DUTY if m.checked_in_at else ShiftState.PLANNED


def _mark(at: datetime | None, latitude: float | None, longitude: float | None) -> ShiftMark | None:
    return None if at is None else ShiftMark(at=at, latitude=latitude, longitude=longitude)


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
    def from_model(cls, m: models.DutyShift) -> DutyShift:
        return from_row(
            cls,
            m,
            db_id=m.id,
            node_db_id=m.node_id,  # type: ignore[attr-defined]
            station_db_id=m.station_id,  # type: ignore[attr-defined]
            staff_db_id=m.staff_id,  # type: ignore[attr-defined]
            username=m.assignee_username or None,
            state=_state(m),
            checked_in=_mark(m.checked_in_at, m.check_in_latitude, m.check_in_longitude),
            checked_out=_mark(m.checked_out_at, m.check_out_latitude, m.check_out_longitude),
        )

    @strawberry.field
    async def node(self, info: Info) -> GridNode:
        return await GridNode.load(info, self.node_db_id)

    @strawberry.field
    async def station(self, info: Info) -> ServiceStation | None:
        if self.station_db_id is None:
            return None
        return ServiceStation.from_model(
            await info.context.loaders.by_id(grid_models.ServiceStation).load(self.station_db_id)
        )

    @strawberry.field(description="The staff member on the shift, when it is one.")
    async def staff(self, info: Info) -> SinkingStaff | None:
        if self.staff_db_id is None:
            return None
        return SinkingStaff.shown_to(info)(await info.context.loaders.by_id(models.SinkingStaff).load(self.staff_db_id))
