"""The joint-building registers (units with their contacts, resources and needs, public-benefit
projects, the service menu and its orders) as graphql/schema.py composes them: queries.py and
mutations.py over types.py, inputs.py, payloads.py and enums.py. Rules are tenants/units/."""

from __future__ import annotations

from redgrid.graphql.core.node_lookup import NodeResolver, node_resolver
from redgrid.graphql.units.mutations import UnitsMutation
from redgrid.graphql.units.queries import UnitsQuery
from redgrid.graphql.units.types import JointUnit, PublicProject, ServiceItem, ServiceOrder, UnitNeed, UnitResource
from redgrid.tenants.units import menu, projects
from redgrid.tenants.units import service as units

__all__ = ["NODES", "TYPES", "UnitsMutation", "UnitsQuery"]

# `node(id)` asks NODES by type name; TYPES are object types the schema must hold even where no
# field names them.
NODES: dict[str, NodeResolver[object]] = {
    "JointUnit": node_resolver(units.unit_by_id, JointUnit.from_model),
    "UnitResource": node_resolver(units.resource_by_id, UnitResource.from_model),
    "UnitNeed": node_resolver(units.need_by_id, UnitNeed.from_model),
    "PublicProject": node_resolver(projects.project_by_id, PublicProject.from_model),
    "ServiceItem": node_resolver(menu.item_by_id, ServiceItem.from_model),
    "ServiceOrder": node_resolver(menu.order_by_id, ServiceOrder.from_model),
}
TYPES: list[type] = [JointUnit, UnitResource, UnitNeed, PublicProject, ServiceItem, ServiceOrder]
