"""The spreadsheets officials use: CSV (UTF-8, with or without BOM, or GB18030 as Excel saves
it on a Chinese desktop) and XLSX, read row by row, and XLSX written for export.

XLSX is read with python-calamine (Rust's calamine, pandas' `engine="calamine"`): about ten
times faster than openpyxl's read-only parser, which alone held a 200,000-row import to a
tenth of COPY's rate (bench/registers.py). openpyxl writes the exports.

A file is parsed in a child process (`redgrid.platform.sandbox`): calamine lays a sheet out
densely from A1 to its last cell, so one cell at XFD1048576 asks for 512 GiB and aborts
the process that reads it. The child first checks what the zip and the sheets declare
(uncompressed sizes, compression ratio, `<dimension ref>`) against the `sheet_*` limits, then
what calamine found, and only then produces rows; its memory and CPU are capped besides, for
whatever the checks do not foresee. Rows reach the server in parts while later ones are read."""

from __future__ import annotations

import csv
import io
import re
import zipfile
import zlib
from collections.abc import AsyncIterator, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE, WriteOnlyCell
from python_calamine import CalamineWorkbook

from redgrid.platform import sandbox
from redgrid.platform.errors import InvalidInput, UserError
from redgrid.platform.limits import get_limits

PART_ROWS = 5_000  # rows per message from the parsing process
DIMENSION_BYTES = 16 * 1024  # of a sheet's XML, where Excel, WPS and openpyxl write <dimension ref>
DIMENSION = re.compile(rb"<(?:\w+:)?dimension\s+ref=\"(?:[A-Z]*[0-9]*:)?([A-Z]{1,3})([0-9]{1,7})\"")
SHEET_MEMBER = re.compile(r"xl/worksheets/[^/]+\.xml")
MIB = 1024 * 1024
Line = tuple[int, list[str]]  # (line number as the official sees it, cells)

sandbox.preload(__name__)


@dataclass(frozen=True)
class SheetLimits:
    """The `sheet_*` limits, handed to the parsing process with the file."""

    rows: int
    columns: int
    cells: int
    unzipped_bytes: int
    zip_ratio: int

    @classmethod
    def current(cls) -> SheetLimits:
        limits = get_limits()
        return cls(
            limits.sheet_rows,
            limits.sheet_columns,
            limits.sheet_cells,
            limits.sheet_unzipped_bytes,
            limits.sheet_zip_ratio,
        )

    def check_extent(self, rows: int, columns: int) -> None:
        """A sheet of `rows` × `columns` from A1 (as calamine lays it out), or TOO_LARGE."""
        if rows > self.rows + 1:  # the header row besides
            raise _too_large(f"at most {self.rows} rows per file")
        if columns > self.columns:
            raise _too_large(f"at most {self.columns} columns per sheet")
        if rows * columns > self.cells:
            raise _too_large(f"at most {self.cells} cells per sheet")


def _too_large(message: str) -> InvalidInput:
    return InvalidInput(UserError("file", "TOO_LARGE", message))


def _unreadable(what: str) -> InvalidInput:
    return InvalidInput(UserError("file", "UNREADABLE", f"the file is not a readable {what}"))


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
    if hasattr(value, "date") and hasattr(value, "hour"):  # a datetime
        midnight = (value.hour, value.minute, value.second) == (0, 0, 0)
        stamp: str = value.date().isoformat() if midnight else value.isoformat()
        return stamp
    if hasattr(value, "isoformat"):  # a date or a time
        day_or_time: str = value.isoformat()
        return day_or_time
    return str(value).strip()


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number


def check_zip(data: bytes, limits: SheetLimits) -> None:
    """Refuse a zip bomb and a sheet declaring too much, from the zip's directory and the first
    bytes of each sheet: nothing is decompressed whole."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
        if sum(m.file_size for m in members) > limits.unzipped_bytes:
            raise _too_large(f"at most {limits.unzipped_bytes // MIB} MB uncompressed")
        if any(m.file_size > MIB and m.file_size > m.compress_size * limits.zip_ratio for m in members):
            raise _too_large("compressed more densely than any spreadsheet is")
        for member in members:
            if SHEET_MEMBER.fullmatch(member.filename):
                with archive.open(member) as sheet:
                    declared = DIMENSION.search(sheet.read(DIMENSION_BYTES))
                if declared:
                    limits.check_extent(int(declared[2]), _column_number(declared[1]))
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError, ValueError, OSError):
        raise _unreadable("XLSX workbook") from None


def _xlsx_lines(data: bytes, limits: SheetLimits) -> Iterator[Line]:
    check_zip(data, limits)
    try:
        sheet = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0)
    except MemoryError:
        raise
    except Exception:  # noqa: BLE001 - a damaged zip, XML or workbook: each has its own error
        raise _unreadable("XLSX workbook") from None
    if sheet.end is not None:  # what the cells hold, whatever the sheet declared
        limits.check_extent(sheet.end[0] + 1, sheet.end[1] + 1)
    # From A1, so lines are Excel's rows. Text, most cells, is stripped in line: half the time
    # of a call per cell.
    return (
        (number, [v.strip() if v.__class__ is str else _cell(v) for v in row])
        for number, row in enumerate(sheet.iter_rows(), start=1)
    )


def _csv_lines(data: bytes, limits: SheetLimits) -> Iterator[Line]:
    try:
        for number, row in enumerate(csv.reader(io.StringIO(_decode(data))), start=1):
            if len(row) > limits.columns:
                raise _too_large(f"at most {limits.columns} columns per row")
            if number > limits.rows + 1:
                raise _too_large(f"at most {limits.rows} rows per file")
            yield number, list(map(str.strip, row))
    except csv.Error:
        raise _unreadable("CSV file") from None


def parse_table(name: str, data: bytes, limits: SheetLimits) -> Iterator[Any]:
    """In the parsing process: the header row's cells, then the other non-blank lines in parts
    of PART_ROWS. Blank lines are skipped but keep their numbers. A part is flat (line numbers,
    row widths, every cell in one list): a list per row would cost the server's garbage
    collector more than the rows cost to check."""
    lines = _csv_lines(data, limits) if name.endswith(".csv") else _xlsx_lines(data, limits)
    for _, cells in lines:
        if any(cells):
            yield cells
            break
    else:
        raise InvalidInput(UserError("file", "EMPTY", "the file has no header row"))
    numbers: list[int] = []
    widths: list[int] = []
    flat: list[str] = []
    for number, cells in lines:
        if any(cells):
            numbers.append(number)
            widths.append(len(cells))
            flat += cells
            if len(numbers) == PART_ROWS:
                yield numbers, widths, flat
                numbers, widths, flat = [], [], []
    if numbers:
        yield numbers, widths, flat


def _failed(exc: sandbox.ParseFailed) -> InvalidInput:
    if exc.reason == "memory":
        return _too_large("the file takes more memory to read than a spreadsheet of the allowed size")
    if exc.reason == "time":
        return _too_large("the file takes longer to read than a spreadsheet of the allowed size")
    return _unreadable("spreadsheet")


async def read_table(filename: str, data: bytes) -> tuple[list[str], AsyncIterator[Line]]:
    """Headers and the other lines (line number as the official sees it, cells), read in a
    parsing process as they are iterated. Blank lines are skipped but keep their numbers."""
    name = filename.lower()
    if not name.endswith((".csv", ".xlsx")):
        raise InvalidInput(UserError("file", "UNSUPPORTED_FORMAT", "send a .csv or .xlsx file"))
    parts = await sandbox.stream(parse_table, name, data, SheetLimits.current(), lane="sheets")
    try:
        headers = await anext(parts)
    except sandbox.ParseFailed as exc:
        raise _failed(exc) from None
    return headers, _lines(parts)


async def _lines(parts: sandbox.Stream) -> AsyncIterator[Line]:
    try:
        async for numbers, widths, flat in parts:
            end = 0
            for number, width in zip(numbers, widths, strict=True):
                start, end = end, end + width
                yield number, flat[start:end]
    except sandbox.ParseFailed as exc:
        raise _failed(exc) from None
    finally:
        await parts.aclose()


def write_xlsx(sheet_title: str, headers: list[str], rows: Iterable[list[Any]]) -> bytes:
    """Every text cell as text: never a live formula, never a character XLSX cannot hold."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_title[:31])
    sheet.append(headers)
    for row in rows:
        sheet.append([_text_cell(sheet, v) if v.__class__ is str else v for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# OWASP's CSV-injection rule: a cell starting with one of these is read as a formula by some
# spreadsheet (or becomes one when an official edits it), e.g. =HYPERLINK(...) sending other
# cells away when clicked.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _text_cell(sheet: Any, value: str) -> Any:
    """`value` as a text cell: control characters XLSX cannot hold (openpyxl would raise on the
    whole export) become U+FFFD; a text that would read as a formula or an error code is a
    string cell with Excel's quote prefix (shown as typed, never evaluated, and read back as
    typed by an import)."""
    text = ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)
    if not (text.startswith(FORMULA_STARTS) or text in ERROR_CODES):
        return text
    cell = WriteOnlyCell(sheet, text)
    cell.data_type = "s"
    cell.quotePrefix = True
    return cell
