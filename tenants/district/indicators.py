"""A district's case indicators (tenants/cases/indicators.py) across its streets, for its
district admin or a platform admin: counts of streets, grids, categories, sources and line
departments, never of a person. Read in one `district_transaction`, whose SELECT-only policy
admits the cases, grid nodes and categories of the district's streets and nothing else. By
street (or in total), a street whose days are current (tenants/cases/rollup.py) is read from
them, the others from their cases."""

from __future__ import annotations

from redgrid.platform.context import RequestContext
from redgrid.platform.database import district_transaction
from redgrid.platform.errors import InvalidInput, UserError
from redgrid.platform.models import District, Tenant
from redgrid.tenants.cases import rollup
from redgrid.tenants.cases.indicators import IndicatorQuery, IndicatorRow, check_query, rows_of
from redgrid.tenants.district.rules import district_to_read


async def district_indicators(ctx: RequestContext, slug: str | None, query: IndicatorQuery) -> list[IndicatorRow]:
    """The indicators of the district the caller may read (tenants/district/rules.py);
    NOT_FOUND when no such district exists (only a platform admin can name one that does not)."""
    slug = district_to_read(ctx.require_user(), slug)
    check_query(query, district=True)
    district = await District.get_or_none(slug=slug)
    if district is None:
        raise InvalidInput(UserError("slug", "NOT_FOUND", "no such district"))
    ids: list[int] = [t.id for t in await Tenant.filter(district_id=district.id).only("id")]
    async with district_transaction(district.id):
        return await rows_of(ids, query, None, query.level or 1, await rollup.current(ids))
