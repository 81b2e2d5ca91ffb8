"""Case photos through the API and the attachment endpoint, as the modules share them."""

from __future__ import annotations

import io
import json
from pathlib import Path

import httpx
from PIL import Image

from redgrid.platform.database import tenant_transaction
from redgrid.platform.models import Tenant
from redgrid.tenants.cases.models import CaseAttachment

ADD = """mutation($caseId: ID!, $file: Upload!) { addCaseAttachment(caseId: $caseId, file: $file) {
    attachment { id filename contentType size sha256 width height uploadedBy url } errors { field code message } } }"""


def photo(fmt: str = "JPEG", size: tuple[int, int] = (64, 48)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format=fmt)
    return buffer.getvalue()


async def upload(
    server, token: str, case_id: str, data: bytes, filename: str = "现场.jpg", content_type: str = "image/jpeg"
) -> httpx.Response:
    operations = {"query": ADD, "variables": {"caseId": case_id, "file": None}}
    async with httpx.AsyncClient(base_url=server.url, timeout=60) as client:
        return await client.post(
            "/graphql",
            headers={"Authorization": f"Bearer {token}"},
            data={"operations": json.dumps(operations), "map": json.dumps({"0": ["variables.file"]})},
            files={"0": (filename, data, content_type)},
        )


async def added(server, token: str, case_id: str, data: bytes, **kw) -> dict:
    response = await upload(server, token, case_id, data, **kw)
    assert response.status_code == 200, response.text
    body = response.json()
    assert not body.get("errors"), body["errors"]
    return body["data"]["addCaseAttachment"]


async def fetch(server, token: str | None, url: str) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:
        return await client.get(url, headers=headers)


def stored_files(env: dict[str, str]) -> list[Path]:
    root = Path(env["REDGRID_DATA_DIR"]) / "attachments"
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


async def rows_of(tenant: Tenant, case_global_id: str) -> int:
    from strawberry import relay

    case_id = int(relay.GlobalID.from_id(case_global_id).node_id)
    async with tenant_transaction(tenant.id):
        return await CaseAttachment.filter(case_id=case_id).count()
