"""The inputs of sharing across streets."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry
from strawberry import relay

from redgrid.graphql.core.pagination import Direction
from redgrid.graphql.sharing.enums import NeedKind, NeedStatus, ShareRequestStatus, ShareScope
from redgrid.graphql.units.enums import ResourceKind


@strawberry.input(description="Every condition given holds.")
class CatalogueFilter:
    kind: ResourceKind | None = None
    words: str = strawberry.field(default="", description="Each word in the description or the unit's name.")
    scope: ShareScope | None = None
    others_only: bool = strawberry.field(default=False, description="Offered by other streets only.")
    district_only: bool = strawberry.field(default=False, description="Offered in the caller's district.")
    in_stock: bool = strawberry.field(default=False, description="Goods with some left, or not counted.")


@strawberry.enum
class CatalogueOrderField(Enum):
    UPDATED_AT = "updated_at"
    UNIT_NAME = "unit_name"


@strawberry.input
class CatalogueOrder:
    field: CatalogueOrderField = CatalogueOrderField.UPDATED_AT
    direction: Direction = Direction.DESC


@strawberry.input
class ShareRequestFilter:
    status: ShareRequestStatus | None = None
    mine: bool | None = strawberry.field(default=None, description="Made by the caller's street (false: made of it).")


@strawberry.input
class RequestShareInput:
    share_id: relay.GlobalID = strawberry.field(description="A SharedResource.")
    note: str = ""
    quantity: int | None = strawberry.field(default=None, description="How many, for counted goods.")
    slot_start: datetime | None = strawberry.field(default=None, description="A venue's booking: from…")
    slot_end: datetime | None = strawberry.field(default=None, description="…until (at most 7 days).")


@strawberry.input
class AddGridNeedInput:
    node_id: relay.GlobalID
    kind: NeedKind
    title: str
    description: str = ""
    resource_kind: ResourceKind | None = None


@strawberry.input
class GridNeedFilter:
    status: NeedStatus | None = None
    kind: NeedKind | None = None
