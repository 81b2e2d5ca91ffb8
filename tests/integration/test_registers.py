"""Registers as spreadsheets against PostgreSQL and Keycloak: uploads through GraphQL's
multipart request, the all-or-nothing rule with its row report, scope, masking on export, and
the CLI with the same files."""

from __future__ import annotations

import io
import subprocess
import sys
from datetime import date

from openpyxl import Workbook

from redgrid.platform.database import tenant_transaction
from redgrid.platform.models import Tenant
from redgrid.platform.root.demo import secretary_context
from redgrid.tenants import imports
from redgrid.tenants.people import idcard
from redgrid.tenants.people.models import Household, Resident
from redgrid.tenants.people.registers import HouseholdsRegister, ResidentsRegister

from .clients import gql_data
from .conftest import ROOT
from .registers_api import download, imported, sheet_rows, upload

B03, B04 = "JS01.A1.B03", "JS01.A1.B04"
RESIDENT_HEADERS = "姓名,公民身份号码,性别,联系电话,网格编码,楼栋,单元,房号,房屋类型,标签"


def number(sequence: int, birth: date = date(1950, 5, 1)) -> str:
    return idcard.make("130102", birth, sequence)  # a region no other test uses


async def resident_count(server, token: str, search: str) -> int:
    query = "query($f: ResidentFilter) { residents(first: 1, filter: $f) { totalCount } }"
    return (await gql_data(server, query, {"f": {"nameContains": search}}, token))["residents"]["totalCount"]


def csv(lines: list[str], encoding: str = "gb18030") -> bytes:
    return ("\n".join([RESIDENT_HEADERS, *lines]) + "\n").encode(encoding)


async def test_a_good_file_imports_whole_with_households_and_colours(live_server, tokens):
    data = csv(
        [
            f"导入甲,{number(1)},男,13800001111,{B03},3幢,1单元,101,自住,低保",
            f"导入乙,{number(3, date(1952, 2, 2))},,,{B03},3幢,1单元,101,,",
            f"导入丙,,女,025-52123456,{B03},,,,,独居、残疾",
        ]
    )
    result = await imported(live_server, tokens["secretary"], "RESIDENTS", "居民.csv", data)
    assert result == {"imported": 3, "rows": 3, "moreRowErrors": 0, "rowErrors": [], "errors": []}
    query = """query($f: ResidentFilter) { residents(first: 10, filter: $f, order: {field: NAME}) {
      edges { node { name sex birthDate tags household { address colour members { name } } } } } }"""
    rows = [
        e["node"]
        for e in (await gql_data(live_server, query, {"f": {"nameContains": "导入"}}, tokens["secretary"]))[
            "residents"
        ]["edges"]
    ]
    by_name = {r["name"]: r for r in rows}
    assert by_name["导入甲"]["sex"] == "MALE" and by_name["导入甲"]["birthDate"] == "1950-05-01"  # from the ID
    assert by_name["导入乙"]["household"]["colour"] == "BLUE"  # one household, coloured by 甲's low income
    assert sorted(m["name"] for m in by_name["导入乙"]["household"]["members"]) == ["导入乙", "导入甲"]
    assert by_name["导入丙"]["household"] is None and {"LIVING_ALONE", "DISABLED"} <= set(by_name["导入丙"]["tags"])


async def test_a_file_with_bad_rows_imports_nothing_and_lists_every_one(live_server, tokens):
    good = number(5)
    bad_checksum = good[:-1] + ("0" if good[-1] != "0" else "1")
    data = csv(
        [
            f"坏甲,{good},,,{B03},,,,,",  # good
            f"坏乙,{bad_checksum},,,{B03},,,,,",  # checksum
            f"坏丙,,,12345,{B03},,,,,",  # phone
            "坏丁,,,,NOPE.99,,,,,",  # grid code
            f"坏戊,{good},,,{B03},,,,,",  # duplicate of line 2
            f"坏己,{number(1)},,,{B03},,,,,",  # registered by the first test
            f"坏庚,{number(7)},女,,{B03},,,,,",  # the ID says male
            f"坏辛,,,,{B03},3幢,,,,",  # building without room
            f",,,,{B03},,,,,",  # no name
        ]
    )
    result = await imported(live_server, tokens["secretary"], "RESIDENTS", "bad.csv", data)
    assert result["imported"] == 0 and result["rows"] == 9
    reasons = {(e["line"], e["column"]): e["reason"] for e in result["rowErrors"]}
    assert [line for line, _ in reasons] == [3, 4, 5, 6, 7, 8, 9, 10]
    assert "check" in reasons[(3, "公民身份号码")].lower()
    assert (4, "联系电话") in reasons and (5, "网格编码") in reasons
    assert reasons[(6, "公民身份号码")] == "duplicate of line 2 in this file"
    assert reasons[(7, "公民身份号码")] == "already registered in this tenant"
    assert (8, "性别") in reasons and (9, "房号") in reasons and reasons[(10, "姓名")] == "required"
    assert await resident_count(live_server, tokens["secretary"], "坏甲") == 0  # the good row too


class CountingResidents(ResidentsRegister):
    """Counts the rows its writer had written when it asked for the next part."""

    written = 0

    async def write(self, ctx, parts, state):  # type: ignore[no-untyped-def]
        async def counted():  # type: ignore[no-untyped-def]
            async for rows in parts:
                yield rows
                self.written += len(rows)

        return await super().write(ctx, counted(), state)


async def test_parts_written_before_a_bad_row_roll_back_with_their_households(db, monkeypatch, street):
    """The writer inserts parts of the file while later rows are still checked: a bad last row
    takes back every resident and every household already inserted."""
    monkeypatch.setattr(imports, "PART_ROWS", 3)
    monkeypatch.setattr(imports, "YIELD_ROWS", 1)
    born = date(1961, 6, 1)  # no other test's numbers
    lines = [f"分批{i},{number(i, born)},,,{B03},分批楼,1单元,{100 + i // 2},," for i in range(300)]
    data = csv([*lines, f"分批坏,{number(0, born)},,,{B03},,,,,"])
    tenant = await Tenant.get(slug=street.slug)
    spec = CountingResidents()
    async with tenant_transaction(tenant.id):
        result = await imports.run_import(secretary_context(tenant), spec, "r.csv", data)
    assert [(e.line, e.reason) for e in result.errors] == [(302, "duplicate of line 2 in this file")]
    assert result.imported == 0 and spec.written > 0
    async with tenant_transaction(tenant.id):
        assert not await Resident.filter(tenant_id=tenant.id, name__startswith="分批").exists()
        assert not await Household.filter(tenant_id=tenant.id, building="分批楼").exists()


async def test_a_household_split_across_parts_is_coloured_by_all_its_members(db, monkeypatch, street):
    """Created with the part that brings its first member, recoloured once a later part brings
    one on low income."""
    monkeypatch.setattr(imports, "PART_ROWS", 1)
    born = date(1962, 7, 1)
    data = csv(
        [
            f"分户甲,{number(1, born)},,,{B03},分户楼,1单元,101,,",
            f"分户乙,{number(3, born)},,,{B03},分户楼,1单元,101,,低保",
        ]
    )
    tenant = await Tenant.get(slug=street.slug)
    async with tenant_transaction(tenant.id):
        result = await imports.run_import(secretary_context(tenant), ResidentsRegister(), "r.csv", data)
    assert (result.imported, result.errors) == (2, [])
    async with tenant_transaction(tenant.id):
        home = await Household.get(tenant_id=tenant.id, building="分户楼")
        assert home.colour == "blue" and await Resident.filter(household_id=home.id).count() == 2


async def test_residents_join_the_households_registered_before_and_those_made_with_them(db, monkeypatch, street):
    """An address registered before the import (read on its node when a part reaches it) is
    joined and recoloured; a new one on a node without households is created once."""
    monkeypatch.setattr(imports, "PART_ROWS", 1)
    tenant = await Tenant.get(slug=street.slug)
    ctx = secretary_context(tenant)
    async with tenant_transaction(tenant.id):
        homes = await imports.run_import(
            ctx, HouseholdsRegister(), "h.csv", f"网格编码,楼栋,单元,房号\n{B03},先登楼,1单元,101\n".encode()
        )
    assert (homes.imported, homes.errors) == (1, [])
    born = date(1958, 3, 1)
    data = csv(
        [
            f"先登甲,{number(5, born)},,,{B03},先登楼,1单元,101,,低保",
            f"新户甲,{number(7, born)},,,{B03},新户楼,2单元,202,,",
            f"新户乙,{number(9, born)},,,{B03},新户楼,2单元,202,,",
        ]
    )
    async with tenant_transaction(tenant.id):
        result = await imports.run_import(ctx, ResidentsRegister(), "r.csv", data)
    assert (result.imported, result.errors) == (3, [])
    async with tenant_transaction(tenant.id):
        before = await Household.get(tenant_id=tenant.id, building="先登楼")
        assert before.colour == "blue" and await Resident.filter(household_id=before.id).count() == 1
        made = await Household.filter(tenant_id=tenant.id, building="新户楼")
        assert len(made) == 1 and await Resident.filter(household_id=made[0].id).count() == 2


async def test_scope_and_roles(live_server, tokens):
    data = csv([f"范围甲,,,,{B03},,,,,", f"范围乙,,,,{B04},,,,,"])
    result = await imported(live_server, tokens["grid-head"], "RESIDENTS", "scope.csv", data)
    assert result["imported"] == 0
    assert result["rowErrors"] == [{"line": 3, "column": "网格编码", "reason": f"{B04} is outside your grid"}]
    response = await upload(live_server, tokens["volunteer"], "RESIDENTS", "scope.csv", data)
    assert response.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    unreadable = await imported(live_server, tokens["secretary"], "RESIDENTS", "x.xlsx", b"not a workbook")
    assert unreadable["errors"][0]["code"] == "UNREADABLE"
    missing = await imported(live_server, tokens["secretary"], "RESIDENTS", "x.csv", "姓名\n张三\n".encode())
    assert missing["errors"][0]["code"] == "MISSING_COLUMNS" and "网格编码" in missing["errors"][0]["message"]


async def test_party_members_from_xlsx_turn_their_households_red(live_server, tokens):
    data = csv([f"党员甲,{number(9)},,,{B03},3幢,2单元,202,出租,"])
    assert (await imported(live_server, tokens["secretary"], "RESIDENTS", "p.csv", data))["imported"] == 1
    query = "{ gridNodes(first: 200) { edges { node { path partyOrganisations { name } } } } }"
    nodes = (await gql_data(live_server, query, token=tokens["secretary"]))["gridNodes"]["edges"]
    org = next(e["node"]["partyOrganisations"][0]["name"] for e in nodes if e["node"]["path"] == B03)
    book = Workbook()
    book.active.append(["公民身份号码", "姓名", "所在党组织", "党员类别", "入党时间"])
    book.active.append([number(9), "党员甲", org, "在职党员", date(1990, 7, 1)])
    book.active.append([number(11), "无此人", org, "在职党员", "1990-07-01"])
    buffer = io.BytesIO()
    book.save(buffer)
    bad = await imported(live_server, tokens["secretary"], "PARTY_MEMBERS", "党员.xlsx", buffer.getvalue())
    assert bad["imported"] == 0 and [e["line"] for e in bad["rowErrors"]] == [3]
    book.active.delete_rows(3)
    buffer = io.BytesIO()
    book.save(buffer)
    good = await imported(live_server, tokens["secretary"], "PARTY_MEMBERS", "党员.xlsx", buffer.getvalue())
    assert good["imported"] == 1
    colour = "query($f: ResidentFilter) { residents(first: 1, filter: $f) { edges { node { household { colour } } } } }"
    row = (await gql_data(live_server, colour, {"f": {"nameContains": "党员甲"}}, tokens["secretary"]))["residents"][
        "edges"
    ][0]
    assert row["node"]["household"]["colour"] == "RED"


async def test_exports_are_masked_by_role_and_scoped(live_server, tokens):
    full = await download(live_server, tokens["secretary"], "residents")
    assert full.status_code == 200 and full.headers["content-type"].startswith("application/vnd.openxmlformats")
    rows = sheet_rows(full.content)
    assert rows[0][:2] == ("姓名", "公民身份号码")
    assert ("导入甲", number(1)) in {r[:2] for r in rows}
    worker = sheet_rows((await download(live_server, tokens["grid-worker"], "residents")).content)
    mine = next(r for r in worker if r[0] == "导入甲")
    assert mine[1] == number(1)[:6] + "****" + number(1)[-4:]
    assert worker[1:] and all(r[5] == B03 or r[5].startswith(B03 + ".") for r in worker[1:])
    assert len(worker) < len(rows)
    assert (await download(live_server, tokens["volunteer"], "residents")).status_code == 403
    assert (await download(live_server, "not-a-token", "residents")).status_code == 401
    assert (await download(live_server, tokens["secretary"], "nothing")).status_code == 404


async def test_an_export_imports_back_as_all_duplicates(live_server, tokens):
    body = (await download(live_server, tokens["grid-head"], "households")).content
    result = await imported(live_server, tokens["grid-head"], "HOUSEHOLDS", "back.xlsx", body)
    assert result["imported"] == 0 and result["rows"] == len(sheet_rows(body)) - 1
    assert {e["reason"] for e in result["rowErrors"]} == {"already registered in this tenant"}


async def test_units_import_and_export(live_server, tokens):
    """In Hushu, whose demo has no units, so Jinshui's seeded figures stay as the seeds say."""
    data = (
        "单位名称,单位类型,党组织,联系人,联系电话,结对网格编码\n"
        "导入单位甲,企业,甲公司党支部,王经理,13900002222,HS\n"
        "导入单位乙,学校,,,,HS.V01\n"
    ).encode()
    assert (await imported(live_server, tokens["hushu-secretary"], "UNITS", "units.csv", data))["imported"] == 2
    again = await imported(live_server, tokens["hushu-secretary"], "UNITS", "units.csv", data)
    assert [e["reason"] for e in again["rowErrors"]] == ["already registered in this tenant"] * 2
    rows = sheet_rows((await download(live_server, tokens["hushu-secretary"], "units")).content)
    assert ("导入单位甲", "企业", "甲公司党支部", "王经理", "13900002222", "HS") in rows
    assert all(
        r[0] != "导入单位甲" for r in sheet_rows((await download(live_server, tokens["secretary"], "units")).content)
    )


def test_the_cli_imports_with_the_same_rules(live_server, fresh_database, tmp_path, street):
    path = tmp_path / "cli.csv"
    path.write_bytes(csv([f"命令行甲,{number(13)},,,{B04},,,,,"], "utf-8-sig"))
    run = [sys.executable, "-m", "redgrid.platform.root.cli", "import", "--tenant", street.slug, "residents", str(path)]
    done = subprocess.run(run, env=fresh_database, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "imported 1 of 1 rows" in done.stdout
    again = subprocess.run(run, env=fresh_database, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert again.returncode == 1 and "line 2: 公民身份号码: already registered in this tenant" in again.stderr
    out = tmp_path / "out.xlsx"
    dump = [sys.executable, "-m", "redgrid.platform.root.cli", "export", "--tenant", street.slug, "residents", str(out)]
    assert (
        subprocess.run(dump, env=fresh_database, cwd=ROOT, capture_output=True, text=True, timeout=120).returncode == 0
    )
    assert any(r[0] == "命令行甲" for r in sheet_rows(out.read_bytes()))


async def test_one_address_named_by_code_and_by_path_is_a_duplicate_in_the_file(live_server, tokens):
    data = "网格编码,楼栋,单元,房号,房屋类型\nB03,3幢,9单元,901,自住\nJS01.A1.B03,3幢,9单元,901,出租\n".encode()
    result = await imported(live_server, tokens["secretary"], "HOUSEHOLDS", "same.csv", data)
    assert result["imported"] == 0
    assert result["rowErrors"] == [{"line": 3, "column": "房号", "reason": "duplicate of line 2 in this file"}]
