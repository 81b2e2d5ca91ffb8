"""One error path for every mutation: a service refuses bad input by raising `InvalidInput`
(platform/errors.py), and `mutation` turns that into the payload's typed `errors`. A resolver
never catches it; it returns the payload of its success.

Every payload derives from `Payload`, so `errors` is declared once and a refusal can build any
payload with only its errors set (its other fields default to null)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import strawberry
from strawberry.extensions import FieldExtension
from strawberry.types.base import StrawberryOptional
from strawberry.types.field import StrawberryField

from redgrid.platform.errors import InvalidInput
from redgrid.platform.errors import UserError as DomainUserError


@strawberry.type(description="Why a mutation did not apply: which input field, a stable code, words for a person.")
class UserError:
    field: str | None
    code: str
    message: str

    @classmethod
    def from_domain(cls, error: DomainUserError) -> UserError:
        return cls(field=error.field, code=error.code, message=error.message)


@strawberry.type
class Payload:
    """What a mutation answers: its result, or the reasons it did not apply (then nothing was written)."""

    errors: list[UserError] = strawberry.field(default_factory=list)


def user_errors(exc: InvalidInput) -> list[UserError]:
    """A service's refusal of bad input as a payload's typed errors."""
    return [UserError.from_domain(e) for e in exc.errors]


class InvalidInputAsErrors(FieldExtension):
    """Answers the field's payload type with the refusal's errors when its resolver raises
    `InvalidInput`. Any other exception stays a GraphQL error (and rolls the mutation back)."""

    def apply(self, field: StrawberryField) -> None:
        self._field = field

    def _payload_type(self) -> type[Payload]:
        kind: Any = self._field.type
        if isinstance(kind, StrawberryOptional):
            kind = kind.of_type
        if not (isinstance(kind, type) and issubclass(kind, Payload)):
            raise TypeError(f"mutation {self._field.python_name} must return a Payload, not {kind!r}")
        return kind

    async def resolve_async(self, next_: Callable[..., Any], source: Any, info: Any, **kwargs: Any) -> Any:
        try:
            return await next_(source, info, **kwargs)
        except InvalidInput as exc:
            return self._payload_type()(errors=user_errors(exc))


F = TypeVar("F", bound=Callable[..., Any])


def mutation(*, description: str | None = None, extensions: Sequence[FieldExtension] = ()) -> Callable[[F], Any]:
    """`strawberry.mutation` with the one error path; the resolver returns a `Payload`."""
    return strawberry.mutation(description=description, extensions=[*extensions, InvalidInputAsErrors()])
