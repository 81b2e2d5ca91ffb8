"""Importing a register from a spreadsheet: every row checked, then all rows or none.

A register describes itself with an `ImportSpec`: its columns (with the headers officials use,
Chinese first), the columns whose values together must be unique in the tenant, cross-field
checks, how to write the checked rows, and how to read the register back for export.
`run_import` reads the file, checks every row (parse errors, missing values, duplicates within
the file and against the tenant, the spec's own rules), and either returns every bad row with
its line and reason having written nothing, or writes every row in one transaction.

The writing runs beside the checking: the spec's `write` takes the checked rows in parts while
the rest are still being checked, so PostgreSQL inserts one part while Python checks the next
(on a street of 200,000 residents the checks are a third of the time, the inserts the rest).
A bad row found after some parts were written abandons the writer and rolls the transaction
back: the file still imports whole or not at all.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol

import structlog
from tortoise.transactions import in_transaction

from redgrid.platform.context import RequestContext
from redgrid.platform.errors import InvalidInput, UserError
from redgrid.platform.logging import brief
from redgrid.platform.text import CHARACTER, text_problem
from redgrid.tenants.phones import LANDLINE, MOBILE
from redgrid.tenants.tabular import read_table, write_xlsx

log = structlog.get_logger("redgrid.imports")

MAX_REPORTED_ERRORS = 1000
PART_ROWS = 5_000  # checked rows handed to the writer at a time
YIELD_ROWS = 100  # rows checked between turns of the event loop, so the writer's replies are read


@dataclass(frozen=True)
class Column:
    key: str
    headers: tuple[str, ...]  # accepted header texts; the first is the one exports use
    required: bool = True
    parse: Callable[[str], Any] = str  # raises ValueError with a reason for a person


# Cell parsers for `Column.parse`: each returns the value or raises ValueError with a reason.


def parse_word(words: dict[str, str], what: str) -> Any:
    def parse(raw: str) -> str:
        try:
            return words[raw.strip().lower() if raw.isascii() else raw.strip()]
        except KeyError:
            raise ValueError(f"{what}: one of {', '.join(k for k in words if not k.isascii())}") from None

    return parse


def parse_date(raw: str) -> date:
    text = raw.strip().replace("/", "-").replace(".", "-")
    for pattern in ("%Y-%m-%d", "%Y%m%d", "%Y-%m"):
        try:
            return datetime.strptime(text[:10], pattern).date()
        except ValueError:
            continue
    raise ValueError("a date like 2024-03-01")


def parse_phone(raw: str) -> str:
    phone = raw.strip()
    if not (MOBILE.match(phone) or LANDLINE.match(phone)):
        raise ValueError("a mobile number (11 digits from 13-19) or a landline like 025-52123456")
    return phone


def parse_text(limit: int) -> Any:
    """A one-line text under the rule of every text input (platform/text.py)."""

    def parse(raw: str) -> str:
        if (problem := text_problem(raw, limit)) is not None:
            raise ValueError(problem.removeprefix(CHARACTER))
        return raw.strip()

    return parse


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
    unique: tuple[str, ...]  # a row whose unique columns are all empty is not checked

    async def prepare(self, ctx: RequestContext) -> Any:
        """Whatever `check` and `write` need, loaded once (e.g. grid codes, existing keys)."""

    def existing(self, state: Any) -> set[Any]:
        """The unique columns' values (a tuple, in `unique`'s order) already registered where
        the caller may see them (his grid), refused as duplicates. A value registered only
        outside it is the spec's to handle, never told apart from a new one: the answer would
        tell him of rows he may not see."""

    def check(self, row: dict[str, Any], state: Any) -> list[tuple[str | None, str]]:
        """Rules across columns or against the tenant: (column, reason) for each breach. Runs
        before the uniqueness check, so it may normalise the unique columns in `row`."""

    async def write(self, ctx: RequestContext, parts: AsyncIterator[list[dict[str, Any]]], state: Any) -> int:
        """Write the checked rows, which arrive in parts while later rows are being checked;
        returns how many were written. Iterating `parts` raises `Abandoned` when the file turns
        out bad: let it propagate (the transaction is rolled back)."""

    async def export(self, ctx: RequestContext) -> list[dict[str, Any]]:
        """The register's rows the caller may see, keyed like `columns`, masked for his role."""


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


class Abandoned(Exception):
    """Raised inside `ImportSpec.write` when a later row was bad: nothing may be kept."""


class _Rollback(Exception):
    pass


class _Writer:
    """The spec's `write` as a task beside the checks, fed checked rows part by part."""

    _ABANDON: list[dict[str, Any]] = []

    def __init__(self, ctx: RequestContext, spec: ImportSpec, state: Any) -> None:
        # Unbounded: the checks may run ahead; the rows are held either way until written.
        self._queue: asyncio.Queue[list[dict[str, Any]] | None] = asyncio.Queue()
        self._task = asyncio.create_task(spec.write(ctx, self._parts(), state))

    async def _parts(self) -> AsyncIterator[list[dict[str, Any]]]:
        while (part := await self._queue.get()) is not None:
            if part is self._ABANDON:
                raise Abandoned
            yield part

    @property
    def failed(self) -> bool:
        """It only ends before `finish` by raising (a database error): checking on is pointless."""
        return self._task.done()

    async def send(self, rows: list[dict[str, Any]]) -> None:
        self._queue.put_nowait(rows)
        await asyncio.sleep(0)  # let it start the insert now, while the next rows are checked

    async def finish(self) -> int:
        self._queue.put_nowait(None)
        return await self._task

    async def abandon(self) -> None:
        """Drop what it has not started and wait for what it is writing (the transaction is
        rolled back afterwards). An error of its own is logged, not raised: the caller's answer
        (the bad rows, or the error that stopped the checks) is the one that matters."""
        while not self._queue.empty():
            self._queue.get_nowait()
        self._queue.put_nowait(self._ABANDON)
        try:
            await self._task
        except Abandoned:
            pass
        except Exception as exc:  # noqa: BLE001 - rolled back either way; see the docstring
            log.warning("import writer failed while abandoned", error=brief(exc))


async def run_import(
    ctx: RequestContext,
    spec: ImportSpec,
    filename: str,
    data: bytes,
    progress: Callable[[int], None] | None = None,
) -> ImportResult:
    state = await spec.prepare(ctx)  # first: it checks the caller's role before any parsing
    headers, lines = await read_table(filename, data)
    positions = _map_headers(spec, headers)
    result = ImportResult()
    try:
        async with in_transaction("default"):
            writer = _Writer(ctx, spec, state)
            try:
                await _check_rows(spec, state, positions, lines, result, writer, progress)
            except BaseException:
                await writer.abandon()
                raise
            if result.errors:
                await writer.abandon()
                raise _Rollback
            result.imported = await writer.finish()
    except _Rollback:
        return result
    if progress is not None:
        progress(result.rows)
    return result


async def _check_rows(
    spec: ImportSpec,
    state: Any,
    positions: dict[str, int],
    lines: Any,
    result: ImportResult,
    writer: _Writer,
    progress: Callable[[int], None] | None,
) -> None:
    """Every row checked into `result.errors`; while there are none, the good rows go to the writer."""
    taken = spec.existing(state) if spec.unique else set()
    unique_label = next((c.headers[0] for c in spec.columns if spec.unique and c.key == spec.unique[-1]), None)
    seen: dict[Any, int] = {}
    good: list[dict[str, Any]] = []

    def fail(line: int, column: str | None, reason: str) -> None:
        if len(result.errors) < MAX_REPORTED_ERRORS:
            result.errors.append(RowError(line, column, reason))
        else:
            result.more_errors += 1

    # Per column: its key, its position in the file (past the end when absent), required, parser, label.
    plan = [(c.key, positions.get(c.key, 1 << 30), c.required, c.parse, c.headers[0]) for c in spec.columns]
    async for line, cells in lines:
        result.rows += 1
        row: dict[str, Any] = {}
        bad = False
        width = len(cells)
        for key, index, required, parse, label in plan:
            raw = cells[index] if index < width else ""
            if not raw:
                if required:
                    fail(line, label, "required")
                    bad = True
                row[key] = None
                continue
            try:
                row[key] = parse(raw)
            except ValueError as exc:
                fail(line, label, str(exc))
                bad = True
        if not bad:  # first the spec's rules: they may normalise the unique columns
            for column, reason in spec.check(row, state):
                fail(line, column, reason)
                bad = True
        unique_key = tuple(map(row.get, spec.unique))
        if not bad and unique_key.count(None) < len(unique_key):
            if unique_key in seen:
                fail(line, unique_label, f"duplicate of line {seen[unique_key]} in this file")
                bad = True
            elif unique_key in taken:
                fail(line, unique_label, "already registered in this tenant")
                bad = True
            else:
                seen[unique_key] = line
        if not result.errors:  # no bad row so far, this one included
            good.append(row)
            if len(good) == PART_ROWS:
                await writer.send(good)
                good = []
        if progress is not None and result.rows % 1000 == 0:
            progress(result.rows)
        if result.rows % YIELD_ROWS == 0:
            if writer.failed and not result.errors:
                return  # `finish` raises its error (after a bad row it is abandoned: check on)
            await asyncio.sleep(0)
    if good and not result.errors:
        await writer.send(good)


def export_register(spec: ImportSpec, rows: list[dict[str, Any]]) -> bytes:
    """An XLSX of a register, with the same headers an import accepts back."""
    headers = [c.headers[0] for c in spec.columns]
    return write_xlsx(spec.register, headers, ([row.get(c.key) for c in spec.columns] for row in rows))
