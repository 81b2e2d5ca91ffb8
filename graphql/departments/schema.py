"""District line departments: the district admin makes them and names their staff; the streets
of the district refer cases to them (transitionCase, action REFER). Rules: tenants/departments.py."""

from __future__ import annotations

import strawberry

from redgrid.graphql.core.context import GraphQLContext
from redgrid.graphql.core.ids import db_id
from redgrid.graphql.core.node_lookup import NodeResolver, node_resolver
from redgrid.graphql.core.payloads import mutation
from redgrid.graphql.departments.types import (
    CreateDistrictDepartmentInput,
    DistrictDepartment,
    DistrictDepartmentMemberInput,
    DistrictDepartmentPayload,
)
from redgrid.tenants import departments

__all__ = ["NODES", "TYPES", "DepartmentsMutation", "DepartmentsQuery"]

Info = strawberry.Info[GraphQLContext, None]

NODES: dict[str, NodeResolver[object]] = {
    "DistrictDepartment": node_resolver(departments.department_by_id, DistrictDepartment.from_model),
}
TYPES: list[type] = []


@strawberry.type
class DepartmentsQuery:
    @strawberry.field(
        description="District line departments: the district admin's district's, those a tenant-wide secretary's "
        "street may refer to, or a department's own for its staff."
    )
    async def district_departments(self, info: Info) -> list[DistrictDepartment]:
        return [DistrictDepartment.from_model(d) for d in await departments.visible_departments(info.context.ctx)]


@strawberry.type
class DepartmentsMutation:
    @mutation(description="District admins: a line department of their district (idempotent by slug).")
    async def create_district_department(
        self, info: Info, input: CreateDistrictDepartmentInput
    ) -> DistrictDepartmentPayload:
        result = await departments.create_department(info.context.ctx, input.slug, input.name)
        return DistrictDepartmentPayload(department=DistrictDepartment.from_model(result.value), created=result.created)

    @mutation(description="District admins: a dept-staff user of their district works for the department.")
    async def add_district_department_member(
        self, info: Info, input: DistrictDepartmentMemberInput
    ) -> DistrictDepartmentPayload:
        department = await departments.add_member(
            info.context.ctx, db_id(input.department_id, "DistrictDepartment", "departmentId"), input.username
        )
        return DistrictDepartmentPayload(department=DistrictDepartment.from_model(department))

    @mutation(description="District admins: the user no longer works for the department.")
    async def remove_district_department_member(
        self, info: Info, input: DistrictDepartmentMemberInput
    ) -> DistrictDepartmentPayload:
        department = await departments.remove_member(
            info.context.ctx, db_id(input.department_id, "DistrictDepartment", "departmentId"), input.username
        )
        return DistrictDepartmentPayload(department=DistrictDepartment.from_model(department))
