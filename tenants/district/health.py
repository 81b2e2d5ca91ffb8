"""The platform's districts and tenants with their health, for platform admins: accounts,
last activity, open and overdue cases. Counts and times only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

from tortoise.functions import Max
from tortoise.queryset import QuerySet

from redgrid.platform.context import RequestContext
from redgrid.platform.database import tenant_transaction
from redgrid.platform.models import Account, District, Event, Tenant
from redgrid.tenants.cases.models import Case
from redgrid.tenants.figures import case_figures


@dataclass(frozen=True)
class TenantHealth:
    tenant: Tenant
    accounts: int
    last_activity_at: datetime | None  # the latest event (kept a day) or case reported
    open_cases: int
    overdue_cases: int


@dataclass(frozen=True)
class DistrictHealth:
    district: District
    tenants: list[TenantHealth]


async def _latest(query: QuerySet[Any]) -> datetime | None:
    latest = await query.annotate(at=Max("created_at")).first().values_list("at", flat=True)
    return cast("datetime | None", latest)  # tortoise types a flat values_list value as a tuple


async def platform_health(ctx: RequestContext) -> list[DistrictHealth]:
    """Every district with its tenants, by slug. Each tenant is read in a transaction of its
    own tenant, as the platform's jobs read it (a savepoint of the request's transaction)."""
    ctx.require_role("platform-admin")
    now = datetime.now(UTC)
    tenants = await Tenant.all().order_by("slug")
    healths: dict[int, list[TenantHealth]] = {}
    for tenant in tenants:
        async with tenant_transaction(tenant.id):
            cases = (await case_figures([tenant.id], now))[tenant.id]
            times = [
                t
                for t in (
                    await _latest(Event.filter(tenant_id=tenant.id)),
                    await _latest(Case.filter(tenant_id=tenant.id)),
                )
                if t is not None
            ]
            health = TenantHealth(
                tenant,
                await Account.filter(tenant_id=tenant.id).count(),
                max(times) if times else None,
                cases["openCases"],
                cases["overdueCases"],
            )
        healths.setdefault(tenant.district_id, []).append(health)  # type: ignore[attr-defined]
    return [DistrictHealth(d, healths.get(d.id, [])) for d in await District.all().order_by("slug")]
