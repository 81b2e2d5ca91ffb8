"""Object types filled from the rows they show, so a type's `from_model` names only what differs
from its row (private ids, derived values) instead of copying every column by hand.

`from_row(Type, row, **given)`: each of the type's plain fields (one without a resolver) that
`given` does not set is read from the row's attribute of the same name; an enum field (or a
list or optional of one) turns the stored string into the enum, whose values are the domain's
stored strings."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from strawberry.types.base import StrawberryList, StrawberryOptional, get_object_definition
from strawberry.types.enum import StrawberryEnumDefinition

T = TypeVar("T")
Convert = Callable[[Any], Any]


def _same(value: Any) -> Any:
    return value


def _converter(kind: Any) -> Convert:
    """How a stored value becomes the field's value: enums by value, lists item by item."""
    if isinstance(kind, StrawberryOptional):
        inner = _converter(kind.of_type)
        return _same if inner is _same else (lambda v: None if v is None else inner(v))
    if isinstance(kind, StrawberryList):
        item = _converter(kind.of_type)
        return _same if item is _same else (lambda v: [item(x) for x in v])
    if isinstance(kind, StrawberryEnumDefinition):
        return kind.wrapped_cls
    return _same


_plans: dict[type, tuple[tuple[str, Convert], ...]] = {}


def _plan(cls: type) -> tuple[tuple[str, Convert], ...]:
    """The type's plain fields and their converters, worked out once per type."""
    if cls not in _plans:
        definition = get_object_definition(cls, strict=True)
        _plans[cls] = tuple((f.python_name, _converter(f.type)) for f in definition.fields if f.base_resolver is None)
    return _plans[cls]


def from_row(cls: type[T], row: Any, **given: Any) -> T:
    """An instance of the strawberry type `cls` showing `row`; `given` sets the fields (and the
    private ones) that are not a same-named attribute of the row."""
    values = {name: convert(getattr(row, name)) for name, convert in _plan(cls) if name not in given}
    return cls(**values, **given)
