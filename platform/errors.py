"""Bad input as data: services raise `InvalidInput`, mutations return its errors in the payload."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class UserError:
    field: str | None
    code: str
    message: str


class InvalidInput(Exception):
    def __init__(self, *errors: UserError) -> None:
        super().__init__("; ".join(e.message for e in errors))
        self.errors = list(errors)


def text_errors(field: str, value: str, limit: int, *, required: bool = True, code: str = "INVALID_TEXT") -> list[UserError]:
    """The error in a text a person typed (blank when required, or too long), if any: the one
    length rule of every register and form."""
    if (value.strip() or not required) and len(value) <= limit:
        return []
    return [UserError(field, code, f"{field}: {'required, ' if required else ''}at most {limit} characters")]

