"""Global ids (Relay): "Type:dbid" in base64, parsed back with a typed error on bad input."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry import relay

from redgrid.platform.errors import InvalidInput, UserError


def db_id(global_id: relay.GlobalID, type_name: str, field: str = "id") -> int:
    if global_id.type_name != type_name or not global_id.node_id.isdigit():
        raise InvalidInput(UserError(field, "INVALID_ID", f"not a {type_name} id"))
    return int(global_id.node_id)


def optional_db_id(global_id: relay.GlobalID | None, type_name: str, field: str = "id") -> int | None:
    return None if global_id is None else db_id(global_id, type_name, field)


class DbNode(relay.Node):
    """A Relay node whose global id carries its row's database id (`db_id`, a private field
    every such type declares)."""

    @classmethod
    def resolve_id(cls, root: Any, *, info: strawberry.Info) -> str:
        return str(root.db_id)
