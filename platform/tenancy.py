"""Turning a verified identity into a RequestContext: its tenant (cached) and its account.

Creating districts and tenants is domain work: tenants/tenancy.py."""

from __future__ import annotations

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from redgrid.platform.auth.identity import Identity
from redgrid.platform.context import Forbidden, RequestContext, grid_scope_for
from redgrid.platform.database import tenant_transaction
from redgrid.platform.demo_users import TENANT_ROLES
from redgrid.platform.models import Account, DistrictDepartmentMember, Tenant


class TenantDirectory:
    """Tenant by slug, cached in the process; tenants are never renamed or deleted."""

    def __init__(self) -> None:
        self._by_slug: dict[str, Tenant] = {}

    async def get(self, slug: str) -> Tenant | None:
        tenant = self._by_slug.get(slug)
        if tenant is None:
            tenant = await Tenant.get_or_none(slug=slug)
            if tenant is not None:
                self._by_slug[slug] = tenant
        return tenant


async def resolve_context(identity: Identity | None, directory: TenantDirectory) -> RequestContext:
    if identity is None:
        return RequestContext(None)
    if not identity.tenant_slug:
        department = await department_of(identity)
        return RequestContext(identity, scope=grid_scope_for(identity, None), department_id=department)
    tenant = await directory.get(identity.tenant_slug)
    if tenant is None:
        raise Forbidden(f"tenant {identity.tenant_slug!r} is not provisioned on this platform")
    async with tenant_transaction(tenant.id):
        account = await _account_for(tenant, identity)
        # grid_scope_id: tortoise's FK column; grid_scope: a GridNode, typed Model (the platform may not name it)
        scope_path = account.grid_scope.path if account.grid_scope_id else None  # type: ignore[attr-defined,union-attr]
    unit_id = account.unit_id if identity.has_any("unit-contact") else None  # type: ignore[attr-defined]
    return RequestContext(identity, tenant, grid_scope_for(identity, scope_path), unit_id=unit_id)


def _tenant_role(identity: Identity) -> str:
    """The tenant role the token names (the highest, should it name several)."""
    return next((role for role in TENANT_ROLES if role in identity.roles), "")


async def department_of(identity: Identity) -> int | None:
    """The district department a `dept-staff` user without a tenant works for: the member row
    his district admin made, in the district his token names."""
    if identity.tenant_slug or not identity.district_slug or not identity.has_any("dept-staff"):
        return None
    member = await DistrictDepartmentMember.get_or_none(
        username=identity.username, department__district__slug=identity.district_slug
    )
    return member.department_id if member else None  # type: ignore[attr-defined]


async def _account_for(tenant: Tenant, identity: Identity) -> Account:
    query = Account.filter(tenant_id=tenant.id, username=identity.username).select_related("grid_scope")
    account = await query.first()
    if account is None:
        try:
            async with in_transaction("default"):  # a savepoint: a lost race must not abort the request
                await Account.create(
                    tenant_id=tenant.id,
                    subject=identity.subject,
                    username=identity.username,
                    role=_tenant_role(identity),
                )
        except IntegrityError:
            pass
        account = await query.first()
        assert account is not None
    elif account.subject != identity.subject:
        account.subject = identity.subject
        await account.save(update_fields=["subject"])
    return account
