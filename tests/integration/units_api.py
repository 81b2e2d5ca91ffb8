"""Joint-building units through the API, as the integration modules share it."""

from __future__ import annotations

import uuid

from .clients import gql_data

ERRORS = "errors { field code message }"


UNIT = (
    "id name kind partyOrganisation contacts { name phone role } pairedNode { path } resources { kind shareable } "
    "needs { description }"
)


CREATE_UNIT = (
    f"mutation($input: CreateJointUnitInput!) {{ createJointUnit(input: $input) {{ unit {{ {UNIT} }} {ERRORS} }} }}"
)


PROJECT = "id title budget status claimedBy { id name } node { path }"


CREATE_PROJECT = (
    f"mutation($input: CreatePublicProjectInput!) {{ createPublicProject(input: $input) {{ project {{ {PROJECT} }} "
    f"{ERRORS} }} }}"
)


B03, B04 = "JS01.A1.B03", "JS01.A1.B04"


def unique_name(prefix: str = "测试单位") -> str:
    return f"{prefix}{uuid.uuid4().hex[:6]}"


def refused(body: dict) -> bool:
    return body["data"] is None and body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def create_unit(server, token: str, node_id: str | None, **fields) -> dict:
    variables = {"input": {"name": unique_name(), "kind": "ENTERPRISE", "pairedNodeId": node_id, **fields}}
    payload = (await gql_data(server, CREATE_UNIT, variables, token))["createJointUnit"]
    assert payload["errors"] == [], payload["errors"]
    return payload["unit"]


async def create_project(server, token: str, node_id: str, budget: float = 8000.5) -> dict:
    variables = {"input": {"nodeId": node_id, "title": unique_name("项目"), "budget": budget}}
    payload = (await gql_data(server, CREATE_PROJECT, variables, token))["createPublicProject"]
    assert payload["errors"] == [], payload["errors"]
    return payload["project"]
