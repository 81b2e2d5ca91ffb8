"""The SQL shape of catalogue rows in pages PostgreSQL builds (graphql/core/compiled.py): a
search asking only these fields is one statement; `own` and `updatedAt` go to the resolvers."""

from __future__ import annotations

from redgrid.graphql.core.compiled import Shape, column, enum_column, global_id
from redgrid.graphql.sharing.enums import ShareScope
from redgrid.graphql.units.enums import ResourceKind

SHARED_RESOURCE_SHAPE = Shape(
    "SharedResource",
    {
        "id": global_id("SharedResource"),
        "kind": enum_column("kind", ResourceKind),
        "description": column("description"),
        "unitName": column("unit_name"),
        "streetName": column("street_name"),
        "scope": enum_column("scope", ShareScope),
        "quantity": column("quantity"),
    },
)
