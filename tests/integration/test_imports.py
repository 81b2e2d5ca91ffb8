"""The import framework's reading and checking, on a small register of its own: file formats,
Chinese headers, row-by-row reasons, the writer fed in parts while the checks go on and
abandoned when a later row is bad (run_import's transaction opens on the real PostgreSQL).
That a bad file leaves the database untouched, and the registers' own specs, are in
test_registers.py."""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from redgrid.platform.context import RequestContext
from redgrid.platform.errors import InvalidInput
from redgrid.tenants import imports
from redgrid.tenants.imports import Abandoned, Column, export_register, run_import


def positive(raw: str) -> int:
    if not raw.isdigit() or int(raw) == 0:
        raise ValueError("a whole number above 0")
    return int(raw)


class Pets:
    register = "pets"
    columns = (
        Column("name", ("名字", "name")),
        Column("legs", ("腿数",), parse=positive),
        Column("note", ("备注",), required=False),
    )
    unique = ("name",)

    def __init__(self, fail_on_part: int | None = None, fail_once_a_bird_is_checked: bool = False) -> None:
        self.written: list[dict[str, Any]] = []
        self.parts: list[int] = []  # the size of each part received
        self.abandoned = False
        self.fail_on_part = fail_on_part
        self.bird_checked = asyncio.Event()
        if not fail_once_a_bird_is_checked:
            self.bird_checked.set()

    async def prepare(self, ctx: RequestContext) -> set[str]:
        return {"旺财"}

    def existing(self, state: set[str]) -> set[tuple[str]]:
        return {(name,) for name in state}

    def check(self, row: dict[str, Any], state: Any) -> list[tuple[str | None, str]]:
        if row["name"].endswith("鸟"):
            self.bird_checked.set()
        return [("腿数", "a bird has two legs")] if row["name"].endswith("鸟") and row["legs"] != 2 else []

    async def write(self, ctx: RequestContext, parts: AsyncIterator[list[dict[str, Any]]], state: Any) -> int:
        try:
            async for rows in parts:
                self.parts.append(len(rows))
                if len(self.parts) == self.fail_on_part:
                    await self.bird_checked.wait()
                    raise RuntimeError("the database went away")
                self.written += rows
        except Abandoned:
            self.abandoned = True
            raise
        return len(self.written)


@pytest.fixture(autouse=True)
def orm(db):
    """The ORM on the test database: run_import writes in a transaction of its own."""


CTX = RequestContext(None)


async def test_good_csv_in_gb18030_with_chinese_headers_imports_all():
    spec = Pets()
    data = "名字,腿数,备注\n小白,4,\n\n黄鸟,2,会唱\n".encode("gb18030")
    result = await run_import(CTX, spec, "pets.csv", data)
    assert (result.imported, result.rows, result.errors) == (2, 2, [])
    assert spec.written == [{"name": "小白", "legs": 4, "note": None}, {"name": "黄鸟", "legs": 2, "note": "会唱"}]


async def test_one_bad_row_imports_nothing_and_reports_every_bad_row():
    spec = Pets()
    data = "\ufeffname,腿数\n小白,4\n小白,4\n旺财,4\n,3\n红鸟,4\n大黑,x\n".encode()
    result = await run_import(CTX, spec, "pets.csv", data)
    assert result.imported == 0 and spec.written == []
    assert [(e.line, e.column, e.reason) for e in result.errors] == [
        (3, "名字", "duplicate of line 2 in this file"),
        (4, "名字", "already registered in this tenant"),
        (5, "名字", "required"),
        (6, "腿数", "a bird has two legs"),
        (7, "腿数", "a whole number above 0"),
    ]


async def test_a_file_of_bad_rows_lists_the_first_thousand_and_counts_the_rest():
    """A response of 200,000 reasons helps no official: the first MAX_REPORTED_ERRORS are
    listed in file order, the others counted (moreRowErrors), and nothing is written."""
    spec = Pets()
    bad = imports.MAX_REPORTED_ERRORS + 25
    data = ("名字,腿数\n" + "".join(f"猫{i},0\n" for i in range(bad)) + "狗,4\n").encode()
    result = await run_import(CTX, spec, "pets.csv", data)
    assert (result.imported, result.rows, spec.written) == (0, bad + 1, [])
    assert len(result.errors) == imports.MAX_REPORTED_ERRORS and result.more_errors == 25
    assert [e.line for e in result.errors] == list(range(2, imports.MAX_REPORTED_ERRORS + 2))


async def test_xlsx_round_trip_and_missing_columns():
    spec = Pets()
    exported = export_register(spec, [{"name": "小花", "legs": 4, "note": "猫"}])
    sheet = load_workbook(io.BytesIO(exported)).active
    assert [c.value for c in sheet[1]] == ["名字", "腿数", "备注"]
    result = await run_import(CTX, spec, "back.xlsx", exported)
    assert result.imported == 1 and spec.written[0] == {"name": "小花", "legs": 4, "note": "猫"}

    workbook = Workbook()
    workbook.active.append(["名字"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    with pytest.raises(InvalidInput, match="missing columns: 腿数"):
        await run_import(CTX, spec, "x.xlsx", buffer.getvalue())
    with pytest.raises(InvalidInput, match="csv or .xlsx"):
        await run_import(CTX, spec, "x.pdf", b"%PDF")
    with pytest.raises(InvalidInput, match="readable XLSX"):
        await run_import(CTX, spec, "x.xlsx", b"not a zip")


async def test_xlsx_lines_are_the_sheet_rows_the_official_sees():
    """A sheet often starts lower down or further right (a title block, a margin column), and
    Excel stores typed digits as numbers: line numbers still match the row numbers in Excel."""
    spec = Pets()
    workbook = Workbook()
    sheet = workbook.active
    sheet["B3"], sheet["C3"] = "名字", "腿数"
    sheet["B4"], sheet["C4"] = "小白", 4
    sheet["B6"], sheet["C6"] = "黄鸟", 3
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = await run_import(CTX, spec, "pets.xlsx", buffer.getvalue())
    assert [(e.line, e.column, e.reason) for e in result.errors] == [(6, "腿数", "a bird has two legs")]
    assert result.imported == 0 and result.rows == 2


def many(count: int, last: str | None = None) -> bytes:
    lines = ["名字,腿数", *(f"猫{i},4" for i in range(count))]
    return ("\n".join([*lines, *([last] if last else [])]) + "\n").encode()


async def test_the_writer_takes_the_checked_rows_in_parts(monkeypatch):
    monkeypatch.setattr(imports, "PART_ROWS", 2)
    spec = Pets()
    result = await run_import(CTX, spec, "pets.csv", many(5))
    assert (result.imported, result.errors) == (5, [])
    assert spec.parts == [2, 2, 1] and [r["name"] for r in spec.written] == [f"猫{i}" for i in range(5)]


async def test_a_bad_row_after_written_parts_abandons_the_writer(monkeypatch):
    """The writer has had parts when the last row turns out bad: it is abandoned (the
    transaction rolls back, see test_registers.py) and the report lists the row."""
    monkeypatch.setattr(imports, "PART_ROWS", 2)
    monkeypatch.setattr(imports, "YIELD_ROWS", 1)
    spec = Pets()
    result = await run_import(CTX, spec, "pets.csv", many(400, last="坏鸟,4"))
    assert result.imported == 0 and [(e.line, e.reason) for e in result.errors] == [(402, "a bird has two legs")]
    assert spec.parts and spec.abandoned


async def test_a_writer_failing_after_a_bad_row_still_gets_every_bad_row_reported(monkeypatch):
    """Nothing is written once a row is bad, so the writer's own failure no longer matters:
    the checks go on to the end of the file, and the official gets the whole report."""
    monkeypatch.setattr(imports, "PART_ROWS", 2)
    monkeypatch.setattr(imports, "YIELD_ROWS", 1)
    spec = Pets(fail_on_part=2, fail_once_a_bird_is_checked=True)
    lines = ["名字,腿数", *(f"猫{i},4" for i in range(4)), "坏鸟,4", *(f"狗{i},4" for i in range(100)), "黑鸟,3"]
    result = await run_import(CTX, spec, "pets.csv", ("\n".join(lines) + "\n").encode())
    assert spec.parts == [2, 2]
    assert result.imported == 0 and [(e.line, e.reason) for e in result.errors] == [
        (6, "a bird has two legs"),
        (107, "a bird has two legs"),
    ]


async def test_a_failing_writer_fails_the_import(monkeypatch):
    monkeypatch.setattr(imports, "PART_ROWS", 2)
    monkeypatch.setattr(imports, "YIELD_ROWS", 1)
    spec = Pets(fail_on_part=2)
    with pytest.raises(RuntimeError, match="went away"):
        await run_import(CTX, spec, "pets.csv", many(400))
    assert spec.parts == [2, 2]  # nothing after the part it failed on
