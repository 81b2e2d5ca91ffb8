"""`importRegister`: a register from a spreadsheet, sent as an upload (the GraphQL multipart
request spec). Its download is graphql/downloads/registers.py."""

from __future__ import annotations

import strawberry
from strawberry.file_uploads import Upload

from redgrid.graphql.core.context import GraphQLContext
from redgrid.graphql.core.payloads import mutation
from redgrid.graphql.core.ratelimits import GuessingLimit
from redgrid.graphql.core.uploads import uploaded
from redgrid.graphql.registers.types import ImportRegisterPayload, Register
from redgrid.platform.errors import InvalidInput, UserError
from redgrid.platform.limits import get_limits
from redgrid.tenants.imports import run_import
from redgrid.tenants.registers import REGISTERS

Info = strawberry.Info[GraphQLContext, None]


async def read_upload(file: Upload) -> tuple[bytes, str]:
    """The upload's bytes and name; refused when larger than the limit (a street of 200,000
    residents as CSV is about 25 MB)."""
    limit = get_limits().upload_bytes
    data, filename = await uploaded(file, limit + 1)
    if len(data) > limit:
        raise InvalidInput(UserError("file", "TOO_LARGE", f"at most {limit // 2**20} MB per file"))
    return data, filename


@strawberry.type
class RegistersMutation:
    @mutation(
        description="Import a register from a CSV (UTF-8 or GB18030) or XLSX file, all rows or none.",
        extensions=[GuessingLimit()],
    )
    async def import_register(self, info: Info, register: Register, file: Upload) -> ImportRegisterPayload:
        info.context.ctx.require_tenant()  # the role is checked before parsing (tenants/imports.py)
        data, filename = await read_upload(file)
        result = await run_import(info.context.ctx, REGISTERS[register.value], filename, data)
        return ImportRegisterPayload.from_result(result)
