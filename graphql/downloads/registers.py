"""GET /registers/{name}.xlsx: a register as a spreadsheet, with the same bearer token as /graphql."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from redgrid.graphql.core.context import authenticated_context
from redgrid.platform.context import Forbidden
from redgrid.platform.database import tenant_transaction
from redgrid.tenants.imports import export_register
from redgrid.tenants.registers import REGISTERS

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def download(request: Request) -> Response:
    """GET /registers/{name}.xlsx with the same bearer token as /graphql."""
    spec = REGISTERS.get(request.path_params["name"])
    if spec is None:
        raise HTTPException(404, f"no register {request.path_params['name']!r}; one of {', '.join(REGISTERS)}")
    ctx = await authenticated_context(request)
    tenant = ctx.tenant
    if tenant is None:
        raise HTTPException(403, "Forbidden: registers belong to a tenant")
    try:
        async with tenant_transaction(tenant.id):
            rows = await spec.export(ctx)
    except Forbidden as exc:
        raise HTTPException(403, f"Forbidden: {exc}") from None
    body = await run_in_threadpool(export_register, spec, rows)  # openpyxl is CPU work: keep the loop free
    filename = f"{tenant.slug}-{spec.register}.xlsx"
    return Response(body, media_type=XLSX, headers={"content-disposition": f'attachment; filename="{filename}"'})
