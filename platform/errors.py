"""Bad input as data: services raise `InvalidInput`, mutations return its errors in the payload."""

from __future__ import annotations

from dataclasses import dataclass

from redgrid.platform.text import CHARACTER, text_problem


@dataclass(frozen=True)
class UserError:
    field: str | None
    code: str
    message: str


class InvalidInput(Exception):
    def __init__(self, *errors: UserError) -> None:
        super().__init__("; ".join(e.message for e in errors))
        self.errors = list(errors)


def text_errors(
    field: str,
    value: str,
    limit: int | None = None,
    *,
    required: bool = True,
    code: str = "INVALID_TEXT",
    multiline: bool = False,
) -> list[UserError]:
    """The error in a text a person typed, if any (platform/text.py): a forbidden character is
    INVALID_TEXT; blank when required, or too long, is `code`."""
    problem = text_problem(value, limit, required=required, multiline=multiline)
    if problem is None:
        return []
    if problem.startswith(CHARACTER):
        return [UserError(field, "INVALID_TEXT", f"{field}: {problem.removeprefix(CHARACTER)}")]
    return [UserError(field, code, f"{field}: {problem}")]
