"""Departments, sinking staff, joint duty teams and the duty roster as graphql/schema.py
composes them: queries.py and mutations.py over types.py, inputs.py, payloads.py and enums.py.
Rules are tenants/staff/."""

from __future__ import annotations

import strawberry

from redgrid.graphql.core.context import GraphQLContext
from redgrid.graphql.core.node_lookup import NodeResolver, node_resolver
from redgrid.graphql.staff.mutations import StaffMutation
from redgrid.graphql.staff.queries import StaffQuery
from redgrid.graphql.staff.types import Department, DutyShift, DutyTeam, SinkingStaff
from redgrid.tenants.staff import roster
from redgrid.tenants.staff import service as staff

__all__ = ["NODES", "TYPES", "StaffMutation", "StaffQuery"]

Info = strawberry.Info[GraphQLContext, None]


async def resolve_sinking_staff(info: Info, staff_id: int) -> SinkingStaff | None:
    """Shown as the caller may see him, which the plain `node_resolver` cannot know."""
    found = await staff.staff_by_id(info.context.ctx, staff_id)
    return SinkingStaff.shown_to(info)(found) if found else None


# `node(id)` asks NODES by type name; TYPES are object types the schema must hold even where no
# field names them.
NODES: dict[str, NodeResolver[object]] = {
    "Department": node_resolver(staff.department_by_id, Department.from_model),
    "SinkingStaff": resolve_sinking_staff,
    "DutyTeam": node_resolver(staff.team_by_id, DutyTeam.from_model),
    "DutyShift": node_resolver(roster.shift_by_id, DutyShift.from_model),
}
TYPES: list[type] = [Department, SinkingStaff, DutyTeam, DutyShift]
