"""Residents through the API, as the integration modules share it."""

from __future__ import annotations

import uuid

from .clients import gql_data

ERRORS = "errors { field code message }"


RESIDENT = "id name idNumber sex birthDate age phone tags node { path } household { id colour }"


CREATE_RESIDENT = (
    "mutation($input: CreateResidentInput!) { createResident(input: $input) "
    f"{{ resident {{ {RESIDENT} }} {ERRORS} }} }}"
)


UPDATE_RESIDENT = (
    "mutation($input: UpdateResidentInput!) { updateResident(input: $input) "
    f"{{ resident {{ {RESIDENT} }} {ERRORS} }} }}"
)


def unique_name(prefix: str = "测试") -> str:
    return f"{prefix}{uuid.uuid4().hex[:6]}"


async def create_resident(server, token: str, node_id: str, **fields) -> dict:
    payload = (
        await gql_data(server, CREATE_RESIDENT, {"input": {"nodeId": node_id, "name": unique_name(), **fields}}, token)
    )["createResident"]
    assert payload["errors"] == [], payload["errors"]
    return payload["resident"]
