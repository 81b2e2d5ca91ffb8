"""The SQL shapes of grid rows in pages PostgreSQL builds (graphql/core/compiled.py); the
people area's compiled pages embed them."""

from __future__ import annotations

from redgrid.graphql.core.compiled import Shape, column, enum_column, global_id
from redgrid.graphql.grid.enums import PartyOrganisationKind

ORGANISATION_SHAPE = Shape(
    "PartyOrganisation",
    {
        "id": global_id("PartyOrganisation"),
        "name": column("name"),
        "kind": enum_column("kind", PartyOrganisationKind),
        "secretaryName": column("secretary_name"),
    },
)
GRID_NODE_SHAPE = Shape(
    "GridNode",
    {
        "id": global_id("GridNode"),
        "code": column("code"),
        "path": column("path"),
        "name": column("name"),
        "level": column("level"),
        "headName": column("head_name"),
        "headPhone": column("head_phone"),
        "retired": lambda a, _: f"({a}.retired_at IS NOT NULL)",
    },
)
