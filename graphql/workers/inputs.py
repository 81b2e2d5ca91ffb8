"""What clients send about grid workers and account links."""

from __future__ import annotations

import strawberry
from strawberry import relay

from redgrid.graphql.workers.enums import GridWorkerPost


@strawberry.input
class GridWorkerFilter:
    under_id: relay.GlobalID | None = strawberry.field(
        default=None, description="Workers serving a node of this subtree, the node included."
    )
    post: GridWorkerPost | None = None
    name_contains: str | None = None


@strawberry.input
class GridWorkerInput:
    name: str
    node_ids: list[relay.GlobalID] = strawberry.field(description="The grid nodes he serves, 1 to 20, in your grid.")
    posts: list[GridWorkerPost] = strawberry.field(description="At least one, each once.")
    phone: str = ""
    username: str | None = strawberry.field(
        default=None, description="The account he signs in as (one you may see), at most one worker's; null: none."
    )


@strawberry.input
class UpdateGridWorkerInput:
    id: relay.GlobalID
    name: str
    node_ids: list[relay.GlobalID]
    posts: list[GridWorkerPost]
    phone: str = ""
    username: str | None = None


@strawberry.input
class LinkAccountInput:
    id: relay.GlobalID = strawberry.field(description="The staff member or volunteer.")
    username: str | None = strawberry.field(description="The account to link him to (one you may see); null unlinks.")
