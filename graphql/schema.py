"""The Strawberry schema, composed from the areas' packages (graphql/<area>/schema.py); the
resolvers there translate between GraphQL and the domain services in tenants/ and do nothing
else. `graphql/schema.graphql` is its exported SDL (tests fail when it drifts)."""

from __future__ import annotations

from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry import relay
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext

from redgrid.graphql.accounts import schema as accounts
from redgrid.graphql.cases import schema as cases
from redgrid.graphql.core.context import GraphQLContext
from redgrid.graphql.core.errorlog import log_graphql_errors
from redgrid.graphql.core.errors import client_error
from redgrid.graphql.core.extensions import OperationMetrics, TenantTransaction, TextGuard
from redgrid.graphql.core.fanout import SharedEventExecutor
from redgrid.graphql.core.ids import parse_db_id
from redgrid.graphql.core.limits import LimitedSchema, prepared_for_transfer
from redgrid.graphql.departments import schema as departments
from redgrid.graphql.district.schema import DistrictQuery, DistrictSubscription
from redgrid.graphql.events.schema import Subscription as EventsSubscription
from redgrid.graphql.figures.schema import FiguresQuery
from redgrid.graphql.grid import schema as grid
from redgrid.graphql.notices import schema as notices
from redgrid.graphql.people import schema as people
from redgrid.graphql.registers.schema import RegistersMutation
from redgrid.graphql.sharing import schema as sharing
from redgrid.graphql.staff import schema as staff
from redgrid.graphql.tenancy.schema import TenancyMutation, TenancyQuery
from redgrid.graphql.units import schema as units
from redgrid.graphql.visits import schema as visits
from redgrid.graphql.workers import schema as workers
from redgrid.platform.settings import Environment, get_settings

Info = strawberry.Info[GraphQLContext, None]

AREAS = (grid, people, cases, units, sharing, staff, workers, departments, accounts, visits, notices)
# `node(id)` asks the area named in the id.
NODE_RESOLVERS = {name: resolve for area in AREAS for name, resolve in area.NODES.items()}


@strawberry.type
class NodeQuery:
    @strawberry.field(description="Any object by its global id; null when it is not the caller's to see.")
    async def node(self, info: Info, id: relay.GlobalID) -> relay.Node | None:
        db_id = parse_db_id(id.node_id)
        resolver = NODE_RESOLVERS.get(id.type_name)
        return await resolver(info, db_id) if resolver and db_id is not None else None


Query = merge_types(
    "Query",
    (
        TenancyQuery,
        NodeQuery,
        grid.GridQuery,
        people.PeopleQuery,
        cases.CaseQuery,
        units.UnitsQuery,
        sharing.SharingQuery,
        staff.StaffQuery,
        workers.WorkersQuery,
        departments.DepartmentsQuery,
        FiguresQuery,
        accounts.AccountsQuery,
        DistrictQuery,
        visits.VisitsQuery,
        notices.NoticesQuery,
    ),
)
Subscription = merge_types("Subscription", (EventsSubscription, DistrictSubscription, notices.NoticesSubscription))
Mutation = merge_types(
    "Mutation",
    (
        TenancyMutation,
        grid.GridMutation,
        people.PeopleMutation,
        cases.CaseMutation,
        units.UnitsMutation,
        sharing.SharingMutation,
        staff.StaffMutation,
        workers.WorkersMutation,
        departments.DepartmentsMutation,
        RegistersMutation,
        accounts.AccountsMutation,
        visits.VisitsMutation,
        notices.NoticesMutation,
    ),
)


class RedGridSchema(LimitedSchema):
    prepared_by = "redgrid.graphql.schema:prepare_text"

    def process_errors(self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None) -> None:
        """Logged without the document, variables or messages (graphql/core/errorlog.py), then typed
        and, in production, masked for the client (graphql/core/errors.py). strawberry hands this hook
        the very list the answer carries, on every path (queries, mutations, each subscription
        result, refusals before execution, an extension's exception), and once per list: replacing
        its items here is the one place every error passes."""
        log_graphql_errors(errors, execution_context)
        mask = get_settings().env is Environment.PRODUCTION
        errors[:] = [client_error(error, mask=mask) for error in errors]


# LimitedSchema: every document is refused by size before parsing, and parsed and validated
# once per distinct text in a bounded cache (graphql/core/limits.py): ten thousand subscribers send one.
schema = RedGridSchema(
    query=Query,
    mutation=Mutation,
    subscription=Subscription,
    types=[t for area in AREAS for t in area.TYPES],
    extensions=[OperationMetrics, TextGuard, TenantTransaction],
    execution_context_class=SharedEventExecutor,
)


def prepare_text(text: str) -> tuple[Any, list[Any], int, bool]:
    """A document prepared in a worker process of `schema` (graphql/core/documents.py)."""
    return prepared_for_transfer(schema._schema, text)
