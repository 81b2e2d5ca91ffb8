"""The registers that import from spreadsheets, and what an import answers."""

from __future__ import annotations

from enum import Enum
from typing import Self

import strawberry

from redgrid.graphql.core.mapping import from_row
from redgrid.graphql.core.payloads import Payload
from redgrid.tenants.imports import ImportResult


@strawberry.enum(description="A register that imports from and exports to spreadsheets.")
class Register(Enum):
    RESIDENTS = "residents"
    HOUSEHOLDS = "households"
    PARTY_MEMBERS = "party_members"
    UNITS = "units"


@strawberry.type(description="A bad row of an import: its line as the spreadsheet numbers it, the column, why.")
class ImportRowError:
    line: int
    column: str | None
    reason: str


@strawberry.type(description="All rows imported (rowErrors empty), or none and every bad row listed.")
class ImportRegisterPayload(Payload):
    imported: int = 0
    rows: int = 0
    row_errors: list[ImportRowError] = strawberry.field(default_factory=list)
    more_row_errors: int = strawberry.field(default=0, description="bad rows beyond the first 1,000, counted only")

    @classmethod
    def from_result(cls, result: ImportResult) -> Self:
        return cls(
            imported=result.imported,
            rows=result.rows,
            more_row_errors=result.more_errors,
            row_errors=[from_row(ImportRowError, e) for e in result.errors],
        )
