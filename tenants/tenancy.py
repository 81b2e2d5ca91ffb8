"""Creating districts and tenants: checked input, idempotent by slug, and a tenant's
identity-provider side made in the same step (platform/provisioning.py)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Generic, TypeVar

from tortoise.transactions import in_transaction

from redgrid.platform.context import RequestContext
from redgrid.platform.errors import InvalidInput, UserError, text_errors
from redgrid.platform.models import District, Tenant
from redgrid.platform.provisioning import Provisioner, ProvisionReport
from redgrid.tenants.cases.service import ensure_default_categories

SLUG = re.compile(r"^[a-z][a-z0-9-]{1,62}$")
TENANT_KINDS = ("street", "town")


def _check_slug(field: str, value: str) -> list[UserError]:
    if SLUG.match(value):
        return []
    return [UserError(field, "INVALID_SLUG", "use 2 to 63 lower-case letters, digits or '-', starting with a letter")]


T = TypeVar("T")


@dataclass
class Created(Generic[T]):
    value: T
    created: bool
    provisioning: ProvisionReport | None = None


async def create_district(ctx: RequestContext, slug: str, name: str) -> Created[District]:
    ctx.require_role("platform-admin")
    errors = _check_slug("slug", slug) + text_errors("name", name, 200, code="INVALID_NAME")
    if errors:
        raise InvalidInput(*errors)
    district, created = await District.get_or_create(slug=slug, defaults={"name": name.strip()})
    return Created(district, created)


async def create_tenant(
    ctx: RequestContext,
    provisioner: Provisioner,
    *,
    slug: str,
    name: str,
    district_slug: str,
    kind: str = "street",
    secretary: tuple[str, str] | None = None,
) -> Created[Tenant]:
    """Create the tenant row, its default case categories and its identity-provider side; run
    twice, it creates nothing new.

    The row is written in a transaction that commits only after the identity provider has
    answered, so a Keycloak failure leaves no half-made tenant.
    """
    ctx.require_role("platform-admin")
    errors = _check_slug("slug", slug) + text_errors("name", name, 200, code="INVALID_NAME")
    if kind not in TENANT_KINDS:
        errors.append(UserError("kind", "INVALID_KIND", f"kind is one of {', '.join(TENANT_KINDS)}"))
    if secretary is not None:
        username, email = secretary
        if not SLUG.match(username):
            errors += [UserError("secretaryUsername", "INVALID_USERNAME", "use lower-case letters, digits or '-'")]
        if "@" not in email:
            errors += [UserError("secretaryEmail", "INVALID_EMAIL", "an e-mail address is required")]
    if errors:
        raise InvalidInput(*errors)
    district = await District.get_or_none(slug=district_slug)
    if district is None:
        raise InvalidInput(UserError("districtSlug", "NOT_FOUND", f"no district {district_slug!r}"))
    async with in_transaction("default"):
        tenant = await Tenant.select_for_update().get_or_none(slug=slug)
        created = tenant is None
        if tenant is None:
            tenant = await Tenant.create(slug=slug, name=name.strip(), kind=kind, district=district)
        elif tenant.district_id != district.id:  # type: ignore[attr-defined]
            raise InvalidInput(UserError("slug", "SLUG_TAKEN", f"tenant {slug!r} belongs to another district"))
        await ensure_default_categories(tenant.id)  # its case taxonomy with the "3-1" deadlines
        try:
            report = await provisioner.ensure_tenant(slug, district.slug, secretary)
        except ValueError as exc:
            raise InvalidInput(UserError("secretaryUsername", "CONFLICT", str(exc))) from None
    return Created(tenant, created, report)


async def visible_tenants(ctx: RequestContext) -> list[Tenant]:
    """The tenants the caller may see: all (platform admin), his district's (district admin),
    or his own; with their districts, by slug."""
    identity = ctx.require_user()
    query = Tenant.all().select_related("district").order_by("slug")
    if identity.has_any("platform-admin"):
        pass
    elif identity.has_any("district-admin") and identity.district_slug:
        query = query.filter(district__slug=identity.district_slug)
    else:
        query = query.filter(id=ctx.require_tenant().id)
    return await query
