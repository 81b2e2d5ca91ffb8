"""Reading a file a mutation takes as an `Upload` (the GraphQL multipart request spec)."""

from __future__ import annotations

from starlette.datastructures import UploadFile
from strawberry.file_uploads import Upload

from redgrid.platform.errors import InvalidInput, UserError


async def uploaded(file: Upload, at_most: int) -> tuple[bytes, str]:
    """The file's first `at_most` bytes and its name. A string sent in its place, in the JSON or
    the document, is refused as the `file` input's error, not failed as a server error."""
    if not isinstance(file, UploadFile):
        message = "send the file as a part of a multipart request (the GraphQL multipart request spec)"
        raise InvalidInput(UserError("file", "INVALID", message))
    return await file.read(at_most), file.filename or ""
