"""Home visits (入户走访) as graphql/schema.py composes them: queries.py and mutations.py over
types.py, inputs.py and payloads.py. Rules are tenants/visits/service.py."""

from __future__ import annotations

from redgrid.graphql.core.node_lookup import NodeResolver, node_resolver
from redgrid.graphql.visits.mutations import VisitsMutation
from redgrid.graphql.visits.queries import VisitsQuery
from redgrid.graphql.visits.types import HomeVisit
from redgrid.tenants.visits import service as visits

__all__ = ["NODES", "TYPES", "VisitsMutation", "VisitsQuery"]

NODES: dict[str, NodeResolver[object]] = {"HomeVisit": node_resolver(visits.visit_by_id, HomeVisit.from_model)}
TYPES: list[type] = [HomeVisit]
