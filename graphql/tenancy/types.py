"""Districts, tenants and the caller, as a client sees them."""

from __future__ import annotations

from enum import Enum

import strawberry

from redgrid.graphql.core.payloads import Payload
from redgrid.platform.context import ScopeKind
from redgrid.platform.models import District as DistrictModel
from redgrid.platform.models import Tenant as TenantModel


@strawberry.enum(description="What a user may do: the realm roles RedGrid knows.")
class Role(Enum):
    PLATFORM_ADMIN = "platform-admin"
    DISTRICT_ADMIN = "district-admin"
    SECRETARY = "secretary"
    GRID_HEAD = "grid-head"
    GRID_WORKER = "grid-worker"
    DEPT_STAFF = "dept-staff"
    VOLUNTEER = "volunteer"
    UNIT_CONTACT = "unit-contact"


@strawberry.enum(description="A street (街道) or a town (镇).")
class TenantKind(Enum):
    STREET = "street"
    TOWN = "town"


# The domain's own enum, registered with strawberry (which returns the same class).
strawberry.enum(ScopeKind, description="How much of the grid a caller sees: all, a subtree, none.")


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
    kind: TenantKind
    district_slug: str

    @classmethod
    def from_model(cls, m: TenantModel, district_slug: str) -> Tenant:
        return cls(slug=m.slug, name=m.name, kind=TenantKind(m.kind), district_slug=district_slug)


@strawberry.type
class GridScope:
    kind: ScopeKind
    path: str | None


@strawberry.type(description="The caller, as the platform sees them.")
class Me:
    subject: str
    username: str
    roles: list[Role]
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
    kind: TenantKind = TenantKind.STREET
    secretary_username: str | None = None
    secretary_email: str | None = None
