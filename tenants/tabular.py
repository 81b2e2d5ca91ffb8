"""The spreadsheets officials use: CSV (UTF-8, with or without BOM, or GB18030 as Excel saves
it on a Chinese desktop) and XLSX, read row by row, and XLSX written for export.

XLSX is read with python-calamine (Rust's calamine, pandas' `engine="calamine"`): about ten
times faster than openpyxl's read-only parser, which alone held a 200,000-row import to a
tenth of COPY's rate (bench/registers.py). openpyxl writes the exports."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from typing import Any

from openpyxl import Workbook
from python_calamine import CalamineWorkbook

from redgrid.platform.errors import InvalidInput, UserError


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InvalidInput(UserError("file", "ENCODING", "the CSV is neither UTF-8 nor GB18030 text"))


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # Excel keeps long digit strings typed as numbers this way
    if hasattr(value, "date") and hasattr(value, "hour"):
        return value.date().isoformat() if (value.hour, value.minute, value.second) == (0, 0, 0) else value.isoformat()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value).strip()


def read_table(filename: str, data: bytes) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    """Headers and an iterator of (line number as the official sees it, cells). Blank lines
    are skipped but keep their numbers."""
    name = filename.lower()
    if name.endswith(".csv"):
        reader = csv.reader(io.StringIO(_decode(data)))
        rows: Iterator[tuple[int, list[str]]] = (
            (number, list(map(str.strip, row))) for number, row in enumerate(reader, start=1)
        )
    elif name.endswith(".xlsx"):
        try:
            sheet = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0)
        except Exception:  # noqa: BLE001 - a damaged zip, XML or workbook: each has its own error
            raise InvalidInput(UserError("file", "UNREADABLE", "the file is not a readable XLSX workbook")) from None
        # Row by row as the rows are checked and written, not the whole sheet first (0.3 s of
        # 200,000 rows the database would wait for); from A1, so lines are Excel's rows.
        # Text, most cells, is stripped in line: half the time of a call per cell.
        rows = ((number, [v.strip() if v.__class__ is str else _cell(v) for v in row])
                for number, row in enumerate(sheet.iter_rows(), start=1))
    else:
        raise InvalidInput(UserError("file", "UNSUPPORTED_FORMAT", "send a .csv or .xlsx file"))
    for number, cells in rows:
        if any(cells):
            return cells, ((n, c) for n, c in rows if any(c))
    raise InvalidInput(UserError("file", "EMPTY", "the file has no header row"))


def write_xlsx(sheet_title: str, headers: list[str], rows: Iterable[list[Any]]) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_title[:31])
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
