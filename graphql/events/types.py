"""A tenant's committed changes as a subscriber receives them."""

from __future__ import annotations

import dataclasses
from collections.abc import Hashable
from enum import Enum
from typing import Any

import strawberry
from strawberry.scalars import JSON

from redgrid.graphql.core.fanout import SharedPayload
from redgrid.realtime.hub import HubEvent


@strawberry.enum(description="Which stream of a tenant's events.")
class EventArea(Enum):
    GRID = "grid"
    PEOPLE = "people"
    CASES = "cases"
    ROSTER = "roster"
    FIGURES = "figures"


@strawberry.type(description="One committed change. `seq` rises by one per area of a tenant; reconnect with the last one you saw.")
class TenantEvent(SharedPayload):
    seq: int
    type: str
    path: str | None
    payload: JSON
    at: str
    renders: strawberry.Private[dict[Hashable, Any]] = dataclasses.field(default_factory=dict)

    @classmethod
    def of(cls, event: HubEvent) -> "TenantEvent":
        """One object per hub event, whichever subscriber asks: its rendering is shared."""
        shared = event.memo.get(cls)
        if shared is None:
            shared = event.memo[cls] = cls(seq=event.seq, type=event.type, path=event.path,
                                           payload=event.payload, at=event.at)
        return shared
