"""Global ids (Relay): "Type:dbid" in base64, parsed back with a typed error on bad input."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry import relay

from redgrid.platform.errors import InvalidInput, UserError

MAX_DB_ID = 2**63 - 1  # every table's id is a bigint: a larger number failed the query in PostgreSQL


def parse_db_id(node_id: str) -> int | None:
    """The row id a global id's node part names, or None when it names none: ASCII digits
    only ("²".isdigit() is true, and int() refuses it), 1 to a bigint's largest."""
    digits = node_id.lstrip("0")  # int() refuses more than 4,300 digits, leading zeros too
    if not (digits.isascii() and digits.isdigit()) or len(digits) > 19 or len(node_id) > 64:
        return None
    number = int(digits)
    return number if number <= MAX_DB_ID else None


def db_id(global_id: relay.GlobalID, type_name: str, field: str = "id") -> int:
    number = parse_db_id(global_id.node_id) if global_id.type_name == type_name else None
    if number is None:
        raise InvalidInput(UserError(field, "INVALID_ID", f"not a {type_name} id"))
    return number


def optional_db_id(global_id: relay.GlobalID | None, type_name: str, field: str = "id") -> int | None:
    return None if global_id is None else db_id(global_id, type_name, field)


class DbNode(relay.Node):
    """A Relay node whose global id carries its row's database id (`db_id`, a private field
    every such type declares)."""

    @classmethod
    def resolve_id(cls, root: Any, *, info: strawberry.Info) -> str:
        return str(root.db_id)
