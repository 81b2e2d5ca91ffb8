"""District line departments, as a client sees them, and what their mutations take and answer."""

from __future__ import annotations

import strawberry
from strawberry import relay

from redgrid.graphql.core.context import GraphQLContext
from redgrid.graphql.core.ids import DbNode
from redgrid.graphql.core.mapping import from_row
from redgrid.graphql.core.payloads import Payload
from redgrid.platform.models import DistrictDepartment as DistrictDepartmentModel
from redgrid.tenants import departments

Info = strawberry.Info[GraphQLContext, None]


@strawberry.type(description="A line department (区职能部门) of a district, to which its streets refer cases.")
class DistrictDepartment(DbNode):
    db_id: strawberry.Private[int]
    slug: str
    name: str

    @classmethod
    def from_model(cls, m: DistrictDepartmentModel) -> DistrictDepartment:
        return from_row(cls, m, db_id=m.id)

    @strawberry.field(description="Its staff's usernames: for its district admin and its own staff (else FORBIDDEN).")
    async def members(self, info: Info) -> list[str]:
        return await departments.members(info.context.ctx, self.db_id)


@strawberry.input
class CreateDistrictDepartmentInput:
    slug: str = strawberry.field(description="2 to 63 lower-case letters, digits or '-', from a letter")
    name: str


@strawberry.input
class DistrictDepartmentMemberInput:
    department_id: relay.GlobalID
    username: str = strawberry.field(description="A Keycloak user with the dept-staff role, the district and no tenant")


@strawberry.type
class DistrictDepartmentPayload(Payload):
    department: DistrictDepartment | None = None
    created: bool = False
