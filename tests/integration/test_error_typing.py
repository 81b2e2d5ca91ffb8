"""Every error a caller can provoke is typed (`extensions.code`) and says nothing of the
server's insides: InvalidInput escaping a query, unreadable ids, values of the wrong type, a
string sent for a file, control characters in any string, refusals before execution."""

from __future__ import annotations

import base64
import json

import httpx
import pytest

from .clients import gql
from .conftest import LiveServer

IMPORT = """mutation($file: Upload!) { importRegister(register: RESIDENTS, file: $file) {
  imported errors { field code message } } }"""
ID_NUMBER = "110105194912310021"
SQUARE = {"type": "Polygon", "coordinates": [[[118.8, 31.9], [118.9, 31.9], [118.9, 32.0], [118.8, 31.9]]]}


@pytest.fixture(scope="module")
def secretary(street) -> str:
    return street.token("secretary")


async def errors_of(
    server: LiveServer,
    query: str,
    variables: dict | None = None,
    token: str | None = None,
) -> list[dict]:
    response = await gql(server, query, variables, token)
    assert response.status_code == 200, response.text
    return response.json()["errors"]


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def codes(errors: list[dict]) -> list[str]:
    return [e["extensions"]["code"] for e in errors]


async def upload(server: LiveServer, token: str | None, data: bytes) -> dict:
    operations = {"query": IMPORT, "variables": {"file": None}}
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with httpx.AsyncClient(base_url=server.url, timeout=60) as client:
        response = await client.post(
            "/graphql",
            headers=headers,
            files={"0": ("x.csv", data, "application/octet-stream")},
            data={"operations": json.dumps(operations), "map": json.dumps({"0": ["variables.file"]})},
        )
    assert response.status_code == 200, response.text
    return response.json()


async def test_an_import_asks_who_calls_before_it_reads_the_file(live_server, secretary, street):
    as_string = 'mutation { importRegister(register: RESIDENTS, file: "x") { imported errors { field code } } }'
    assert codes(await errors_of(live_server, as_string)) == ["UNAUTHENTICATED"]
    assert codes((await upload(live_server, None, b"junk"))["errors"]) == ["UNAUTHENTICATED"]
    # A role that may not import is refused before the file is parsed (junk would be UNREADABLE).
    volunteer = await upload(live_server, street.token("volunteer"), b"\x00junk")
    assert codes(volunteer["errors"]) == ["FORBIDDEN"]
    for query, variables in ((as_string, None), (IMPORT, {"file": "x"})):
        response = await gql(live_server, query, variables, secretary)
        payload = response.json()["data"]["importRegister"]
        assert payload["errors"][0]["field"] == "file" and payload["errors"][0]["code"] == "INVALID"


async def test_invalid_input_escaping_a_query_answers_its_code_and_field(live_server, secretary):
    [error] = await errors_of(live_server, "{ gridNodes(first: 0) { totalCount } }", token=secretary)
    assert error["extensions"] == {"code": "OUT_OF_RANGE", "field": "first"} and error["path"] == ["gridNodes"]
    [error] = await errors_of(live_server, '{ cases(first: 5, after: "-BHpk") { totalCount } }', token=secretary)
    assert error["extensions"] == {"code": "INVALID_CURSOR", "field": "after"}


async def test_an_unreadable_id_is_invalid_id(live_server, secretary):
    for query in (
        '{ node(id: "") { id } }',
        '{ listingBoard(nodeId: "\\"i") { __typename } }',
        '{ serviceOrders(filter: {itemId: ""}) { totalCount } }',
    ):
        assert codes(await errors_of(live_server, query, token=secretary)) == ["INVALID_ID"], query
    errors = await errors_of(live_server, "query($i: ID!) { node(id: $i) { id } }", {"i": ID_NUMBER}, secretary)
    assert codes(errors) == ["INVALID_ID"]


async def test_a_number_beyond_a_bigint_in_an_id_or_a_cursor_never_reaches_postgresql(live_server, secretary):
    huge = str(2**64)
    node = await gql(live_server, "query($i: ID!) { node(id: $i) { id } }", {"i": b64(f"GridNode:{huge}")}, secretary)
    assert node.json() == {"data": {"node": None}}
    update = """mutation($i: ID!) { updateGridNode(input: {id: $i, name: "x"}) { errors { field code } } }"""
    payload = (await gql(live_server, update, {"i": b64(f"GridNode:{huge}")}, secretary)).json()["data"]
    assert payload["updateGridNode"]["errors"] == [{"field": "id", "code": "INVALID_ID"}]
    for forged in (f'["a",{huge}]', f"[{huge},1]", '["a\u0000",1]', "[" * 3000):
        query = "query($c: String) { gridNodes(first: 5, after: $c) { totalCount } }"
        errors = await errors_of(live_server, query, {"c": b64(forged)}, secretary)
        assert [e["extensions"] for e in errors] == [{"code": "INVALID_CURSOR", "field": "after"}], forged


async def test_refusals_before_execution_are_typed(live_server, secretary):
    assert codes(await errors_of(live_server, "{ me { ", token=secretary)) == ["GRAPHQL_PARSE_FAILED"]
    assert codes(await errors_of(live_server, "{ me { nosuch } }", token=secretary)) == ["GRAPHQL_VALIDATION_FAILED"]
    errors = await errors_of(
        live_server, "query($f: Int!) { gridNodes(first: $f) { totalCount } }", {"f": "x"}, secretary
    )
    assert codes(errors) == ["BAD_USER_INPUT"]


async def test_a_control_character_in_any_string_is_invalid_text_not_a_crash(live_server, secretary):
    filtered = "query($n: String) { gridNodes(filter: {nameContains: $n}) { totalCount } }"
    for variables in ({"n": "a\x00b"}, {"n": "\u202eevil"}, {"n": "a\x1bb"}):
        assert codes(await errors_of(live_server, filtered, variables, secretary)) == ["INVALID_TEXT"]
    literal = '{ gridNodes(filter: {nameContains: "a\\u0000b"}) { totalCount } }'
    assert codes(await errors_of(live_server, literal, token=secretary)) == ["INVALID_TEXT"]
    # A multi-line text keeps its line feeds and tabs.
    fine = await gql(live_server, filtered, {"n": "a\n\tb"}, secretary)
    assert "errors" not in fine.json(), fine.text
    # A mutation's services name the field, in the payload, as a form needs.
    [node] = (await gql(live_server, "{ gridNodes(first: 1) { edges { node { id } } } }", token=secretary)).json()[
        "data"
    ]["gridNodes"]["edges"]
    update = """mutation($input: UpdateGridNodeInput!) { updateGridNode(input: $input) { errors { field code } } }"""
    for change, code in (
        ({"name": "a\x00"}, "INVALID_TEXT"),
        ({"headName": "\u202eb"}, "INVALID_TEXT"),
        ({"boundary": {**SQUARE, "note": "a\x00"}}, "INVALID_GEOJSON"),
    ):  # jsonb refuses a NUL
        [(field, value)] = change.items()
        response = await gql(live_server, update, {"input": {"id": node["node"]["id"], field: value}}, secretary)
        assert response.json()["data"]["updateGridNode"]["errors"] == [{"field": field, "code": code}], response.text
