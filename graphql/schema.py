"""The Strawberry schema. Resolvers translate between GraphQL and the domain services and
do nothing else; `graphql/schema.graphql` is its exported SDL (tests fail when it drifts)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from datetime import UTC, datetime

from graphql import GraphQLError
import strawberry
from strawberry import relay
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext

from redgrid.graphql.core.context import GraphQLContext
from redgrid.graphql.core.errorlog import log_graphql_errors
from redgrid.graphql.core.errors import client_error
from redgrid.graphql.core.ids import parse_db_id
from redgrid.graphql.core.extensions import OperationMetrics, TenantTransaction, TextGuard
from redgrid.graphql.core.limits import LimitedSchema
from redgrid.graphql.cases.schema import CaseMutation, CaseQuery, resolve_case, resolve_case_attachment, resolve_case_category
from redgrid.graphql.grid.schema import (
    GridMutation,
    GridNode,
    GridQuery,
    PartyOrganisation,
    ServiceStation,
    resolve_grid_node,
    resolve_party_organisation,
    resolve_service_station,
)
from redgrid.graphql.people.schema import (
    Commitment,
    Household,
    Pairing,
    PartyMember,
    PeopleMutation,
    PeopleQuery,
    Resident,
    Volunteer,
    VolunteerTeam,
    resolve_commitment,
    resolve_household,
    resolve_pairing,
    resolve_party_member,
    resolve_resident,
    resolve_volunteer,
    resolve_volunteer_team,
)
from redgrid.graphql.core.fanout import SharedEventExecutor
from redgrid.graphql.figures.schema import FiguresQuery
from redgrid.graphql.registers.schema import RegistersMutation
from redgrid.graphql.staff.schema import (
    Department,
    DutyShift,
    DutyTeam,
    SinkingStaff,
    StaffMutation,
    StaffQuery,
    resolve_department,
    resolve_duty_shift,
    resolve_duty_team,
    resolve_sinking_staff,
)
from redgrid.graphql.events.stream import tenant_events
from redgrid.graphql.units.schema import (
    JointUnit,
    PublicProject,
    ServiceItem,
    ServiceOrder,
    UnitNeed,
    UnitResource,
    UnitsMutation,
    UnitsQuery,
    resolve_joint_unit,
    resolve_public_project,
    resolve_service_item,
    resolve_service_order,
    resolve_unit_need,
    resolve_unit_resource,
)
from redgrid.graphql.core.types import (
    CreateTenantPayload,
    District,
    DistrictPayload,
    EventArea,
    GridScope,
    Me,
    Tenant,
    TenantEvent,
    UserError,
)
from redgrid.tenants import tenancy
from redgrid.platform.errors import InvalidInput
from redgrid.platform.models import District as DistrictModel
from redgrid.platform.models import Tenant as TenantModel
from redgrid.platform.settings import Environment, get_settings

Info = strawberry.Info[GraphQLContext, None]


async def _tenant_type(model: TenantModel) -> Tenant:
    district = await DistrictModel.get(id=model.district_id)  # type: ignore[attr-defined]
    return Tenant.from_model(model, district.slug)


@strawberry.input
class CreateDistrictInput:
    slug: str
    name: str


@strawberry.input
class CreateTenantInput:
    slug: str
    name: str
    district_slug: str
    kind: str = "street"
    secretary_username: str | None = None
    secretary_email: str | None = None


@strawberry.type
class PlatformQuery:
    @strawberry.field(description="The caller: roles, tenant and grid scope.")
    async def me(self, info: Info) -> Me:
        ctx = info.context.ctx
        identity = ctx.require_user()
        return Me(
            subject=identity.subject,
            username=identity.username,
            roles=sorted(identity.roles),
            tenant=await _tenant_type(ctx.tenant) if ctx.tenant else None,
            district_slug=identity.district_slug,
            grid_scope=GridScope(kind=ctx.scope.kind.value, path=ctx.scope.path),
        )

    @strawberry.field(description="Tenants the caller may see: all (platform), the district's, or its own.")
    async def tenants(self, info: Info) -> list[Tenant]:
        ctx = info.context.ctx
        identity = ctx.require_user()
        query = TenantModel.all().select_related("district").order_by("slug")
        if identity.has_any("platform-admin"):
            pass
        elif identity.has_any("district-admin") and identity.district_slug:
            query = query.filter(district__slug=identity.district_slug)
        else:
            query = query.filter(id=ctx.require_tenant().id)
        return [Tenant.from_model(t, t.district.slug) for t in await query]

    @strawberry.field(description="Any object by its global id; null when it is not the caller's to see.")
    async def node(self, info: Info, id: relay.GlobalID) -> relay.Node | None:
        db_id = parse_db_id(id.node_id)
        resolver = NODE_RESOLVERS.get(id.type_name)
        return await resolver(info, db_id) if resolver and db_id is not None else None


@strawberry.type
class PlatformMutation:
    @strawberry.mutation(description="Platform admins: create a district (idempotent by slug).")
    async def create_district(self, info: Info, input: CreateDistrictInput) -> DistrictPayload:
        try:
            result = await tenancy.create_district(info.context.ctx, input.slug, input.name)
        except InvalidInput as exc:
            return DistrictPayload(errors=[UserError.from_domain(e) for e in exc.errors])
        return DistrictPayload(district=District.from_model(result.value), created=result.created)

    @strawberry.mutation(
        description="Platform admins: create a tenant and its Keycloak side (idempotent by slug)."
    )
    async def create_tenant(self, info: Info, input: CreateTenantInput) -> CreateTenantPayload:
        secretary = None
        if input.secretary_username or input.secretary_email:
            secretary = (input.secretary_username or "", input.secretary_email or "")
        try:
            result = await tenancy.create_tenant(
                info.context.ctx,
                info.context.services.provisioner,
                slug=input.slug,
                name=input.name,
                district_slug=input.district_slug,
                kind=input.kind,
                secretary=secretary,
            )
        except InvalidInput as exc:
            return CreateTenantPayload(errors=[UserError.from_domain(e) for e in exc.errors])
        report = result.provisioning
        return CreateTenantPayload(
            tenant=await _tenant_type(result.value),
            created=result.created,
            provisioning=report.actions if report else [],
            initial_secretary_password=report.initial_password if report else None,
        )


@strawberry.type
class Subscription:
    @strawberry.subscription(
        description="Server time every interval: lets a wall display tell a live feed from a stale one."
    )
    async def heartbeat(
        self, info: Info, interval_seconds: float = 15.0
    ) -> AsyncGenerator[datetime, None]:
        info.context.ctx.require_user()
        interval = min(max(interval_seconds, 0.1), 300.0)
        while True:
            yield datetime.now(UTC)
            await asyncio.sleep(interval)

    @strawberry.subscription(
        description="Live committed changes of one area of the caller's tenant that the caller's "
        "grid scope covers. Pass `after` (the last seq you received) to get what you missed first."
    )
    async def events(
        self, info: Info, area: EventArea, after: int | None = None
    ) -> AsyncGenerator[TenantEvent, None]:
        async for event in tenant_events(info.context, area.value, after):
            yield TenantEvent.of(event)


# Each area brings its own query and mutation fields; `node(id)` asks the area named in the id.
NODE_RESOLVERS = {
    "GridNode": resolve_grid_node,
    "Case": resolve_case,
    "CaseAttachment": resolve_case_attachment,
    "CaseCategory": resolve_case_category,
    "PartyOrganisation": resolve_party_organisation,
    "Resident": resolve_resident,
    "Household": resolve_household,
    "PartyMember": resolve_party_member,
    "Commitment": resolve_commitment,
    "VolunteerTeam": resolve_volunteer_team,
    "Volunteer": resolve_volunteer,
    "Pairing": resolve_pairing,
    "JointUnit": resolve_joint_unit,
    "UnitResource": resolve_unit_resource,
    "UnitNeed": resolve_unit_need,
    "PublicProject": resolve_public_project,
    "ServiceItem": resolve_service_item,
    "ServiceOrder": resolve_service_order,
    "ServiceStation": resolve_service_station,
    "Department": resolve_department,
    "SinkingStaff": resolve_sinking_staff,
    "DutyTeam": resolve_duty_team,
    "DutyShift": resolve_duty_shift,
}
Query = merge_types("Query", (PlatformQuery, GridQuery, PeopleQuery, CaseQuery, UnitsQuery, StaffQuery, FiguresQuery))
Mutation = merge_types("Mutation", (PlatformMutation, GridMutation, PeopleMutation, CaseMutation, UnitsMutation, StaffMutation, RegistersMutation))

class RedGridSchema(LimitedSchema):
    def process_errors(self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None) -> None:
        """Logged without the document, variables or messages (graphql/core/errorlog.py), then typed
        and, in production, masked for the client (graphql/core/errors.py). strawberry hands this hook
        the very list the answer carries, on every path (queries, mutations, each subscription
        result, refusals before execution, an extension's exception), and once per list: replacing
        its items here is the one place every error passes."""
        log_graphql_errors(errors, execution_context)
        mask = get_settings().env is Environment.PRODUCTION
        errors[:] = [client_error(error, mask=mask) for error in errors]


# LimitedSchema: every document is refused by size before parsing, and parsed and validated
# once per distinct text in a bounded cache (graphql/core/limits.py): ten thousand subscribers send one.
schema = RedGridSchema(
    query=Query,
    mutation=Mutation,
    subscription=Subscription,
    types=[
        GridNode, PartyOrganisation, Resident, Household, PartyMember, Commitment, VolunteerTeam, Volunteer, Pairing,
        JointUnit, UnitResource, UnitNeed, PublicProject, ServiceItem, ServiceOrder,
        ServiceStation, Department, SinkingStaff, DutyTeam, DutyShift,
    ],
    extensions=[OperationMetrics, TextGuard, TenantTransaction],
    execution_context_class=SharedEventExecutor,
)
