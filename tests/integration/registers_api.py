"""Register spreadsheets through the API and the download endpoint, as the modules share them."""

from __future__ import annotations

import io
import json

import httpx
from openpyxl import load_workbook

IMPORT = """mutation($register: Register!, $file: Upload!) {
  importRegister(register: $register, file: $file) {
    imported rows moreRowErrors rowErrors { line column reason } errors { field code message } } }"""


async def upload(server, token: str, register: str, filename: str, data: bytes) -> httpx.Response:
    operations = {"query": IMPORT, "variables": {"register": register, "file": None}}
    async with httpx.AsyncClient(base_url=server.url, timeout=120) as client:
        return await client.post(
            "/graphql",
            headers={"Authorization": f"Bearer {token}"},
            data={"operations": json.dumps(operations), "map": json.dumps({"0": ["variables.file"]})},
            files={"0": (filename, data, "application/octet-stream")},
        )


async def imported(server, token: str, register: str, filename: str, data: bytes) -> dict:
    response = await upload(server, token, register, filename, data)
    assert response.status_code == 200, response.text
    body = response.json()
    assert not body.get("errors"), body["errors"]
    return body["data"]["importRegister"]


async def download(server, token: str, register: str) -> httpx.Response:
    async with httpx.AsyncClient(base_url=server.url, timeout=120) as client:
        return await client.get(f"/registers/{register}.xlsx", headers={"Authorization": f"Bearer {token}"})


def sheet_rows(body: bytes) -> list[tuple]:
    return list(load_workbook(io.BytesIO(body), read_only=True).worksheets[0].iter_rows(values_only=True))
