"""GraphQL object types. They carry data only; rules live in `redgrid.tenants`."""

from __future__ import annotations

import dataclasses
from collections.abc import Hashable
from enum import Enum
from typing import Any

import strawberry
from strawberry.scalars import JSON

from redgrid.graphql.core.fanout import SharedPayload
from redgrid.platform.errors import InvalidInput
from redgrid.platform.errors import UserError as DomainUserError
from redgrid.platform.models import District as DistrictModel
from redgrid.platform.models import Tenant as TenantModel
from redgrid.realtime.hub import HubEvent


@strawberry.type(description="Why a mutation did not apply: which input field, a stable code, words for a person.")
class UserError:
    field: str | None
    code: str
    message: str

    @classmethod
    def from_domain(cls, error: DomainUserError) -> "UserError":
        return cls(field=error.field, code=error.code, message=error.message)


def user_errors(exc: InvalidInput) -> list[UserError]:
    """A service's refusal of bad input as a payload's typed errors."""
    return [UserError.from_domain(e) for e in exc.errors]


@strawberry.type
class District:
    slug: str
    name: str

    @classmethod
    def from_model(cls, m: DistrictModel) -> "District":
        return cls(slug=m.slug, name=m.name)


@strawberry.type
class Tenant:
    slug: str
    name: str
    kind: str
    district_slug: str

    @classmethod
    def from_model(cls, m: TenantModel, district_slug: str) -> "Tenant":
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
class DistrictPayload:
    district: District | None = None
    created: bool = False
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class CreateTenantPayload:
    tenant: Tenant | None = None
    created: bool = False
    provisioning: list[str] = strawberry.field(default_factory=list)
    initial_secretary_password: str | None = strawberry.field(
        default=None, description="Only when this call created the secretary; shown once."
    )
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.enum(description="Which stream of a tenant's events.")
class EventArea(Enum):
    GRID = "grid"
    PEOPLE = "people"
    CASES = "cases"
    ROSTER = "roster"
    FIGURES = "figures"


@strawberry.type(description="One committed change. `seq` rises by one per area of a tenant; reconnect with the last one you saw.")
class TenantEvent(SharedPayload):
    seq: int
    type: str
    path: str | None
    payload: JSON
    at: str
    renders: strawberry.Private[dict[Hashable, Any]] = dataclasses.field(default_factory=dict)

    @classmethod
    def of(cls, event: HubEvent) -> "TenantEvent":
        """One object per hub event, whichever subscriber asks: its rendering is shared."""
        shared = event.memo.get(cls)
        if shared is None:
            shared = event.memo[cls] = cls(seq=event.seq, type=event.type, path=event.path,
                                           payload=event.payload, at=event.at)
        return shared
