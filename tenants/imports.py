"""Importing a register from a spreadsheet: every row checked, then all rows or none.

A register describes itself with an `ImportSpec`: its columns (with the headers officials use,
Chinese first), the column that must be unique in the tenant, cross-field checks, and how to
write the checked rows. `run_import` reads the file, checks every row (parse errors, missing
values, duplicates within the file and against the tenant, the spec's own rules), and either
returns every bad row with its line and reason having written nothing, or writes every row in
one transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from tortoise.transactions import in_transaction

from redgrid.platform.context import RequestContext
from redgrid.platform.errors import InvalidInput, UserError
from redgrid.tenants.tabular import read_table, write_xlsx

MAX_ROWS = 500_000
MAX_REPORTED_ERRORS = 1000


@dataclass(frozen=True)
class Column:
    key: str
    headers: tuple[str, ...]  # accepted header texts; the first is the one exports use
    required: bool = True
    parse: Callable[[str], Any] = str  # raises ValueError with a reason for a person


@dataclass(frozen=True)
class RowError:
    line: int
    column: str | None
    reason: str


@dataclass
class ImportResult:
    imported: int = 0
    rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    more_errors: int = 0  # errors beyond MAX_REPORTED_ERRORS, counted but not listed


class ImportSpec(Protocol):
    register: str
    columns: tuple[Column, ...]
    unique: str | None

    async def prepare(self, ctx: RequestContext) -> Any:
        """Whatever `check` and `write` need, loaded once (e.g. grid codes, existing keys)."""

    def existing(self, state: Any) -> set[Any]:
        """The unique column's values already in the tenant."""

    def check(self, row: dict[str, Any], state: Any) -> list[tuple[str | None, str]]:
        """Rules across columns or against the tenant: (column, reason) for each breach."""

    async def write(self, ctx: RequestContext, rows: list[dict[str, Any]], state: Any) -> int: ...


def _map_headers(spec: ImportSpec, headers: list[str]) -> dict[str, int]:
    wanted = {h.strip().lower(): c.key for c in spec.columns for h in (*c.headers, c.key)}
    positions: dict[str, int] = {}
    for index, header in enumerate(headers):
        key = wanted.get(header.strip().lower())
        if key is not None and key not in positions:
            positions[key] = index
    missing = [c.headers[0] for c in spec.columns if c.required and c.key not in positions]
    if missing:
        raise InvalidInput(UserError("file", "MISSING_COLUMNS", "missing columns: " + ", ".join(missing)))
    return positions


async def run_import(
    ctx: RequestContext, spec: ImportSpec, filename: str, data: bytes,
    progress: Callable[[int], None] | None = None,
) -> ImportResult:
    headers, lines = read_table(filename, data)
    positions = _map_headers(spec, headers)
    state = await spec.prepare(ctx)
    taken = spec.existing(state) if spec.unique else set()
    seen: dict[Any, int] = {}
    result = ImportResult()
    good: list[dict[str, Any]] = []

    def fail(line: int, column: str | None, reason: str) -> None:
        if len(result.errors) < MAX_REPORTED_ERRORS:
            result.errors.append(RowError(line, column, reason))
        else:
            result.more_errors += 1

    for line, cells in lines:
        result.rows += 1
        if result.rows > MAX_ROWS:
            raise InvalidInput(UserError("file", "TOO_MANY_ROWS", f"at most {MAX_ROWS} rows per file"))
        row: dict[str, Any] = {}
        bad = False
        for column in spec.columns:
            raw = cells[positions[column.key]] if column.key in positions and positions[column.key] < len(cells) else ""
            if not raw:
                if column.required:
                    fail(line, column.headers[0], "required")
                    bad = True
                row[column.key] = None
                continue
            try:
                row[column.key] = column.parse(raw)
            except ValueError as exc:
                fail(line, column.headers[0], str(exc))
                bad = True
        if not bad and spec.unique:
            key = row[spec.unique]
            label = next(c.headers[0] for c in spec.columns if c.key == spec.unique)
            if key in seen:
                fail(line, label, f"duplicate of line {seen[key]} in this file")
                bad = True
            elif key in taken:
                fail(line, label, "already registered in this tenant")
                bad = True
            else:
                seen[key] = line
        if not bad:
            for column, reason in spec.check(row, state):
                fail(line, column, reason)
                bad = True
        if not bad:
            good.append(row)
        if progress is not None and result.rows % 1000 == 0:
            progress(result.rows)
    if result.errors:
        return result
    async with in_transaction("default"):
        result.imported = await spec.write(ctx, good, state)
    if progress is not None:
        progress(result.rows)
    return result


def export_register(spec: ImportSpec, rows: list[dict[str, Any]]) -> bytes:
    """An XLSX of a register, with the same headers an import accepts back."""
    headers = [c.headers[0] for c in spec.columns]
    return write_xlsx(spec.register, headers, ([row.get(c.key) for c in spec.columns] for row in rows))
