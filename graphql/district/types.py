"""A district's streets side by side and in total, and the platform's health: counts and
times only, never a person."""

from __future__ import annotations

from datetime import datetime

import strawberry

from redgrid.graphql.figures.types import KeyFigures
from redgrid.graphql.grid.types import LevelCoverage
from redgrid.graphql.tenancy.types import District, Tenant
from redgrid.tenants.district import health, overview


@strawberry.type(description="One street (or town) of a district: its key figures, coverage and register counts.")
class StreetFigures:
    tenant: Tenant
    figures: KeyFigures = strawberry.field(description="As the street's own staff see them in `keyFigures`.")
    units: int = strawberry.field(description="Joint-building units (驻区单位) registered.")
    coverage: list[LevelCoverage] = strawberry.field(description="Full coverage per level of the street's grid.")
    registers_as_of: datetime = strawberry.field(
        description="When the register counts and coverage were counted (cases and duty are counted now)."
    )

    @classmethod
    def from_street(cls, s: overview.StreetFigures, district_slug: str) -> StreetFigures:
        return cls(
            tenant=Tenant.from_model(s.tenant, district_slug),
            figures=KeyFigures.from_figures(s.figures),
            units=s.figures["units"],
            coverage=[LevelCoverage.from_counts(c) for c in s.coverage],
            registers_as_of=s.registers_as_of,
        )


@strawberry.type(description="A street's key figures as its figures job just published them (counts only).")
class StreetFiguresEvent:
    seq: int = strawberry.field(description="The street's own FIGURES sequence.")
    tenant: Tenant
    figures: KeyFigures


@strawberry.type(description="A district's totals over its streets.")
class DistrictTotal:
    streets: int
    figures: KeyFigures = strawberry.field(
        description="Counts summed over the streets; satisfaction the mean of all the district's verifications."
    )
    units: int
    coverage: list[LevelCoverage] = strawberry.field(
        description="Per depth of the grids (1 = each street's root), summed over the streets."
    )


@strawberry.type(description="A district's streets side by side and in total. Counts only.")
class DistrictOverview:
    district: District
    streets: list[StreetFigures]
    total: DistrictTotal
    as_of: datetime

    @classmethod
    def from_overview(cls, o: overview.DistrictOverview) -> DistrictOverview:
        slug = o.district.slug
        return cls(
            district=District.from_model(o.district),
            streets=[StreetFigures.from_street(s, slug) for s in o.streets],
            total=DistrictTotal(
                streets=len(o.streets),
                figures=KeyFigures.from_figures(o.total),
                units=o.total["units"],
                coverage=[LevelCoverage.from_counts(c) for c in o.total_coverage],
            ),
            as_of=o.as_of,
        )


@strawberry.type(description="One tenant's health as the platform sees it.")
class TenantHealth:
    tenant: Tenant
    accounts: int = strawberry.field(description="Accounts: users who have called in this tenant at least once.")
    last_activity_at: datetime | None = strawberry.field(
        description="The latest event (events are kept a day) or case reported; null when none."
    )
    open_cases: int
    overdue_cases: int

    @classmethod
    def from_health(cls, h: health.TenantHealth, district_slug: str) -> TenantHealth:
        return cls(
            tenant=Tenant.from_model(h.tenant, district_slug),
            accounts=h.accounts,
            last_activity_at=h.last_activity_at,
            open_cases=h.open_cases,
            overdue_cases=h.overdue_cases,
        )


@strawberry.type(description="A district and its tenants' health.")
class DistrictHealth:
    district: District
    tenants: list[TenantHealth]

    @classmethod
    def from_health(cls, d: health.DistrictHealth) -> DistrictHealth:
        return cls(
            district=District.from_model(d.district),
            tenants=[TenantHealth.from_health(t, d.district.slug) for t in d.tenants],
        )
