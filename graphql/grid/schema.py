"""The grid area as graphql/schema.py composes it: queries and mutations (queries.py,
mutations.py), the types, inputs and enums they use (types.py, inputs.py, enums.py); other
areas take the types from types.py, `in_subtree` from filters.py and the SQL shapes from shapes.py."""

from __future__ import annotations

from redgrid.graphql.core.node_lookup import NodeResolver, node_resolver
from redgrid.graphql.grid.mutations import GridMutation
from redgrid.graphql.grid.queries import GridQuery
from redgrid.graphql.grid.types import GridNode, PartyOrganisation, ServiceStation
from redgrid.tenants.grid import service as grid

__all__ = ["NODES", "TYPES", "GridMutation", "GridQuery"]

# `node(id)` asks NODES by type name; TYPES are object types the schema must hold even where no
# field names them.
NODES: dict[str, NodeResolver[object]] = {
    "GridNode": node_resolver(grid.node_by_id, GridNode.from_model),
    "PartyOrganisation": node_resolver(grid.party_organisation_by_id, PartyOrganisation.from_model),
    "ServiceStation": node_resolver(grid.station_by_id, ServiceStation.from_model),
}
TYPES: list[type] = [GridNode, PartyOrganisation, ServiceStation]
