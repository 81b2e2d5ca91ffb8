"""What the grid's mutations answer."""

from __future__ import annotations

import strawberry

from redgrid.graphql.core.payloads import Payload
from redgrid.graphql.grid.types import GridLevel, GridNode


@strawberry.type
class GridNodePayload(Payload):
    node: GridNode | None = None


@strawberry.type
class GridLevelsPayload(Payload):
    levels: list[GridLevel] = strawberry.field(default_factory=list)
