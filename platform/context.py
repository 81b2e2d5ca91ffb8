"""The request context: who calls, in which tenant, over which grid subtree.

Every service in `redgrid.tenants` takes one of these and scopes its queries by it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from redgrid.platform.auth.identity import Identity
from redgrid.platform.models import Tenant


class NotAuthenticated(Exception):
    """graphql-core copies `extensions` onto the GraphQL error, so clients get the code."""

    extensions = {"code": "UNAUTHENTICATED"}


class Forbidden(Exception):
    extensions = {"code": "FORBIDDEN"}


class ScopeKind(Enum):
    TENANT = "tenant"  # the whole tenant
    SUBTREE = "subtree"  # one grid node and everything below it
    NONE = "none"  # no grid at all (e.g. a grid head not yet assigned a grid)


@dataclass(frozen=True, slots=True)
class GridScope:
    kind: ScopeKind
    path: str | None = None

    def covers(self, path: str) -> bool:
        if self.kind is ScopeKind.TENANT:
            return True
        if self.kind is ScopeKind.NONE or self.path is None:
            return False
        return path == self.path or path.startswith(self.path + ".")


# Roles whose grid scope is the whole tenant unless an account narrows it.
TENANT_WIDE_ROLES = ("secretary",)
# Roles that act only inside the grid subtree assigned to their account.
GRID_ROLES = ("grid-head", "grid-worker")


@dataclass(frozen=True, slots=True)  # one per open websocket: no __dict__
class RequestContext:
    identity: Identity | None
    tenant: Tenant | None = None
    scope: GridScope = GridScope(ScopeKind.NONE)
    # The district department a staff member without a tenant works for (platform/tenancy.py).
    department_id: int | None = None
    # The joint unit a unit contact keeps (his account's unit; tenants/sharing/access.py).
    unit_id: int | None = None

    def require_user(self) -> Identity:
        if self.identity is None:
            raise NotAuthenticated("authentication required: send 'Authorization: Bearer <token>'")
        return self.identity

    def require_role(self, *roles: str) -> Identity:
        identity = self.require_user()
        if not identity.has_any(*roles):
            raise Forbidden(f"this needs one of the roles: {', '.join(roles)}")
        return identity

    def require_tenant(self) -> Tenant:
        self.require_user()
        if self.tenant is None:
            raise Forbidden("this needs a tenant: the caller's token names none")
        return self.tenant

    @property
    def tenant_id(self) -> int | None:
        return self.tenant.id if self.tenant else None


def grid_scope_for(identity: Identity, scope_path: str | None) -> GridScope:
    if scope_path is not None and identity.has_any(*TENANT_WIDE_ROLES, *GRID_ROLES):
        return GridScope(ScopeKind.SUBTREE, scope_path)
    if identity.has_any(*TENANT_WIDE_ROLES):
        return GridScope(ScopeKind.TENANT)
    return GridScope(ScopeKind.NONE)


def system_context(tenant: Tenant, name: str) -> RequestContext:
    """A tenant-wide context for the platform's own jobs (no roles): `name` is the actor the
    events and timelines record."""
    return RequestContext(Identity(name, name, frozenset(), tenant.slug, None), tenant, GridScope(ScopeKind.TENANT))
