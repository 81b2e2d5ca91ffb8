"""GET /public/photo?street=<slug>&index=<n>, the tracking token in the `X-Tracking-Token`
header: a resolution photo of the case a resident's tracking link follows, without an account.
The token travels in a header, never in the URL (access logs record paths). A wrong token, a
wrong street and a photo the public view does not show answer the same 404; the client
address's public budget is charged first (429 with Retry-After)."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from redgrid.graphql.core.ratelimits import client_address
from redgrid.platform.ratelimit import RateLimited, TooManyRequests
from redgrid.platform.storage import storage
from redgrid.tenants.cases import public

TOKEN_HEADER = "x-tracking-token"


async def download_tracked_photo(request: Request) -> Response:
    try:
        await request.app.state.services.rate_limiter.public(client_address(request))
    except RateLimited as exc:
        raise TooManyRequests(exc) from None
    street = request.query_params.get("street", "")
    index = request.query_params.get("index", "")
    token = request.headers.get(TOKEN_HEADER, "")
    found = (
        await public.tracked_photo(street, token, int(index))
        if index.isascii() and index.isdigit() and len(index) < 4 and token
        else None
    )
    if found is None:
        raise HTTPException(404, "no such photo")
    return storage().download(found.storage_key, filename=found.filename, content_type=found.content_type)
