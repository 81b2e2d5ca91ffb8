"""Districts, tenants and the caller, as a client sees them."""

from __future__ import annotations

import strawberry

from redgrid.graphql.core.payloads import Payload
from redgrid.platform.models import District as DistrictModel
from redgrid.platform.models import Tenant as TenantModel


@strawberry.type
class District:
    slug: str
    name: str

    @classmethod
    def from_model(cls, m: DistrictModel) -> District:
        return cls(slug=m.slug, name=m.name)


@strawberry.type
class Tenant:
    slug: str
    name: str
    kind: str
    district_slug: str

    @classmethod
    def from_model(cls, m: TenantModel, district_slug: str) -> Tenant:
        return cls(slug=m.slug, name=m.name, kind=m.kind, district_slug=district_slug)


@strawberry.type
class GridScope:
    kind: str
    path: str | None


@strawberry.type(description="The caller, as the platform sees them.")
class Me:
    subject: str
    username: str
    roles: list[str]
    tenant: Tenant | None
    district_slug: str | None
    grid_scope: GridScope


@strawberry.type
class DistrictPayload(Payload):
    district: District | None = None
    created: bool = False


@strawberry.type
class CreateTenantPayload(Payload):
    tenant: Tenant | None = None
    created: bool = False
    provisioning: list[str] = strawberry.field(default_factory=list)
    initial_secretary_password: str | None = strawberry.field(
        default=None, description="Only when this call created the secretary; shown once."
    )


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
