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
