"""Reading departments, staff, teams and the roster page by page; who sees what is
tenants/staff/ (service.py, roster.py)."""

from __future__ import annotations

import strawberry
from strawberry import relay

from redgrid.graphql.core.context import GraphQLContext
from redgrid.graphql.core.filtering import narrowed
from redgrid.graphql.core.ids import optional_db_id
from redgrid.graphql.core.pagination import Connection, NamedOrder, Ordering, ordering, paginate
from redgrid.graphql.grid.filters import in_subtree
from redgrid.graphql.staff.inputs import (
    DepartmentFilter,
    DutyShiftFilter,
    DutyTeamFilter,
    ShiftOrder,
    SinkingStaffFilter,
)
from redgrid.graphql.staff.types import Department, DutyShift, DutyTeam, SinkingStaff
from redgrid.tenants.staff import roster
from redgrid.tenants.staff import service as staff

Info = strawberry.Info[GraphQLContext, None]


@strawberry.type
class StaffQuery:
    @strawberry.field(description="The street's line departments.")
    async def departments(
        self,
        info: Info,
        first: int = 50,
        after: str | None = None,
        filter: DepartmentFilter | None = None,
        order: NamedOrder | None = None,
    ) -> Connection[Department]:
        f, o = filter or DepartmentFilter(), order or NamedOrder()
        query = narrowed(staff.departments(info.context.ctx), kind=f.kind, name__icontains=f.name_contains)
        return await paginate(query, first, after, Department.from_model, ordering(o.field, o.direction))

    @strawberry.field(
        description="Sinking staff serving the caller's grid (placed in it or above it); for staff, themselves."
    )
    async def sinking_staff(
        self,
        info: Info,
        first: int = 50,
        after: str | None = None,
        filter: SinkingStaffFilter | None = None,
        order: NamedOrder | None = None,
    ) -> Connection[SinkingStaff]:
        f, o = filter or SinkingStaffFilter(), order or NamedOrder()
        query = await in_subtree(info, staff.staff(info.context.ctx), f.under_id, "node__path")
        query = narrowed(
            query,
            username=f.username,
            name__icontains=f.name_contains,
            department_id=optional_db_id(f.department_id, "Department", "filter.departmentId"),
        )
        return await paginate(query, first, after, SinkingStaff.shown_to(info), ordering(o.field, o.direction))

    @strawberry.field(description="Joint duty teams serving the caller's grid; for staff, their own teams.")
    async def duty_teams(
        self,
        info: Info,
        first: int = 50,
        after: str | None = None,
        filter: DutyTeamFilter | None = None,
        order: NamedOrder | None = None,
    ) -> Connection[DutyTeam]:
        f, o = filter or DutyTeamFilter(), order or NamedOrder()
        query = await in_subtree(info, staff.teams(info.context.ctx), f.under_id, "node__path")
        query = narrowed(query, name__icontains=f.name_contains)
        return await paginate(query, first, after, DutyTeam.from_model, ordering(o.field, o.direction))

    @strawberry.field(description="Shifts in the caller's grid, and the caller's own wherever they are.")
    async def duty_shifts(
        self,
        info: Info,
        first: int = 50,
        after: str | None = None,
        filter: DutyShiftFilter | None = None,
        order: ShiftOrder | None = None,
    ) -> Connection[DutyShift]:
        ctx = info.context.ctx
        f, o = filter or DutyShiftFilter(), order or ShiftOrder()
        query = await in_subtree(info, roster.shifts(ctx), f.under_id, "node__path")
        query = narrowed(
            query,
            station_id=optional_db_id(f.station_id, "ServiceStation", "filter.stationId"),
            staff_id=optional_db_id(f.staff_id, "SinkingStaff", "filter.staffId"),
            assignee_username=f.username,
            ends_at__gt=f.ends_after,
            starts_at__lt=f.starts_before,
        )
        if f.mine:
            query = query.filter(assignee_username=ctx.require_user().username)
        if not f.include_cancelled:
            query = query.filter(cancelled_at=None)
        return await paginate(query, first, after, DutyShift.from_model, ordering(o.field, o.direction))

    @strawberry.field(
        description="Who is on duty now in the caller's grid: shifts under way, checked in to and not out of."
    )
    async def on_duty_now(
        self,
        info: Info,
        first: int = 100,
        after: str | None = None,
        under_id: relay.GlobalID | None = None,
    ) -> Connection[DutyShift]:
        query = await in_subtree(info, roster.on_duty_now(info.context.ctx), under_id, "node__path")
        return await paginate(query, first, after, DutyShift.from_model, Ordering("starts_at"))
