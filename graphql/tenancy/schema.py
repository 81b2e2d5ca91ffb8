"""The caller (`me`), the tenants he may see, and creating districts and tenants."""

from __future__ import annotations

import strawberry

from redgrid.graphql.core.context import GraphQLContext
from redgrid.graphql.core.payloads import mutation
from redgrid.graphql.tenancy.types import (
    CreateDistrictInput,
    CreateTenantInput,
    CreateTenantPayload,
    District,
    DistrictPayload,
    GridScope,
    Me,
    Role,
    Tenant,
)
from redgrid.platform.models import District as DistrictModel
from redgrid.platform.models import Tenant as TenantModel
from redgrid.tenants import tenancy

Info = strawberry.Info[GraphQLContext, None]


async def _tenant_type(model: TenantModel) -> Tenant:
    district = await DistrictModel.get(id=model.district_id)  # type: ignore[attr-defined]
    return Tenant.from_model(model, district.slug)


@strawberry.type
class TenancyQuery:
    @strawberry.field(description="The caller: roles, tenant and grid scope.")
    async def me(self, info: Info) -> Me:
        ctx = info.context.ctx
        identity = ctx.require_user()
        return Me(
            subject=identity.subject,
            username=identity.username,
            roles=[Role(role) for role in sorted(identity.roles)],
            tenant=await _tenant_type(ctx.tenant) if ctx.tenant else None,
            district_slug=identity.district_slug,
            grid_scope=GridScope(kind=ctx.scope.kind, path=ctx.scope.path),
        )

    @strawberry.field(description="Tenants the caller may see: all (platform), the district's, or its own.")
    async def tenants(self, info: Info) -> list[Tenant]:
        return [Tenant.from_model(t, t.district.slug) for t in await tenancy.visible_tenants(info.context.ctx)]


@strawberry.type
class TenancyMutation:
    @mutation(description="Platform admins: create a district (idempotent by slug).")
    async def create_district(self, info: Info, input: CreateDistrictInput) -> DistrictPayload:
        result = await tenancy.create_district(info.context.ctx, input.slug, input.name)
        return DistrictPayload(district=District.from_model(result.value), created=result.created)

    @mutation(description="Platform admins: create a tenant and its Keycloak side (idempotent by slug).")
    async def create_tenant(self, info: Info, input: CreateTenantInput) -> CreateTenantPayload:
        secretary = None
        if input.secretary_username or input.secretary_email:
            secretary = (input.secretary_username or "", input.secretary_email or "")
        result = await tenancy.create_tenant(
            info.context.ctx,
            info.context.services.provisioner,
            slug=input.slug,
            name=input.name,
            district_slug=input.district_slug,
            kind=input.kind.value,
            secretary=secretary,
        )
        report = result.provisioning
        return CreateTenantPayload(
            tenant=await _tenant_type(result.value),
            created=result.created,
            provisioning=report.actions if report else [],
            initial_secretary_password=report.initial_password if report else None,
        )
