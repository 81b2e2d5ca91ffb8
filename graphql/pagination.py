"""Relay-style connections over Tortoise querysets, paged by keyset on the primary key.

A cursor is opaque to clients (base64 of the last row's id), so the ordering can grow later
without breaking them.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

import strawberry
from tortoise.queryset import QuerySet

from redgrid.platform.errors import InvalidInput, UserError

Node = TypeVar("Node")
MAX_PAGE = 500


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type
class Edge(Generic[Node]):
    cursor: str
    node: Node


@strawberry.type
class Connection(Generic[Node]):
    edges: list[Edge[Node]]
    page_info: PageInfo
    total_count: int


def encode_cursor(pk: int) -> str:
    return base64.urlsafe_b64encode(f"pk:{pk}".encode()).decode()


def decode_cursor(cursor: str) -> int:
    try:
        kind, _, value = base64.urlsafe_b64decode(cursor.encode()).decode().partition(":")
        if kind != "pk":
            raise ValueError
        return int(value)
    except (ValueError, UnicodeDecodeError):
        raise InvalidInput(UserError("after", "INVALID_CURSOR", "the cursor is not one this API gave")) from None


async def paginate(
    queryset: QuerySet[Any], first: int, after: str | None, to_node: Callable[[Any], Node]
) -> Connection[Node]:
    if not 0 < first <= MAX_PAGE:
        raise InvalidInput(UserError("first", "OUT_OF_RANGE", f"first must be between 1 and {MAX_PAGE}"))
    total = await queryset.count()
    page = queryset.order_by("id")
    if after:
        page = page.filter(id__gt=decode_cursor(after))
    rows: Sequence[Any] = await page.limit(first + 1)
    edges = [Edge(cursor=encode_cursor(row.id), node=to_node(row)) for row in rows[:first]]
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=len(rows) > first, end_cursor=edges[-1].cursor if edges else None
        ),
        total_count=total,
    )
