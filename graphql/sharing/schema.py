"""Sharing across streets (the catalogue and requests between streets, needs of people and
crowdfunded projects) as graphql/schema.py composes it. Rules are tenants/sharing/."""

from __future__ import annotations

from redgrid.graphql.core.node_lookup import NodeResolver, node_resolver
from redgrid.graphql.sharing.mutations import SharingMutation
from redgrid.graphql.sharing.queries import SharingQuery
from redgrid.graphql.sharing.types import GridNeed, ProjectPledge, SharedResource, ShareRequest
from redgrid.tenants.sharing import catalogue, needs, requests

__all__ = ["NODES", "TYPES", "SharingMutation", "SharingQuery"]

NODES: dict[str, NodeResolver[object]] = {
    "SharedResource": node_resolver(catalogue.share_by_id, SharedResource.from_model),
    "ShareRequest": node_resolver(requests.request_by_id, ShareRequest.from_model),
    "GridNeed": node_resolver(needs.need_by_id, GridNeed.from_model),
}
TYPES: list[type] = [SharedResource, ShareRequest, GridNeed, ProjectPledge]
