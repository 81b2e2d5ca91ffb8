"""Relay-style connections over Tortoise querysets, paged by keyset on (order field, id).

A cursor is opaque to clients: base64 of JSON `[value, id]` of the last row under the page's
ordering. Ordering fields must be non-null columns; ties are broken by id, so pages never skip
or repeat a row even when rows are added between pages.
"""

from __future__ import annotations

import base64
import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from typing import Any, Generic, TypeVar

import strawberry
from tortoise.expressions import Q
from tortoise.queryset import QuerySet

from redgrid.graphql.core.ids import MAX_DB_ID
from redgrid.platform.errors import InvalidInput, UserError
from redgrid.platform.text import bad_character

Node = TypeVar("Node")
MAX_PAGE = 500


@strawberry.enum
class Direction(Enum):
    ASC = "asc"
    DESC = "desc"


@strawberry.type(
    description="Relay's page info. Pages go forward (first, after):"
    " hasPreviousPage says the page was read after a cursor."
)
class PageInfo:
    has_next_page: bool
    end_cursor: str | None
    has_previous_page: bool
    start_cursor: str | None


@strawberry.type
class Edge(Generic[Node]):
    cursor: str
    node: Node


@strawberry.type
class Connection(Generic[Node]):
    edges: list[Edge[Node]]
    page_info: PageInfo
    counted: strawberry.Private[QuerySet[Any]]

    @strawberry.field(description="All rows the filter matches (counted only when asked: it costs a scan).")
    async def total_count(self) -> int:
        return await self.counted.count()


@dataclass(frozen=True)
class Ordering:
    """Order by one non-null column, then id, in one direction."""

    field: str = "id"
    descending: bool = False


def _encode(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def encode_cursor(row: Any, ordering: Ordering) -> str:
    return cursor_of(getattr(row, ordering.field), row.id)


def cursor_of(value: Any, pk: int) -> str:
    """The cursor of the row with id `pk` whose order field holds `value`."""
    raw = json.dumps([_encode(value), pk], ensure_ascii=False, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode()


def decode_cursor(cursor: str) -> tuple[Any, int]:
    """The (value, id) a cursor holds. Anything else a caller can write in base64 is refused
    here, before it reaches PostgreSQL: nested JSON, an id or number beyond a bigint, a NUL."""
    try:
        value, pk = json.loads(base64.urlsafe_b64decode(cursor.encode()).decode())
    except (ValueError, TypeError, UnicodeDecodeError, RecursionError):
        raise _bad_cursor() from None
    if type(pk) is not int or not 0 < pk <= MAX_DB_ID or not _plain_value(value):
        raise _bad_cursor()
    return value, pk


def _plain_value(value: Any) -> bool:
    """What an order column's value is in a cursor this API gave: a text, a number, a date as text."""
    if isinstance(value, str):
        return bad_character(value, multiline=True) is None
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return abs(value) <= MAX_DB_ID
    return isinstance(value, float) and math.isfinite(value)


def _bad_cursor() -> InvalidInput:
    return InvalidInput(UserError("after", "INVALID_CURSOR", "the cursor is not one this API gave"))


def _after(queryset: QuerySet[Any], ordering: Ordering, cursor: str) -> Q:
    value, pk = decode_cursor(cursor)
    try:
        # Back from JSON to the column's type: asyncpg takes no ISO string for a timestamp.
        value = queryset.model._meta.fields_map[ordering.field].to_python_value(value)
    except (ValueError, TypeError):
        raise _bad_cursor() from None
    op = "lt" if ordering.descending else "gt"
    beyond_pk: dict[str, Any] = {f"id__{op}": pk}
    if ordering.field == "id":
        return Q(**beyond_pk)
    beyond: dict[str, Any] = {f"{ordering.field}__{op}": value}
    tied: dict[str, Any] = {ordering.field: value, **beyond_pk}
    return Q(**beyond) | Q(**tied)


def rows_after(queryset: QuerySet[Any], first: int, after: str | None, ordering: Ordering) -> QuerySet[Any]:
    """The rows after `after`, in order: a page is the `first` of them, and one more tells
    whether a next page follows."""
    if not 0 < first <= MAX_PAGE:
        raise InvalidInput(UserError("first", "OUT_OF_RANGE", f"first must be between 1 and {MAX_PAGE}"))
    sign = "-" if ordering.descending else ""
    page = queryset.order_by(f"{sign}{ordering.field}", f"{sign}id")
    if after:
        page = page.filter(_after(queryset, ordering, after))
    return page


async def paginate(
    queryset: QuerySet[Any],
    first: int,
    after: str | None,
    to_node: Callable[[Any], Node],
    ordering: Ordering = Ordering(),
) -> Connection[Node]:
    rows: Sequence[Any] = await rows_after(queryset, first, after, ordering).limit(first + 1)
    edges = [Edge(cursor=encode_cursor(row, ordering), node=to_node(row)) for row in rows[:first]]
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=len(rows) > first,
            end_cursor=edges[-1].cursor if edges else None,
            has_previous_page=bool(after),
            start_cursor=edges[0].cursor if edges else None,
        ),
        counted=queryset,
    )


def ordering(field: Enum, direction: Direction) -> Ordering:
    """An order input's field and direction as the keyset paginator's Ordering."""
    return Ordering(field.value, direction is Direction.DESC)


@strawberry.enum
class NamedOrderField(Enum):
    NAME = "name"
    CREATED_AT = "created_at"


@strawberry.input
class NamedOrder:
    field: NamedOrderField = NamedOrderField.NAME
    direction: Direction = Direction.ASC
