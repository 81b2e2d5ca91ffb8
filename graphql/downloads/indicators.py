"""GET /indicators/cases.xlsx: case indicators as a spreadsheet, with the same bearer token as
/graphql and the arguments of `caseIndicators` as query parameters (`from`, `to`, `groupBy`,
`period`, `level`; lower case values). A street's secretary or grid head gets his street's
(within his grid); a district admin his district's, a platform admin any district's (`slug`)."""

from __future__ import annotations

from datetime import date

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from redgrid.graphql.core.context import authenticated_context
from redgrid.graphql.downloads.registers import XLSX
from redgrid.platform.context import Forbidden
from redgrid.platform.database import tenant_transaction
from redgrid.platform.errors import InvalidInput
from redgrid.tenants.cases.indicators import IndicatorQuery, case_indicators, export_xlsx
from redgrid.tenants.district.indicators import district_indicators

PARAMETERS = ("from", "to", "groupBy", "period", "level", "slug")
PARAMETER_CHARS = 64


def _query(request: Request) -> tuple[IndicatorQuery, str | None]:
    """The query parameters, each short and of its shape, or 400."""
    given = request.query_params
    unknown = sorted(set(given) - set(PARAMETERS))
    if unknown or any(len(v) > PARAMETER_CHARS for v in given.values()):
        raise HTTPException(
            400, f"query parameters: {', '.join(PARAMETERS)}, each at most {PARAMETER_CHARS} characters"
        )
    try:
        first, last = date.fromisoformat(given["from"]), date.fromisoformat(given["to"])
        level = int(given["level"]) if "level" in given else None
    except (KeyError, ValueError):
        raise HTTPException(400, "from and to: days as YYYY-MM-DD; level: a number") from None
    district = request.query_params.get("slug")
    default = "total" if district is None else "street"
    query = IndicatorQuery(
        first=first,
        last=last,
        dimension=given.get("groupBy", default),
        period=given.get("period", "whole"),
        level=level,
    )
    return query, district


async def download_indicators(request: Request) -> Response:
    ctx = await authenticated_context(request)
    if ctx.identity is None:
        raise HTTPException(401, "Unauthorized: send 'Authorization: Bearer <token>'")
    query, slug = _query(request)
    try:
        if ctx.tenant is not None:
            async with tenant_transaction(ctx.tenant.id):
                rows = await case_indicators(ctx, query)
            name = ctx.tenant.slug
        else:
            rows = await district_indicators(ctx, slug, query)
            name = slug or ctx.require_user().district_slug or "district"
    except Forbidden as exc:
        raise HTTPException(403, f"Forbidden: {exc}") from None
    except InvalidInput as exc:
        raise HTTPException(400, "; ".join(f"{e.code}: {e.message}" for e in exc.errors)) from None
    body = await run_in_threadpool(export_xlsx, rows)  # openpyxl is CPU work: keep the loop free
    filename = f"{name}-case-indicators-{query.first}-{query.last}.xlsx"
    return Response(body, media_type=XLSX, headers={"content-disposition": f'attachment; filename="{filename}"'})
