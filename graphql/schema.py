"""The Strawberry schema. Resolvers translate between GraphQL and the domain services and
do nothing else; `graphql/schema.graphql` is its exported SDL (tests fail when it drifts)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from datetime import UTC, datetime

import strawberry
from strawberry import relay

from redgrid.graphql.context import GraphQLContext
from redgrid.graphql.extensions import OperationMetrics, TenantTransaction
from redgrid.graphql.pagination import Connection, paginate
from redgrid.graphql.subscriptions import tenant_events
from redgrid.graphql.types import (
    CreateTenantPayload,
    District,
    DistrictPayload,
    EventArea,
    GridNode,
    GridNodePayload,
    GridScope,
    Me,
    Tenant,
    TenantEvent,
    UserError,
)
from redgrid.platform import tenancy
from redgrid.platform.errors import InvalidInput
from redgrid.platform.errors import UserError as DomainUserError
from redgrid.platform.models import District as DistrictModel
from redgrid.platform.models import Tenant as TenantModel
from redgrid.tenants.grid import service as grid

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
class Query:
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

    @strawberry.field(description="The caller's tenant's grid tree, page by page.")
    async def grid_nodes(
        self, info: Info, first: int = 50, after: str | None = None
    ) -> Connection[GridNode]:
        return await paginate(grid.nodes(info.context.ctx), first, after, GridNode.from_model)

    @strawberry.field(description="Any object by its global id; null when it is not the caller's to see.")
    async def node(self, info: Info, id: relay.GlobalID) -> relay.Node | None:
        try:
            db_id = int(id.node_id)
        except ValueError:
            return None
        if id.type_name == "GridNode":
            found = await grid.node_by_id(info.context.ctx, db_id)
            return GridNode.from_model(found) if found else None
        return None


@strawberry.input
class CreateGridNodeInput:
    parent_id: relay.GlobalID | None = None
    code: str
    name: str


def _db_id(global_id: relay.GlobalID | None, type_name: str) -> int | None:
    if global_id is None:
        return None
    if global_id.type_name != type_name or not global_id.node_id.isdigit():
        raise InvalidInput(DomainUserError(None, "INVALID_ID", f"not a {type_name} id"))
    return int(global_id.node_id)


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Secretaries and grid heads: add a node under one in their grid.")
    async def create_grid_node(self, info: Info, input: CreateGridNodeInput) -> GridNodePayload:
        try:
            node = await grid.create_node(
                info.context.ctx, parent_id=_db_id(input.parent_id, "GridNode"),
                code=input.code, name=input.name,
            )
        except InvalidInput as exc:
            return GridNodePayload(errors=[UserError.from_domain(e) for e in exc.errors])
        return GridNodePayload(node=GridNode.from_model(node))

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
            yield TenantEvent(seq=event.seq, type=event.type, path=event.path,
                              payload=event.payload, at=event.at)


schema = strawberry.Schema(
    query=Query,
    mutation=Mutation,
    subscription=Subscription,
    types=[GridNode],
    extensions=[OperationMetrics, TenantTransaction],
)
