"""The grid's closed sets; each value is the string tenants/grid stores."""

from __future__ import annotations

from enum import Enum

import strawberry


@strawberry.enum(description="党总支, 党支部 or 党小组.")
class PartyOrganisationKind(Enum):
    GENERAL_BRANCH = "general_branch"
    BRANCH = "branch"
    GROUP = "group"


@strawberry.enum(description="A party-and-mass service station (党群服务站) or point (党群服务点).")
class ServiceStationKind(Enum):
    STATION = "station"
    POINT = "point"


@strawberry.enum
class GridNodeOrderField(Enum):
    PATH = "path"
    NAME = "name"
    CREATED_AT = "created_at"
