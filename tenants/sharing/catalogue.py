"""The catalogue: one row per resource (`ResourceShare`), written by the owning street whenever
the resource or its unit changes, and searched by every street its scope reaches.

The search filters explicitly by the scope rule, and row-level security applies the same rule
again (tenants/sharing/models.py): a forgotten filter shows no more. A row names the offering
unit and street and says what is offered; it never carries a contact.
"""

from __future__ import annotations

from dataclasses import dataclass

from tortoise.expressions import Q
from tortoise.queryset import QuerySet

from redgrid.platform.context import RequestContext
from redgrid.platform.database import connection, is_postgres
from redgrid.platform.errors import InvalidInput, UserError
from redgrid.platform.models import Tenant
from redgrid.tenants.sharing.access import require_sharing
from redgrid.tenants.sharing.models import SHARE_SCOPES, ResourceShare
from redgrid.tenants.units.models import RESOURCE_KINDS, JointUnit, UnitResource

MAX_WORDS = 5
MAX_QUANTITY = 1_000_000


def check_share(scope: str | None, quantity: int | None) -> list[UserError]:
    errors = []
    if scope is not None and scope not in SHARE_SCOPES:
        errors.append(UserError("shareScope", "INVALID_SCOPE", f"share scope is one of {', '.join(SHARE_SCOPES)}"))
    if quantity is not None and not 0 <= quantity <= MAX_QUANTITY:
        errors.append(UserError("quantity", "OUT_OF_RANGE", f"a quantity from 0 to {MAX_QUANTITY}"))
    return errors


async def publish(resource: UnitResource, unit: JointUnit) -> ResourceShare:
    """Write the resource's catalogue row as the resource and its unit now are (in the owning
    street's transaction)."""
    tenant = await Tenant.get(id=resource.tenant_id)  # type: ignore[attr-defined]
    values = {
        "unit_id": unit.id,
        "unit_name": unit.name,
        "street_name": tenant.name,
        "district_id": tenant.district_id,  # type: ignore[attr-defined]
        "kind": resource.kind,
        "description": resource.description,
        "scope": resource.share_scope,
        "quantity": resource.quantity,
    }
    share = await ResourceShare.filter(tenant_id=tenant.id, resource_id=resource.id).first()
    if share is None:
        return await ResourceShare.create(tenant_id=tenant.id, resource_id=resource.id, **values)
    share.update_from_dict(values)
    await share.save()
    return share


async def publish_all(tenant_id: int) -> None:
    """The catalogue rows of a street's resources that have none, in one statement (seeding)."""
    mark = "$1" if is_postgres() else "?"
    await connection().execute_query(
        "INSERT INTO resource_share (tenant_id, resource_id, unit_id, unit_name, street_name, district_id, kind,"
        " description, scope, quantity, updated_at)"
        " SELECT r.tenant_id, r.id, u.id, u.name, t.name, t.district_id, r.kind, r.description, r.share_scope,"
        " r.quantity, CURRENT_TIMESTAMP"
        " FROM unit_resource r JOIN joint_unit u ON u.id = r.unit_id JOIN tenant t ON t.id = r.tenant_id"
        f" WHERE r.tenant_id = {mark} AND NOT EXISTS (SELECT 1 FROM resource_share s WHERE s.resource_id = r.id)",
        [tenant_id],
    )


async def rename_unit(unit: JointUnit) -> None:
    await ResourceShare.filter(tenant_id=unit.tenant_id, unit_id=unit.id).update(unit_name=unit.name)  # type: ignore[attr-defined]


def reach(tenant: Tenant) -> Q:
    """The catalogue rows a street may read: its own, its district's shared with the district,
    and those shared with every district."""
    return (
        Q(tenant_id=tenant.id) | Q(scope="all") | Q(scope="district", district_id=tenant.district_id)  # type: ignore[attr-defined]
    )


def visible(ctx: RequestContext) -> QuerySet[ResourceShare]:
    require_sharing(ctx)
    return ResourceShare.filter(reach(ctx.require_tenant()))


async def share_by_id(ctx: RequestContext, share_id: int) -> ResourceShare | None:
    return await visible(ctx).get_or_none(id=share_id)


@dataclass(frozen=True)
class Search:
    """What a catalogue search asks: all given conditions hold (words: each word appears in the
    description or the unit's name)."""

    kind: str | None = None
    words: str = ""
    scope: str | None = None
    others_only: bool = False  # offered by other streets only
    district_only: bool = False  # offered in the caller's district (his own street included)
    in_stock: bool = False  # goods with a quantity left, or not counted


def search(ctx: RequestContext, s: Search) -> QuerySet[ResourceShare]:
    tenant = ctx.require_tenant()
    errors = []
    if s.kind is not None and s.kind not in RESOURCE_KINDS:
        errors.append(UserError("filter.kind", "INVALID_KIND", f"kind is one of {', '.join(RESOURCE_KINDS)}"))
    errors += check_share(s.scope, None)
    words = s.words.split()
    if len(words) > MAX_WORDS or len(s.words) > 100:
        errors.append(UserError("filter.words", "TOO_LONG", f"at most {MAX_WORDS} words, 100 characters"))
    if errors:
        raise InvalidInput(*errors)
    query = visible(ctx)
    if s.kind is not None:
        query = query.filter(kind=s.kind)
    if s.scope is not None:
        query = query.filter(scope=s.scope)
    if s.others_only:
        query = query.exclude(tenant_id=tenant.id)
    if s.district_only:
        query = query.filter(district_id=tenant.district_id)  # type: ignore[attr-defined]
    if s.in_stock:
        query = query.filter(Q(quantity__isnull=True) | Q(quantity__gt=0))
    for word in words:
        query = query.filter(Q(description__icontains=word) | Q(unit_name__icontains=word))
    return query
