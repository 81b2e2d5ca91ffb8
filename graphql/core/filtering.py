"""A list query narrowed by the fields of its filter input that the client gave."""

from __future__ import annotations

from enum import Enum
from typing import Any, TypeVar

from tortoise.models import Model
from tortoise.queryset import QuerySet

M = TypeVar("M", bound=Model)


def narrowed(query: QuerySet[M], **lookups: Any) -> QuerySet[M]:
    """`query` filtered by each Tortoise lookup whose value was given: None (a filter field left
    out) and "" (an empty search text) ask nothing, and an enum asks for its stored value."""
    given = {k: v.value if isinstance(v, Enum) else v for k, v in lookups.items() if v is not None and v != ""}
    return query.filter(**given) if given else query
