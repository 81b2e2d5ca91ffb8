"""What the sharing mutations answer: the row they wrote, or the errors (core/payloads.py)."""

from __future__ import annotations

import strawberry

from redgrid.graphql.core.payloads import Payload
from redgrid.graphql.sharing.types import GridNeed, ProjectPledge, ShareRequest


@strawberry.type
class ShareRequestPayload(Payload):
    request: ShareRequest | None = None


@strawberry.type
class ProjectPledgePayload(Payload):
    pledge: ProjectPledge | None = None


@strawberry.type
class GridNeedPayload(Payload):
    need: GridNeed | None = None
