"""GET /attachments/{id}: a case photo for whoever may see the case, with the same bearer token
as /graphql. Disk storage streams the file; S3 storage redirects to a short-lived signed URL."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from strawberry import relay

from redgrid.graphql.core.context import authenticated_context
from redgrid.graphql.core.extensions import caller_transaction
from redgrid.graphql.core.ids import parse_db_id
from redgrid.platform.storage import storage
from redgrid.tenants.cases import attachments


async def download_attachment(request: Request) -> Response:
    ctx = await authenticated_context(request)
    try:
        global_id = relay.GlobalID.from_id(request.path_params["id"])
    except ValueError:
        global_id = None
    if ctx.identity is None:
        raise HTTPException(401, "Unauthorized: send 'Authorization: Bearer <token>'")
    number = parse_db_id(global_id.node_id) if global_id and global_id.type_name == "CaseAttachment" else None
    if number is None or (ctx.tenant is None and ctx.department_id is None):
        raise HTTPException(404, "no such attachment")
    async with caller_transaction(ctx):  # a district department's staff: their referred cases
        found = await attachments.visible_attachment(ctx, number)
    if found is None:  # also when it exists but its case is out of the caller's sight
        raise HTTPException(404, "no such attachment")
    return storage().download(found.storage_key, filename=found.filename, content_type=found.content_type)
