"""A district's streets side by side and in total, for its district admin (or a platform
admin): key figures, coverage per level, register counts. Counts only, never a person.

Everything is read in one `district_transaction` (platform/database.py), whose SELECT-only
policy admits the rows of the district's tenants in the few tables read here and nothing
else; the services' tenant filters stay as everywhere. The registers and coverage come from
each street's snapshot while it is current (tenants/district/snapshot.py), counted live
otherwise; the cases and the roster are always live (they move with the clock: overdue, closed
today, on duty now).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from redgrid.platform.context import RequestContext
from redgrid.platform.database import district_transaction
from redgrid.platform.models import District, Tenant
from redgrid.tenants.district.models import StreetSnapshot
from redgrid.tenants.district.rules import district_to_read, total_coverage, total_figures
from redgrid.tenants.district.snapshot import marks_of, street_counts
from redgrid.tenants.figures import case_figures
from redgrid.tenants.grid.service import LevelCoverage


@dataclass(frozen=True)
class StreetFigures:
    tenant: Tenant
    figures: dict[str, Any]  # tenants/figures.py's key figures, plus `units`
    coverage: list[LevelCoverage]
    registers_as_of: datetime  # when the register counts and coverage were counted


@dataclass(frozen=True)
class DistrictOverview:
    district: District
    streets: list[StreetFigures]
    total: dict[str, Any]
    total_coverage: list[LevelCoverage]
    as_of: datetime


async def district_overview(ctx: RequestContext, slug: str | None = None) -> DistrictOverview | None:
    """The district the caller may read (tenants/district/rules.py); None when no such
    district exists (only a platform admin can name one that does not)."""
    slug = district_to_read(ctx.require_user(), slug)
    district = await District.get_or_none(slug=slug)
    if district is None:
        return None
    now = datetime.now(UTC)
    tenants = await Tenant.filter(district_id=district.id).order_by("slug")
    ids = [t.id for t in tenants]
    async with district_transaction(district.id):
        snapshots = {s.tenant_id: s for s in await StreetSnapshot.filter(tenant_id__in=ids)}  # type: ignore[attr-defined]
        marks = await marks_of(ids)
        cases = await case_figures(ids, now)
        streets = []
        for tenant in tenants:
            snapshot = snapshots.get(tenant.id)
            if snapshot is not None and snapshot.watermark == marks[tenant.id]:
                counts, counted_at = snapshot.counts, snapshot.computed_at
            else:
                counts, counted_at = await street_counts(tenant), now
            coverage = [LevelCoverage(**level) for level in counts["coverage"]]
            figures = {**cases[tenant.id], **{k: v for k, v in counts.items() if k != "coverage"}}
            streets.append(StreetFigures(tenant, {**figures, "asOf": now.isoformat()}, coverage, counted_at))
    return DistrictOverview(
        district,
        streets,
        {**total_figures(s.figures for s in streets), "asOf": now.isoformat()},
        total_coverage(s.coverage for s in streets),
        now,
    )
