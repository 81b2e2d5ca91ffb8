"""The grid workers' closed sets; each value is the string tenants/workers stores."""

from __future__ import annotations

from enum import Enum

import strawberry


@strawberry.enum(
    description="A post of a grid's team: its head (网格长, 微网格长), the full-time worker (专职网格员), the building "
    "head (楼组长) and the four officers: information (信息员), publicity (宣传员), coordination (协调员), "
    "supervision (监督员)."
)
class GridWorkerPost(Enum):
    GRID_HEAD = "grid_head"
    MICRO_GRID_HEAD = "micro_grid_head"
    FULL_TIME_WORKER = "full_time_worker"
    BUILDING_HEAD = "building_head"
    INFORMATION = "information"
    PUBLICITY = "publicity"
    COORDINATION = "coordination"
    SUPERVISION = "supervision"
