"""`importRegister`: a register from a spreadsheet, sent as an upload (the GraphQL multipart
request spec). Its download is graphql/downloads/registers.py."""

from __future__ import annotations

from enum import Enum

import strawberry
from starlette.datastructures import UploadFile
from strawberry.file_uploads import Upload

from redgrid.graphql.core.context import GraphQLContext
from redgrid.graphql.core.ratelimits import GuessingLimit
from redgrid.graphql.core.payloads import UserError
from redgrid.platform.errors import InvalidInput
from redgrid.platform.limits import get_limits
from redgrid.tenants.imports import run_import
from redgrid.tenants.registers import REGISTERS

Info = strawberry.Info[GraphQLContext, None]


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
class ImportRegisterPayload:
    imported: int = 0
    rows: int = 0
    row_errors: list[ImportRowError] = strawberry.field(default_factory=list)
    more_row_errors: int = strawberry.field(default=0, description="bad rows beyond the first 1,000, counted only")
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class RegistersMutation:
    @strawberry.mutation(description="Import a register from a CSV (UTF-8 or GB18030) or XLSX file, all rows or none.",
                         extensions=[GuessingLimit()])
    async def import_register(self, info: Info, register: Register, file: Upload) -> ImportRegisterPayload:
        info.context.ctx.require_tenant()  # the role is checked before parsing (tenants/imports.py)
        if not isinstance(file, UploadFile):  # a string sent in its place, in the JSON or the document
            message = "send the file as a part of a multipart request (the GraphQL multipart request spec)"
            return ImportRegisterPayload(errors=[UserError(field="file", code="INVALID", message=message)])
        limit = get_limits().upload_bytes  # a street of 200,000 residents as CSV is about 25 MB
        data = await file.read(limit + 1)
        if len(data) > limit:
            message = f"at most {limit // 2**20} MB per file"
            return ImportRegisterPayload(errors=[UserError(field="file", code="TOO_LARGE", message=message)])
        try:
            result = await run_import(info.context.ctx, REGISTERS[register.value], file.filename or "", data)
        except InvalidInput as exc:
            return ImportRegisterPayload(errors=[UserError.from_domain(e) for e in exc.errors])
        return ImportRegisterPayload(
            imported=result.imported, rows=result.rows, more_row_errors=result.more_errors,
            row_errors=[ImportRowError(line=e.line, column=e.column, reason=e.reason) for e in result.errors],
        )
